/** Request message of the tracking service's artifact listing (ref §2.4). */
import { w, type Infer } from './wire-schema.js';

/** GET artifacts/list. `path` is checked by `validateArtifactPath` in the route. */
export const listArtifacts = w.message(
  { run_id: w.string(), path: w.string(), page_token: w.string() },
  ['run_id'],
  { run_uuid: 'run_id' },
);

export type ListArtifacts = Infer<typeof listArtifacts>;
