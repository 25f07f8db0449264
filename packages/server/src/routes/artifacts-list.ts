/**
 * The tracking service's artifact listing (ref §2.4): one directory level of a run's
 * artifacts, paths relative to the run's artifact root. `path` goes through
 * `validateArtifactPath` before anything is touched. Roots on `mlflow-artifacts:` answer 501
 * until the artifact proxy lands.
 */
import type { FastifyInstance } from 'fastify';
import { fileInfoToJSON, getArtifactRepository, validateArtifactPath } from '@lablog/tracking';
import * as S from '../schemas/artifacts.js';
import { responseMessage } from '../plugins/wire.js';

/** Registers `artifacts/list` on an API prefix. */
export async function artifactListRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.get<{ Querystring: S.ListArtifacts }>('/artifacts/list', { schema: { querystring: S.listArtifacts } }, async (req) => {
    const path = req.query.path === undefined ? '' : validateArtifactPath(req.query.path);
    const run = await store.getRun(req.query.run_id);
    const root = run.info.artifactUri;
    const files = await getArtifactRepository(root).listArtifacts(path);
    return responseMessage({ root_uri: root, files: files.map(fileInfoToJSON) });
  });
}
