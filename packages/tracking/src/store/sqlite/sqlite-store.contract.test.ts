/**
 * SqliteStore against the tracking and registry store contracts: on a database file in a
 * temporary directory, and once more on ':memory:'.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { describeTrackingStoreContract, type TrackingStoreContractOptions } from '../__tests__/tracking-store-contract.js';
import { describeRegistryStoreContract } from '../__tests__/registry-store-contract.js';
import type { StoreHandle } from '../__tests__/contract/helpers.js';

/**
 * As MLflow's SQL store: ids 1, 2, 3…; exact duplicate metric points stored once. Unlike it,
 * SQLite keeps ±Infinity exactly (REAL holds it), so no clamp to ±max double is accepted.
 */
const SQL_OPTIONS: TrackingStoreContractOptions = { experimentIds: 'sequential', duplicateMetricPoints: 'dedup', infinityMayBeClamped: false };

async function onFile(): Promise<StoreHandle<SqliteStore>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-sqlite-contract-'));
  const defaultArtifactRoot = `file://${path.join(dir, 'artifacts')}`;
  try {
    const store = new SqliteStore({ path: path.join(dir, 'lablog.db'), defaultArtifactRoot });
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

async function inMemory(): Promise<StoreHandle<SqliteStore>> {
  const defaultArtifactRoot = 's3://lablog-contract/artifacts';
  const store = new SqliteStore({ path: ':memory:', defaultArtifactRoot });
  return { store, defaultArtifactRoot, cleanup: () => store.close() };
}

describeTrackingStoreContract('SqliteStore (file)', onFile, SQL_OPTIONS);
describeRegistryStoreContract('SqliteStore (file)', onFile);
describeTrackingStoreContract('SqliteStore (:memory:)', inMemory, SQL_OPTIONS);
describeRegistryStoreContract('SqliteStore (:memory:)', inMemory);
