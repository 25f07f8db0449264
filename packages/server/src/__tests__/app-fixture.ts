/** Test fixture: the app on a real SqliteStore in a temp directory, plus request helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SqliteStore } from '@lablog/tracking';
import { buildApp, type BuildAppOptions } from '../app.js';

/** One app over a fresh SQLite store. */
export interface AppFixture {
  app: FastifyInstance;
  store: SqliteStore;
  dir: string;
  artifactRoot: string;
  /** POST JSON to `/api/2.0/mlflow/<path>`. */
  post(path: string, body?: unknown, prefix?: string): Promise<LightMyRequestResponse>;
  /** GET `/api/2.0/mlflow/<path>?<query>`. */
  get(path: string, query?: string, prefix?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Builds the fixture; call `close()` in afterEach/afterAll. */
export async function createAppFixture(options: Partial<BuildAppOptions> = {}): Promise<AppFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lablog-server-'));
  const artifactRoot = pathToFileURL(join(dir, 'artifacts')).href;
  const store = new SqliteStore({ path: join(dir, 'lablog.db'), defaultArtifactRoot: artifactRoot });
  // The store's root is what the artifact_location policy allows besides the proxy destination.
  const app = buildApp({ ...options, trackingStore: store, artifacts: { defaultArtifactRoot: artifactRoot, ...options.artifacts } });
  await app.ready();
  const api = '/api/2.0/mlflow';
  return {
    app,
    store,
    dir,
    artifactRoot,
    post: (path, body = {}, prefix = api) =>
      app.inject({ method: 'POST', url: `${prefix}/${path}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    get: (path, query = '', prefix = api) => app.inject({ method: 'GET', url: `${prefix}/${path}${query ? `?${query}` : ''}` }),
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
