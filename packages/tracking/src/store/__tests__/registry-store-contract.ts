/**
 * The model registry store contract: one suite that every {@link RegistryStore} runs
 * unchanged, pinning MLflow's registry behaviour (ref §5.2, §6). The store is also a
 * {@link TrackingStore}, because model versions refer to runs.
 */
import { describe } from 'vitest';
import { useFreshStore, type StoreFactory } from './contract/helpers.js';
import type { RegistryAndTrackingStore, RegistryContext, RegistryStoreContractOptions } from './contract/registry-context.js';
import { addRegisteredModelTests } from './contract/registered-models.js';
import { addModelVersionTests } from './contract/model-versions.js';
import { addStageAndAliasTests } from './contract/stages-and-aliases.js';

export type { RegistryAndTrackingStore, RegistryStoreContractOptions } from './contract/registry-context.js';

/**
 * Declares the registry store contract for one store. `factory` must return a fresh, empty
 * store on each call; `cleanup` closes it and removes whatever it wrote.
 */
export function describeRegistryStoreContract(
  name: string,
  factory: StoreFactory<RegistryAndTrackingStore>,
  options: RegistryStoreContractOptions = {},
): void {
  const resolved: Required<RegistryStoreContractOptions> = { storageLocation: options.storageLocation ?? 'caller' };
  describe(`RegistryStore contract: ${name}`, () => {
    const handle = useFreshStore(factory);
    const ctx = (): RegistryContext => ({ store: handle().store, options: resolved });
    addRegisteredModelTests(ctx);
    addModelVersionTests(ctx);
    addStageAndAliasTests(ctx);
  });
}
