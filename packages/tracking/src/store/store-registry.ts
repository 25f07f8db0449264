/**
 * The URI scheme picks the store (mlflow/tracking/_tracking_service/registry.py): a table of
 * scheme → factory, and one cached store per resolved URI.
 *
 * Built in: `sqlite:` (SqliteStore), `file:` and bare paths (FileStore), `http(s):` (RestStore,
 * any MLflow-compatible server), `postgresql:` (PostgresStore). Others plug in with
 * {@link registerStoreScheme}.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LablogError } from '../errors.js';
import { absolutizeUri, DEFAULT_STORE_DIR, fileUriForPath, getTrackingUri, sqlitePathOf, uriScheme } from '../tracking-uri.js';
import type { TrackingStore } from './tracking-store.js';
import type { RegistryStore } from './registry-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { FileStore } from './file/file-store.js';
import { restStoreFactory } from './rest/index.js';
import { PostgresStore } from './postgres/postgres-store.js';

/** What a tracking URI opens: the tracking store, and the registry store when the backend has one. */
export interface StorePair {
  readonly tracking: TrackingStore;
  readonly registry: RegistryStore | null;
}

/** Options a caller may pass when opening a store itself (a server, say), instead of the defaults. */
export interface OpenStoreOptions {
  /**
   * Artifact root of experiments created without a location, e.g. `file:///srv/artifacts` or
   * `mlflow-artifacts:/`. Default: the store's own (`<db dir>/artifacts` for SQLite, the store
   * root for files).
   */
  defaultArtifactRoot?: string;
}

/**
 * Builds the stores for one resolved URI. Through {@link createStore} it is called at most once
 * per URI (the result is cached); throw a {@link LablogError} for a URI it cannot serve.
 */
export type StoreFactory = (uri: string, options: OpenStoreOptions) => StorePair;

const factories = new Map<string, StoreFactory>();
const cache = new Map<string, StorePair>();

/**
 * Registers (or replaces) the factory for a URI scheme, e.g. `registerStoreScheme('https', …)`
 * from the REST store's module. Use `''` for bare paths. Stores already cached stay cached.
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory): void {
  factories.set(scheme.toLowerCase(), factory);
}

/** True when a factory serves this scheme (`''` for bare paths). */
export function isStoreSchemeRegistered(scheme: string): boolean {
  return factories.has(scheme.toLowerCase());
}

/**
 * Opens (or returns the cached) stores for a tracking URI; without one, for
 * {@link getTrackingUri}. Relative paths resolve against the working directory; the cache key
 * is the resolved URI, so `./x.db` and its absolute form share one store.
 */
export function createStore(uri?: string): StorePair {
  const resolved = absolutizeUri(uri ?? getTrackingUri());
  const cached = cache.get(resolved);
  if (cached) return cached;
  const pair = openStore(resolved);
  cache.set(resolved, pair);
  return pair;
}

/**
 * Opens new stores for a tracking URI, uncached and owned by the caller (who closes them): for
 * servers, which choose their own artifact root. Errors as {@link createStore}.
 */
export function openStore(uri: string, options: OpenStoreOptions = {}): StorePair {
  const resolved = absolutizeUri(uri);
  const scheme = uriScheme(resolved);
  // `postgresql+psycopg2://…` style URIs fall back to the base scheme's factory.
  const factory = factories.get(scheme) ?? factories.get(scheme.split('+')[0]!);
  if (!factory) {
    throw new LablogError(
      `Unsupported tracking URI scheme '${scheme}' in '${resolved}'. Supported: ${[...factories.keys()].map((s) => (s === '' ? '<path>' : `${s}:`)).join(', ')}.`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  return factory(resolved, options);
}

/** Closes every cached store and empties the cache (tests, and clean shutdown of servers). */
export async function closeAllStores(): Promise<void> {
  const pairs = [...cache.values()];
  cache.clear();
  for (const p of pairs) {
    await p.tracking.close();
    if (p.registry && (p.registry as unknown) !== (p.tracking as unknown)) await p.registry.close();
  }
}

/**
 * The artifact root a local store gets by default: `<db dir>/artifacts` for SQLite files (so the
 * default store keeps artifacts in `./lablog/artifacts/`), a per-process temp directory for
 * `:memory:`. Always an absolute `file://` URI.
 */
export function defaultArtifactRootFor(sqlitePath: string): string {
  if (sqlitePath === ':memory:') return fileUriForPath(join(tmpdir(), `lablog-memory-${process.pid}`, 'artifacts'));
  return fileUriForPath(join(dirname(resolvePath(sqlitePath)), 'artifacts'));
}

/** Uses the store as its own registry when it implements one (SqliteStore, FileStore). */
function withRegistry(store: TrackingStore): StorePair {
  const maybe = store as Partial<RegistryStore>;
  return { tracking: store, registry: typeof maybe.createRegisteredModel === 'function' ? (store as unknown as RegistryStore) : null };
}

function sqliteFactory(uri: string, options: OpenStoreOptions): StorePair {
  const path = sqlitePathOf(uri);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return withRegistry(new SqliteStore({ path, defaultArtifactRoot: options.defaultArtifactRoot ?? defaultArtifactRootFor(path) }));
}

function fileFactory(uri: string, options: OpenStoreOptions): StorePair {
  const root = uriScheme(uri) === 'file' ? fileURLToPath(uri) : resolvePath(uri);
  return withRegistry(new FileStore(options.defaultArtifactRoot ? { root, defaultArtifactRoot: options.defaultArtifactRoot } : { root }));
}

/**
 * PostgreSQL (team servers). Artifacts default to `./lablog/artifacts` in the working directory,
 * as MLflow's SQL stores default to `./mlruns`; a server passes its own root (`mlflow-artifacts:/`).
 */
function postgresFactory(uri: string, options: OpenStoreOptions): StorePair {
  const defaultArtifactRoot = options.defaultArtifactRoot ?? fileUriForPath(resolvePath(DEFAULT_STORE_DIR, 'artifacts'));
  return withRegistry(new PostgresStore({ uri, defaultArtifactRoot }));
}

registerStoreScheme('sqlite', sqliteFactory);
registerStoreScheme('file', fileFactory);
registerStoreScheme('', fileFactory);
registerStoreScheme('http', restStoreFactory);
registerStoreScheme('https', restStoreFactory);
registerStoreScheme('postgresql', postgresFactory);
registerStoreScheme('postgres', postgresFactory);
