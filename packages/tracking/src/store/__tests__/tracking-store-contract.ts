/**
 * The tracking store contract: one suite that every {@link TrackingStore} runs unchanged
 * (SqliteStore, FileStore, RestStore, PostgresStore), as MLflow's AbstractStoreTest is for
 * its stores. The behaviours pinned here are MLflow's (docs: /work/shared/ref/mlflow-compat.md
 * §2, §3, §5, §14, §17, §18); where MLflow's own stores differ, the runner says which way its
 * store goes through {@link TrackingStoreContractOptions}.
 *
 * Usage, in a `*.contract.test.ts` beside the store:
 * ```ts
 * describeTrackingStoreContract('SqliteStore', async () => {
 *   const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-'));
 *   const store = new SqliteStore({ path: path.join(dir, 'db.sqlite'), defaultArtifactRoot: 'file:///x' });
 *   return { store, cleanup: async () => { await store.close(); await fs.rm(dir, { recursive: true, force: true }); } };
 * }, { experimentIds: 'sequential', duplicateMetricPoints: 'dedup' });
 * ```
 */
import { describe } from 'vitest';
import type { TrackingStore } from '../tracking-store.js';
import { useFreshStore, type StoreFactory } from './contract/helpers.js';
import { resolveTrackingOptions, type TrackingContext, type TrackingStoreContractOptions } from './contract/tracking-context.js';
import { addExperimentTests } from './contract/experiments.js';
import { addRunTests } from './contract/runs.js';
import { addLogBatchTests } from './contract/log-batch.js';
import { addHistoryAndInputTests } from './contract/history-and-inputs.js';
import { addSearchRunsTests } from './contract/search-runs.js';
import { addLoggedModelTests } from './contract/logged-models.js';

export type { TrackingStoreContractOptions } from './contract/tracking-context.js';
export type { StoreFactory, StoreHandle } from './contract/helpers.js';

/**
 * Declares the tracking store contract for one store. `factory` must return a fresh, empty
 * store (holding only the default experiment) on each call; `cleanup` closes it and removes
 * whatever it wrote.
 */
export function describeTrackingStoreContract(
  name: string,
  factory: StoreFactory<TrackingStore>,
  options?: TrackingStoreContractOptions,
): void {
  describe(`TrackingStore contract: ${name}`, () => {
    const resolved = resolveTrackingOptions(options);
    const handle = useFreshStore(factory);
    const ctx = (): TrackingContext => {
      const h = handle();
      return { store: h.store, options: resolved, defaultArtifactRoot: h.defaultArtifactRoot };
    };
    addExperimentTests(ctx);
    addRunTests(ctx);
    addLogBatchTests(ctx);
    addHistoryAndInputTests(ctx);
    addSearchRunsTests(ctx);
    addLoggedModelTests(ctx);
  });
}
