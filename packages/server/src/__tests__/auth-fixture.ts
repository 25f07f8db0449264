/**
 * Test fixture for `--auth basic`: the app with auth on, over a real SqliteStore (also the
 * registry) and a real SQLite auth database in a temp directory, with the artifact proxy
 * serving `<dir>/mlartifacts`. scrypt runs at a low cost here so tests stay fast.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SqliteStore } from '@lablog/tracking';
import { buildApp, type BuildAppOptions } from '../app.js';
import type { AuthOptions } from '../plugins/auth/options.js';

/** The bootstrap admin of every fixture. */
export const ADMIN = { username: 'admin', password: 'admin-password-123' } as const;
/** Password of users made with {@link AuthFixture.createUser}. */
export const USER_PASSWORD = 'user-password-123';
/** Cheap scrypt cost for tests. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 } as const;
/** The MLflow API prefix. */
export const API = '/api/2.0/mlflow';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** Who sends a request: a username (password {@link USER_PASSWORD}, or ADMIN's), explicit credentials, or nobody. */
export type Caller = string | { username: string; password: string } | null;

/** One auth-enabled app. */
export interface AuthFixture {
  app: FastifyInstance;
  store: SqliteStore;
  dir: string;
  authDbPath: string;
  /**
   * Sends a request as `caller`. `path` without a leading `/` is under {@link API}; a GET's
   * `body` becomes its query string; other bodies are JSON unless `raw` is given.
   */
  call(caller: Caller, method: Method, path: string, body?: Record<string, unknown>, raw?: string): Promise<LightMyRequestResponse>;
  /** Creates a non-admin user (as the admin). */
  createUser(username: string): Promise<void>;
  /** Creates an experiment as `caller`; returns its id. */
  createExperiment(caller: Caller, name: string): Promise<string>;
  /** Creates a run as `caller` in an experiment; returns its id. */
  createRun(caller: Caller, experimentId: string): Promise<string>;
  close(): Promise<void>;
}

function authHeader(caller: Caller): Record<string, string> {
  if (caller === null) return {};
  const c = typeof caller === 'string' ? { username: caller, password: caller === ADMIN.username ? ADMIN.password : USER_PASSWORD } : caller;
  return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
}

function queryOf(body: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, String(x));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Builds the fixture; `auth` overrides the auth options, `options` the app's. */
export async function createAuthFixture(auth: Partial<AuthOptions> = {}, options: Partial<BuildAppOptions> = {}): Promise<AuthFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lablog-auth-'));
  const artifactRoot = pathToFileURL(join(dir, 'artifacts')).href;
  const store = new SqliteStore({ path: join(dir, 'lablog.db'), defaultArtifactRoot: artifactRoot });
  const authDbPath = join(dir, 'basic_auth.db');
  const app = buildApp({
    artifactRoots: [artifactRoot],
    artifacts: { destination: join(dir, 'mlartifacts') },
    ...options,
    trackingStore: store,
    registryStore: store,
    auth: { dbUri: `sqlite://${authDbPath}`, adminUsername: ADMIN.username, adminPassword: ADMIN.password, scrypt: TEST_SCRYPT, ...auth },
  });
  await app.ready();
  const call: AuthFixture['call'] = (caller, method, path, body = {}, raw) => {
    const url = path.startsWith('/') ? path : `${API}/${path}`;
    if (method === 'GET' || method === 'HEAD') return app.inject({ method, url: url + queryOf(body), headers: authHeader(caller) });
    if (raw !== undefined) return app.inject({ method, url, headers: { ...authHeader(caller), 'content-type': 'application/octet-stream' }, payload: raw });
    return app.inject({ method, url, headers: { ...authHeader(caller), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  };
  return {
    app,
    store,
    dir,
    authDbPath,
    call,
    createUser: async (username) => {
      const res = await call(ADMIN.username, 'POST', 'users/create', { username, password: USER_PASSWORD });
      if (res.statusCode !== 200) throw new Error(`createUser ${username}: ${res.statusCode} ${res.body}`);
    },
    createExperiment: async (caller, name) => {
      const res = await call(caller, 'POST', 'experiments/create', { name });
      if (res.statusCode !== 200) throw new Error(`createExperiment: ${res.statusCode} ${res.body}`);
      return res.json().experiment_id as string;
    },
    createRun: async (caller, experimentId) => {
      const res = await call(caller, 'POST', 'runs/create', { experiment_id: experimentId });
      if (res.statusCode !== 200) throw new Error(`createRun: ${res.statusCode} ${res.body}`);
      return res.json().run.info.run_id as string;
    },
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
