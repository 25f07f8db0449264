/**
 * The run-artifact routes outside the API prefixes (ref §1.5, §4.2):
 *
 * - `GET /get-artifact?run_id=&path=` (also `run_uuid`): serves `<run artifact root>/<path>` as
 *   an attachment. A root on `mlflow-artifacts:` (or an http(s) URL of the proxy) maps into the
 *   artifacts destination; `file:` and `s3:` roots are read directly; anything else is refused.
 * - `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=&path=`: the UI's upload, a raw body of
 *   at most 10 MB ("Artifact size is too large. Max size is 10MB."), streamed to the run root.
 *
 * `path` goes through `validateArtifactPath` before the run is even looked up.
 */
import type { FastifyInstance } from 'fastify';
import { invalidParameter, validateArtifactPath } from '@lablog/tracking';
import { joinArtifactPath } from '../artifacts/artifact-root.js';
import { sendArtifact } from '../artifacts/send-artifact.js';
import { acceptRawBodies, uploadBody } from '../artifacts/upload-body.js';
import { MAX_UI_UPLOAD_BYTES } from '../plugins/artifacts.js';
import * as S from '../schemas/artifacts.js';

/** MLflow's message for an oversized UI upload. */
export const UPLOAD_TOO_LARGE_MESSAGE = 'Artifact size is too large. Max size is 10MB.';

/** Registers `/get-artifact` and `/ajax-api/2.0/mlflow/upload-artifact` (no prefix). */
export async function runArtifactRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;
  const serving = app.artifactServing;
  acceptRawBodies(app);

  app.get<{ Querystring: S.GetArtifact }>('/get-artifact', { schema: { querystring: S.getArtifact } }, async (req, reply) => {
    const rel = validateArtifactPath(req.query.path);
    if (rel === '') throw invalidParameter('Invalid path');
    const run = await store.getRun(req.query.run_id);
    const root = serving.resolveRoot(run.info.artifactUri);
    return sendArtifact(req, reply, await root.store.open(joinArtifactPath(root.base, rel)), rel);
  });

  app.post<{ Querystring: S.UploadArtifact }>(
    '/ajax-api/2.0/mlflow/upload-artifact',
    { schema: { querystring: S.uploadArtifact }, config: { rawBody: true } },
    async (req) => {
      const rel = validateArtifactPath(req.query.path);
      if (rel === '') throw invalidParameter('Invalid path');
      const body = uploadBody(req, MAX_UI_UPLOAD_BYTES, () => invalidParameter(UPLOAD_TOO_LARGE_MESSAGE));
      if (body.size === 0 || (body.size === undefined && req.headers['transfer-encoding'] === undefined)) {
        body.stream.destroy();
        throw invalidParameter('Request must specify data.');
      }
      const run = await store.getRun(req.query.run_uuid);
      const root = serving.resolveRoot(run.info.artifactUri);
      await root.store.put(joinArtifactPath(root.base, rel), body.stream, body.size);
      return {};
    },
  );
}
