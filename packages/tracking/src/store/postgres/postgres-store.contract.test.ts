/**
 * PostgresStore against the tracking and registry store contracts, unchanged: one private
 * PostgreSQL cluster for this file (see __tests__/pg-cluster.ts), a fresh database per test.
 * Without PostgreSQL binaries the file fails, saying what to install; with
 * LABLOG_SKIP_POSTGRES=1 it is skipped with a note.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgresStore } from './postgres-store.js';
import { describeTrackingStoreContract, type TrackingStoreContractOptions } from '../__tests__/tracking-store-contract.js';
import { describeRegistryStoreContract } from '../__tests__/registry-store-contract.js';
import type { StoreHandle } from '../__tests__/contract/helpers.js';
import { postgresTestMode, startPgCluster, type PgCluster } from './__tests__/pg-cluster.js';

/**
 * As MLflow's SQL store: ids 1, 2, 3…; exact duplicate metric points stored once. Unlike it,
 * double precision keeps ±Infinity exactly, so no clamp to ±max double is accepted.
 */
const SQL_OPTIONS: TrackingStoreContractOptions = { experimentIds: 'sequential', duplicateMetricPoints: 'dedup', infinityMayBeClamped: false };
const quiet = { truncateLongValues: true, warn: () => undefined };

const mode = postgresTestMode();
if (!mode.run) {
  console.warn(`[postgres-store.contract] ${mode.reason}`);
  describe.skip(`PostgresStore contract (${mode.reason})`, () => {
    it('is skipped', () => undefined);
  });
} else {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = await startPgCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const fresh = async (): Promise<StoreHandle<PostgresStore>> => {
    if (!cluster) throw new Error('the PostgreSQL test cluster did not start');
    const defaultArtifactRoot = 's3://lablog-contract/artifacts';
    const store = new PostgresStore({ uri: await cluster.createDatabase(), defaultArtifactRoot, validationPolicy: quiet, poolSize: 4 });
    return { store, defaultArtifactRoot, cleanup: () => store.close() };
  };

  describeTrackingStoreContract('PostgresStore', fresh, SQL_OPTIONS);
  describeRegistryStoreContract('PostgresStore', fresh);
}
