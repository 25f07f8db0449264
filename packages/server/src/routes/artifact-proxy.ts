/**
 * MLflow's proxied artifact service (ref §4.1), mounted under `/api/2.0/mlflow-artifacts` and
 * `/ajax-api/2.0/mlflow-artifacts`:
 *
 * | route                                   | does                                                   |
 * |-----------------------------------------|--------------------------------------------------------|
 * | GET    `artifacts/<path>`               | streams the file as an attachment (`sendArtifact`)     |
 * | PUT    `artifacts/<path>`               | streams the raw body (any content type) into the file  |
 * | DELETE `artifacts/<path>`               | deletes a file or directory (never the whole root)     |
 * | GET    `artifacts?path=<dir>`           | one level, **basenames** as MLflow answers             |
 * | POST   `mpu/{create,complete,abort}/<p>`| 501: multipart upload is not supported (local or S3)   |
 *
 * Every `<path>` is the router's wildcard and goes through `validateArtifactPath`, which
 * decodes until stable, so no encoding of a traversal survives (security.md §2.1–2.2). With
 * the proxy off (`--no-serve-artifacts`) every route answers 503.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { fileInfoToJSON, LablogError, validateArtifactPath } from '@lablog/tracking';
import { artifactsNotServed } from '../artifacts/artifact-root.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { sendArtifact } from '../artifacts/send-artifact.js';
import { acceptRawBodies, uploadBody } from '../artifacts/upload-body.js';
import { responseMessage } from '../plugins/wire.js';
import * as S from '../schemas/artifacts.js';

/** Prefixes the proxy is served under. */
export const ARTIFACT_PROXY_PREFIXES: readonly string[] = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];

/** MLflow's message when the destination cannot do multipart uploads. */
export const MPU_NOT_SUPPORTED = 'Multipart upload is not supported for the current artifact repository';

type Wildcard = { Params: { '*': string } };

/** The validated `<path>` of a wildcard route. */
function wildcardPath(req: FastifyRequest<Wildcard>): string {
  return validateArtifactPath(req.params['*'] ?? '');
}

/** The same, refusing the destination root itself (no GET, PUT or DELETE of `.`). */
function nonRootPath(req: FastifyRequest<Wildcard>): string {
  const rel = wildcardPath(req);
  if (rel === '') throw new LablogError('Invalid path', 'INVALID_PARAMETER_VALUE');
  return rel;
}

function tooLarge(limit: number): () => Error {
  return () => {
    const e = new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    e.message = `Artifact upload too large: the limit is ${limit} bytes`;
    return e;
  };
}

/** Registers the proxy routes on one prefix (see {@link ARTIFACT_PROXY_PREFIXES}). */
export async function artifactProxyRoutes(app: FastifyInstance): Promise<void> {
  const serving = app.artifactServing;
  const dest = (): ArtifactStore => {
    if (serving.destination === null) throw artifactsNotServed();
    return serving.destination;
  };
  // Raw bodies of any content type reach the handlers as unread streams.
  acceptRawBodies(app);
  const raw = { config: { rawBody: true } };

  app.get<{ Querystring: S.ListProxyArtifacts }>('/artifacts', { schema: { querystring: S.listProxyArtifacts } }, async (req) => {
    const store = dest();
    const rel = validateArtifactPath(req.query.path ?? '');
    const files = await store.list(rel);
    return responseMessage({
      files: files.map((f) => fileInfoToJSON({ ...f, path: f.path.slice(f.path.lastIndexOf('/') + 1) })),
    });
  });

  app.get<Wildcard>('/artifacts/*', async (req, reply) => {
    const store = dest();
    const rel = nonRootPath(req);
    return sendArtifact(req, reply, await store.open(rel), rel);
  });

  app.put<Wildcard>('/artifacts/*', raw, async (req) => {
    const store = dest();
    const rel = nonRootPath(req);
    const body = uploadBody(req, serving.maxUploadBytes, tooLarge(serving.maxUploadBytes));
    await store.put(rel, body.stream, body.size);
    return {};
  });

  app.delete<Wildcard>('/artifacts/*', async (req) => {
    const store = dest();
    await store.delete(nonRootPath(req));
    return {};
  });

  for (const op of ['create', 'complete', 'abort'] as const) {
    app.post<Wildcard>(`/mpu/${op}/*`, raw, async (req) => {
      dest();
      nonRootPath(req);
      // Neither the local nor the S3 destination offers multipart uploads yet: MLflow clients
      // fall back to a single PUT on this answer.
      throw new LablogError(MPU_NOT_SUPPORTED, 'NOT_IMPLEMENTED');
    });
  }
}
