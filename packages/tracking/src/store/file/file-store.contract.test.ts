/**
 * FileStore against the tracking and registry store contracts, on a temporary directory.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStore } from './file-store.js';
import { describeTrackingStoreContract } from '../__tests__/tracking-store-contract.js';
import { describeRegistryStoreContract } from '../__tests__/registry-store-contract.js';
import type { StoreHandle } from '../__tests__/contract/helpers.js';

async function onTempDir(): Promise<StoreHandle<FileStore>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-file-contract-'));
  const root = path.join(dir, 'mlruns');
  const defaultArtifactRoot = `file://${root}`;
  try {
    const store = new FileStore({ root, defaultArtifactRoot });
    return {
      store,
      defaultArtifactRoot,
      cleanup: async () => {
        try {
          await store.close();
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** MLflow's file store: random 18-digit experiment ids; every metric point appended, duplicates too. */
describeTrackingStoreContract('FileStore', onTempDir, { experimentIds: 'any', duplicateMetricPoints: 'append', infinityMayBeClamped: false });
describeRegistryStoreContract('FileStore', onTempDir);
