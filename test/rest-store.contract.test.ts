/**
 * RestStore against the store contracts, through a real lablog server (Fastify, in process,
 * 127.0.0.1 port 0) over a SQLite store in a temporary directory: every contract call is one
 * HTTP request.
 */
import { RestStore } from '../packages/tracking/src/store/rest/rest-store.js';
import { describeTrackingStoreContract } from '../packages/tracking/src/store/__tests__/tracking-store-contract.js';
import { describeRegistryStoreContract } from '../packages/tracking/src/store/__tests__/registry-store-contract.js';
import type { StoreHandle } from '../packages/tracking/src/store/__tests__/contract/helpers.js';
import { startLablogServer } from './helpers/lablog-server.js';

/** A fresh server and a RestStore pointing at it; retries kept short so a failure shows quickly. */
async function restOverLablog(): Promise<StoreHandle<RestStore>> {
  const server = await startLablogServer();
  const store = new RestStore({ trackingUri: server.url, retry: { maxRetries: 2, backoffFactor: 0.01, backoffJitter: 0 }, env: {} });
  return {
    store,
    defaultArtifactRoot: server.defaultArtifactRoot,
    cleanup: async () => {
      try {
        await store.close();
      } finally {
        await server.close();
      }
    },
  };
}

describeTrackingStoreContract('RestStore → lablog server', restOverLablog, {
  experimentIds: 'sequential',
  duplicateMetricPoints: 'dedup',
  artifactLocations: 'under-root',
});
describeRegistryStoreContract('RestStore → lablog server', restOverLablog, { storageLocation: 'server' });
