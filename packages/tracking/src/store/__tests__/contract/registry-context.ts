/**
 * What each section of the registry contract sees, and small builders shared by them.
 */
import type { RegistryStore } from '../../registry-store.js';
import type { TrackingStore } from '../../tracking-store.js';
import type { ModelVersion } from '../../../entities/model-version.js';
import { newRun } from './helpers.js';

/** A store with both faces: the registry refers to runs. */
export type RegistryAndTrackingStore = RegistryStore & TrackingStore;

/** What each section of the registry contract gets per test. */
export interface RegistryContext {
  readonly store: RegistryAndTrackingStore;
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
