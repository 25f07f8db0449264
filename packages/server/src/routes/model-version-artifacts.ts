/**
 * `GET /model-versions/get-artifact?name=&version=&path=` (ref §4.2; outside `/api`, and
 * MLflow has no `/ajax-api` form of it): one file of a model version, served as a download.
 *
 * Before anything is read, the version's download URI goes through
 * {@link resolveModelVersionSource} again (so a version stored before validation existed, or
 * written to the store directly, still cannot point the server at `/etc` or at a remote URL),
 * and `path` through `validateArtifactPath`. The checked location is then mapped to a store by
 * the shared artifact-root mapping (`app.artifactServing.resolveRoot`: `mlflow-artifacts:` into
 * the artifacts destination, `file:`/`s3:` directly, local paths resolved under the root with
 * `realpath`) and sent by the shared `sendArtifact` (attachment, `nosniff`, content type from
 * the extension). A missing file is a 404 RESOURCE_DOES_NOT_EXIST (MLflow answers 500).
 */
import type { FastifyInstance } from 'fastify';
import { invalidParameter, validateArtifactPath } from '@lablog/tracking';
import { joinArtifactPath } from '../artifacts/artifact-root.js';
import { sendArtifact } from '../artifacts/send-artifact.js';
import * as S from '../schemas/registry.js';
import { resolveModelVersionSource } from '../model-version-source.js';
import { sourceContext, type RegistryRouteOptions } from './model-versions.js';

/** Registers `GET /model-versions/get-artifact` (at the server root, not under an API prefix). */
export async function modelVersionArtifactRoutes(app: FastifyInstance, options: RegistryRouteOptions): Promise<void> {
  const ctx = sourceContext(app, options.artifactRoots);

  app.get<{ Querystring: S.GetModelVersionArtifact }>(
    '/model-versions/get-artifact',
    { schema: { querystring: S.getModelVersionArtifact } },
    async (req, reply) => {
      const q = req.query;
      const rel = validateArtifactPath(q.path);
      if (rel === '') throw invalidParameter('Invalid path');
      const registry = app.registryStore;
      const version = await registry.getModelVersion(q.name, q.version);
      const downloadUri = await registry.getModelVersionDownloadUri(q.name, q.version);
      const location = await resolveModelVersionSource(downloadUri, version.runId, ctx, { allowModelsUri: false });
      const root = app.artifactServing.resolveRoot(location);
      return sendArtifact(req, reply, await root.store.open(joinArtifactPath(root.base, rel)), rel);
    },
  );
}
