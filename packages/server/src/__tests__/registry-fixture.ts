/**
 * Test fixture for the registry routes: the app over a real SqliteStore that is also its
 * registry, with the store's default artifact root as the server's artifact root, plus
 * helpers for the methods the registry uses (PATCH and DELETE with JSON bodies).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SqliteStore } from '@lablog/tracking';
import { buildApp, type BuildAppOptions } from '../app.js';

/** The MLflow API prefix the helpers use by default. */
export const API = '/api/2.0/mlflow';

/** One registry-enabled app over a fresh SQLite store. */
export interface RegistryFixture {
  app: FastifyInstance;
  store: SqliteStore;
  dir: string;
  /** `file://` URI of the store's default artifact root (also the server's artifact root). */
  artifactRoot: string;
  /** Sends a JSON body with `Content-Type: application/json` to `<prefix>/<path>`. */
  send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, prefix?: string): Promise<LightMyRequestResponse>;
  post(path: string, body?: unknown, prefix?: string): Promise<LightMyRequestResponse>;
  /** GET `<prefix>/<path>?<query>`. */
  get(path: string, query?: string, prefix?: string): Promise<LightMyRequestResponse>;
  /** Creates an experiment and a run in it; returns the run's id and artifact URI. */
  createRun(): Promise<{ runId: string; artifactUri: string }>;
  close(): Promise<void>;
}

/**
 * Builds the fixture. `options.registryStore` null builds a registry-less app; other options
 * are passed to `buildApp`.
 */
export async function createRegistryFixture(options: Partial<BuildAppOptions> = {}): Promise<RegistryFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lablog-registry-'));
  const artifactRoot = pathToFileURL(join(dir, 'artifacts')).href;
  const store = new SqliteStore({ path: join(dir, 'lablog.db'), defaultArtifactRoot: artifactRoot });
  const registryStore = options.registryStore === null ? null : store;
  const app = buildApp({ artifactRoots: [artifactRoot], ...options, trackingStore: store, registryStore });
  await app.ready();
  let experiments = 0;
  const send: RegistryFixture['send'] = (method, path, body = {}, prefix = API) =>
    app.inject({ method, url: `${prefix}/${path}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const f: RegistryFixture = {
    app,
    store,
    dir,
    artifactRoot,
    send,
    post: (path, body, prefix) => send('POST', path, body, prefix),
    get: (path, query = '', prefix = API) => app.inject({ method: 'GET', url: `${prefix}/${path}${query ? `?${query}` : ''}` }),
    createRun: async () => {
      const experimentId = (await send('POST', 'experiments/create', { name: `exp-${++experiments}` })).json().experiment_id;
      const info = (await send('POST', 'runs/create', { experiment_id: experimentId })).json().run.info;
      return { runId: info.run_id, artifactUri: info.artifact_uri };
    },
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}
