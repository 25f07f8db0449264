/**
 * The tracking service's artifact listing (ref §2.4): one directory level of a run's
 * artifacts, paths relative to the run's artifact root. `path` goes through
 * `validateArtifactPath` before anything is touched. Roots on `mlflow-artifacts:` (or the
 * proxy's http URL) are listed from the artifacts destination (503 when the server does not
 * serve artifacts); other remote roots are refused rather than fetched.
 */
import type { FastifyInstance } from 'fastify';
import { fileInfoToJSON, validateArtifactPath } from '@lablog/tracking';
import { joinArtifactPath } from '../artifacts/artifact-root.js';
import * as S from '../schemas/artifacts.js';
import { responseMessage } from '../plugins/wire.js';

/** Registers `artifacts/list` on an API prefix. */
export async function artifactListRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.get<{ Querystring: S.ListArtifacts }>('/artifacts/list', { schema: { querystring: S.listArtifacts } }, async (req) => {
    const path = req.query.path === undefined ? '' : validateArtifactPath(req.query.path);
    const run = await store.getRun(req.query.run_id);
    const root = run.info.artifactUri;
    const { store: artifacts, base } = app.artifactServing.resolveRoot(root);
    // The store lists paths relative to its own root: `<base>/<path>/<name>` → `<path>/<name>`.
    const files = (await artifacts.list(joinArtifactPath(base, path))).map((f) => (base === '' ? f : { ...f, path: f.path.slice(base.length + 1) }));
    return responseMessage({ root_uri: root, files: files.map(fileInfoToJSON) });
  });
}
