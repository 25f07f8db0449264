/**
 * What each section of the registry contract sees, and small builders shared by them.
 */
import type { RegistryStore } from '../../registry-store.js';
import type { TrackingStore } from '../../tracking-store.js';
import type { ModelVersion } from '../../../entities/model-version.js';
import { newRun } from './helpers.js';

/** A store with both faces: the registry refers to runs. */
export type RegistryAndTrackingStore = RegistryStore & TrackingStore;

/** Where registry stores legitimately differ; everything else is one contract. */
export interface RegistryStoreContractOptions {
  /**
   * `caller`: the caller may hand the store a resolved `storageLocation` (local stores);
   * `server`: a server resolves sources itself and never takes a location from a client (a
   * client-chosen location would let it read any path), so `runs:/` sources come back resolved
   * to the run's artifacts. Default `caller`.
   */
  storageLocation?: 'caller' | 'server';
}

/** What each section of the registry contract gets per test. */
export interface RegistryContext {
  readonly store: RegistryAndTrackingStore;
  readonly options: Required<RegistryStoreContractOptions>;
}

/** Creates a registered model with `n` versions, each from its own run; returns the versions. */
export async function modelWithVersions(store: RegistryAndTrackingStore, name: string, n: number): Promise<ModelVersion[]> {
  await store.createRegisteredModel(name);
  const out: ModelVersion[] = [];
  for (let i = 0; i < n; i++) {
    const run = await newRun(store, '0');
    out.push(await store.createModelVersion({ name, source: `runs:/${run.info.runId}/model`, runId: run.info.runId }));
  }
  return out;
}
