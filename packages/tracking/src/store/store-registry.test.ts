import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { closeAllStores, createStore, defaultArtifactRootFor, registerStoreScheme } from './store-registry.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { RestStore } from './rest/index.js';
import { FileStore } from './file/file-store.js';
import { getTrackingUri, setTrackingUri, sqlitePathOf } from '../tracking-uri.js';
import { tempDir } from '../__tests__/tracking-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
const savedCwd = process.cwd();

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('lablog-registry-'));
  delete process.env.MLFLOW_TRACKING_URI;
});
afterEach(async () => {
  process.chdir(savedCwd);
  setTrackingUri(undefined);
  delete process.env.MLFLOW_TRACKING_URI;
  await closeAllStores();
  await cleanup();
});

describe('tracking URI', () => {
  it('defaults to ./lablog/lablog.db, created on first use with artifacts in ./lablog/artifacts', async () => {
    process.chdir(dir);
    const uri = getTrackingUri();
    expect(uri).toBe(`sqlite:///${join(process.cwd(), 'lablog', 'lablog.db')}`);
    const { tracking, registry } = createStore();
    expect(tracking).toBeInstanceOf(SqliteStore);
    expect(registry).toBe(tracking);
    const exp = await tracking.getExperiment('0');
    expect(exp.artifactLocation.startsWith(`file://${join(process.cwd(), 'lablog', 'artifacts')}`)).toBe(true);
    expect(existsSync(join(dir, 'lablog', 'lablog.db'))).toBe(true);
  });

  it('prefers setTrackingUri over MLFLOW_TRACKING_URI, which beats the default', () => {
    process.env.MLFLOW_TRACKING_URI = join(dir, 'env-runs');
    expect(getTrackingUri()).toBe(join(dir, 'env-runs'));
    setTrackingUri(`sqlite:///${join(dir, 'x.db')}`);
    expect(getTrackingUri()).toBe(`sqlite:///${join(dir, 'x.db')}`);
    setTrackingUri(undefined);
    expect(getTrackingUri()).toBe(join(dir, 'env-runs'));
  });

  it('parses sqlite URIs as SQLAlchemy does', () => {
    expect(sqlitePathOf('sqlite:///rel.db')).toBe('rel.db');
    expect(sqlitePathOf('sqlite:////abs/x.db')).toBe('/abs/x.db');
    expect(sqlitePathOf('sqlite:///:memory:')).toBe(':memory:');
    process.chdir(dir);
    setTrackingUri('sqlite:///rel.db');
    expect(getTrackingUri()).toBe(`sqlite:///${join(process.cwd(), 'rel.db')}`);
  });
});

describe('createStore', () => {
  it('caches one store per resolved URI', () => {
    process.chdir(dir);
    const a = createStore('sqlite:///a.db');
    expect(createStore(`sqlite:///${join(process.cwd(), 'a.db')}`)).toBe(a);
    expect(createStore('sqlite:///b.db')).not.toBe(a);
  });

  it('opens an in-memory SQLite store', async () => {
    const { tracking } = createStore('sqlite:///:memory:');
    expect(tracking).toBeInstanceOf(SqliteStore);
    expect((await tracking.getExperiment('0')).name).toBe('Default');
    expect(defaultArtifactRootFor(':memory:')).toMatch(/^file:\/\//);
  });

  it('opens a FileStore for file: URIs and bare paths', () => {
    expect(createStore(join(dir, 'mlruns')).tracking).toBeInstanceOf(FileStore);
    expect(createStore(`file://${join(dir, 'other')}`).tracking).toBeInstanceOf(FileStore);
  });

  it('opens a RestStore for http(s) URIs and refuses unknown schemes', () => {
    const pair = createStore('http://localhost:5999');
    expect(pair.tracking).toBeInstanceOf(RestStore);
    expect(pair.registry).toBe(pair.tracking);
    expect(() => createStore('nope://x')).toThrow(expect.objectContaining({ errorCode: 'INVALID_PARAMETER_VALUE' }));
  });

  it('lets a package register a scheme', () => {
    const fake = createStore('sqlite:///:memory:');
    registerStoreScheme('lablog-test', () => fake);
    expect(createStore('lablog-test://anything')).toBe(fake);
  });
});
