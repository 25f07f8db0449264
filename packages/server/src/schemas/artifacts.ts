/** Request message of the tracking service's artifact listing (ref §2.4). */
import { w, type Infer } from './wire-schema.js';

/** GET artifacts/list. `path` is checked by `validateArtifactPath` in the route. */
export const listArtifacts = w.message(
  { run_id: w.string(), path: w.string(), page_token: w.string() },
  ['run_id'],
  { run_uuid: 'run_id' },
);

export type ListArtifacts = Infer<typeof listArtifacts>;

/** GET mlflow-artifacts/artifacts?path= (the proxy's listing, ref §4.1). `path` is checked in the route. */
export const listProxyArtifacts = w.message({ path: w.string() });

export type ListProxyArtifacts = Infer<typeof listProxyArtifacts>;

/** GET /get-artifact (ref §4.2): `run_id` or `run_uuid`, and the file's path under the run root. */
export const getArtifact = w.message({ run_id: w.string(), path: w.string() }, ['run_id', 'path'], { run_uuid: 'run_id' });

export type GetArtifact = Infer<typeof getArtifact>;

/** POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=&path= (the UI's upload; raw body). */
export const uploadArtifact = w.message({ run_uuid: w.string(), path: w.string() }, ['run_uuid', 'path']);

export type UploadArtifact = Infer<typeof uploadArtifact>;
