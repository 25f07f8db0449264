import type { RegistryStore } from '../store/registry-store.js';
import { LablogError } from '../errors.js';
import { ArtifactsClient } from './artifacts.js';

/**
 * The explicit client, as MLflow's `MlflowClient`: every call names its experiment or run, and
 * nothing is hidden between calls. Writes wait for the store (synchronous logging); the fluent
 * API adds the non-blocking path on top.
 *
 * The calls are grouped by resource in layers: experiments (experiments.ts), runs and logging
 * (runs.ts), metric histories (metrics.ts), run search (search.ts), artifacts (artifacts.ts).
 *
 * ```ts
 * const client = new TrackingClient('sqlite:///mlruns.db');
 * const exp = await client.createExperiment('demo');
 * const run = await client.createRun(exp, { runName: 'baseline' });
 * await client.logMetric(run.info.runId, 'loss', 0.3, { step: 1 });
 * await client.setTerminated(run.info.runId);
 * ```
 */
export class TrackingClient extends ArtifactsClient {
  /**
   * The model registry of this tracking URI (registered models, versions, aliases). The
   * registry client calls arrive with their own issue; until then the store is exposed as is.
   * @throws LablogError NOT_IMPLEMENTED when the backend has no registry.
   */
  get registry(): RegistryStore {
    if (!this.registryStoreOrNull) {
      throw new LablogError(`The tracking URI '${this.trackingUri}' has no model registry.`, 'NOT_IMPLEMENTED');
    }
    return this.registryStoreOrNull;
  }
}
