/**
 * A lablog server in this process, for tests that talk HTTP to it: the Fastify app from
 * packages/server over a SqliteStore in a temporary directory, listening on 127.0.0.1:0.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteStore } from '../../packages/tracking/src/store/sqlite/sqlite-store.js';
import { buildApp } from '../../packages/server/src/app.js';

/** A running in-process server. */
export interface TestServer {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The store behind the server. */
  readonly store: SqliteStore;
  /** The default artifact root the store was given. */
  readonly defaultArtifactRoot: string;
  close(): Promise<void>;
}

/** Starts a fresh server over an empty SQLite store. */
export async function startLablogServer(): Promise<TestServer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-rest-'));
  const defaultArtifactRoot = `file://${path.join(dir, 'artifacts')}`;
  const store = new SqliteStore({ path: path.join(dir, 'lablog.db'), defaultArtifactRoot });
  const app = buildApp({ trackingStore: store, registryStore: store });
  let url: string;
  try {
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (e) {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    store,
    defaultArtifactRoot,
    close: async () => {
      try {
        await app.close();
        await store.close();
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}
