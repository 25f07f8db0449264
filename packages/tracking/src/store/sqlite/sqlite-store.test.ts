/**
 * SqliteStore behaviour beyond the store contract: schema and migrations, persistence across
 * reopening, connection settings, exact NaN/±Infinity round-trips, atomic batches, block
 * storage of metric history (merging, paging, de-duplication), registry version counters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteStore } from './sqlite-store.js';
import { openDriver } from './driver.js';
import { openSchema, schemaVersion, SCHEMA_VERSION } from './migrations.js';
import { LablogError } from '../../errors.js';
import type { Metric } from '../../entities/metric.js';

const T0 = 1_700_000_000_000;
const quiet = { truncateLongValues: true, warn: () => undefined };
let dir: string;
let stores: SqliteStore[];

function open(file = 'lablog.db'): SqliteStore {
  const s = new SqliteStore({ path: path.join(dir, file), defaultArtifactRoot: 'file:///data/artifacts', validationPolicy: quiet });
  stores.push(s);
  return s;
}
const m = (key: string, value: number, step = 0, timestamp = T0 + step): Metric => ({ key, value, timestamp, step });
async function newRun(store: SqliteStore, experimentId = '0', startTime = T0): Promise<string> {
  return (await store.createRun({ experimentId, userId: 'u', startTime, tags: [] })).info.runId;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lablog-sqlite-store-'));
  stores = [];
});
afterEach(async () => {
  for (const s of stores) await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('schema and connection', () => {
  it('creates parent folders, the default experiment and the schema on first open', async () => {
    const store = new SqliteStore({ path: path.join(dir, 'a', 'b', 'lablog.db'), defaultArtifactRoot: 'file:///data/artifacts/' });
    stores.push(store);
    const e = await store.getExperiment('0');
    expect(e).toMatchObject({ experimentId: '0', name: 'Default', artifactLocation: 'file:///data/artifacts/0', lifecycleStage: 'active' });
    expect(fs.existsSync(path.join(dir, 'a', 'b', 'lablog.db'))).toBe(true);
    expect(await store.createExperiment('one')).toBe('1');
    expect(await store.createExperiment('two')).toBe('2');
  });

  it('uses WAL, foreign keys and a busy timeout of at least 20 s', async () => {
    const d = await open().diagnostics();
    expect(d.journalMode).toBe('wal');
    expect(d.foreignKeys).toBe(true);
    expect(d.busyTimeoutMs).toBeGreaterThanOrEqual(20_000);
    expect(d.schemaVersion).toBe(SCHEMA_VERSION);
    expect(d.driver).toBe(typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' ? 'node:sqlite' : 'better-sqlite3');
  });

  it('applies migrations once: re-running them on a migrated database changes nothing', async () => {
    const file = path.join(dir, 'm.db');
    const driver = await openDriver(file, { busyTimeoutMs: 1000 });
    try {
      openSchema(driver, { defaultArtifactRoot: 'file:///x', inMemory: false });
      openSchema(driver, { defaultArtifactRoot: 'file:///y', inMemory: false });
      expect(schemaVersion(driver)).toBe(SCHEMA_VERSION);
      const rows = driver.prepare('SELECT experiment_id, artifact_location FROM experiments').all();
      expect(rows).toEqual([{ experiment_id: 0, artifact_location: 'file:///x/0' }]);
    } finally {
      driver.close();
    }
  });

  it('keeps everything across close and reopen', async () => {
    const a = open();
    const exp = await a.createExperiment('kept', undefined, [{ key: 'k', value: 'v' }]);
    const runId = await newRun(a, exp);
    await a.logBatch(runId, { metrics: [m('loss', 0.5, 0), m('loss', 0.25, 1)], params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 't', value: 'x' }] });
    await a.createRegisteredModel('model');
    await a.createModelVersion({ name: 'model', source: 's3://b/m' });
    await a.close();

    const b = open();
    expect((await b.getExperiment(exp)).tags).toEqual([{ key: 'k', value: 'v' }]);
    const run = await b.getRun(runId);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.25, timestamp: T0 + 1, step: 1 }]);
    expect((await b.getMetricHistory(runId, 'loss')).items.map((p) => p.value)).toEqual([0.5, 0.25]);
    expect((await b.getModelVersion('model', '1')).source).toBe('s3://b/m');
    expect(await b.createExperiment('next')).toBe('2');
  });

  it('works on :memory:', async () => {
    const s = new SqliteStore({ path: ':memory:', defaultArtifactRoot: 'mlflow-artifacts:' });
    stores.push(s);
    expect((await s.getExperiment('0')).artifactLocation).toBe('mlflow-artifacts:/0');
    expect((await s.diagnostics()).journalMode).toBe('memory');
  });
});

describe('non-finite values', () => {
  it('round-trips NaN, +Infinity and -Infinity exactly (MLflow clamps ±Inf to ±1.8e308)', async () => {
    const store = open();
    const runId = await newRun(store);
    await store.logBatch(runId, { metrics: [m('nan', NaN), m('pinf', Infinity), m('ninf', -Infinity), m('tiny', 5e-324), m('neg0', -0)] });
    const hist = async (k: string) => (await store.getMetricHistory(runId, k)).items[0]!.value;
    expect(await hist('nan')).toBeNaN();
    expect(await hist('pinf')).toBe(Infinity);
    expect(await hist('ninf')).toBe(-Infinity);
    expect(await hist('tiny')).toBe(5e-324);
    const latest = Object.fromEntries((await store.getRun(runId)).data.metrics.map((x) => [x.key, x.value]));
    expect(latest.nan).toBeNaN();
    expect(latest.pinf).toBe(Infinity);
    expect(latest.ninf).toBe(-Infinity);
  });

  it('sorts NaN after numbers and missing values last, in both directions', async () => {
    const store = open();
    const ids: Record<string, string> = {};
    for (const [name, v] of [['one', 1], ['nan', NaN], ['inf', Infinity], ['ninf', -Infinity], ['missing', undefined]] as const) {
      ids[name] = await newRun(store);
      if (v !== undefined) await store.logBatch(ids[name]!, { metrics: [m('x', v)] });
    }
    const order = async (dir: string) =>
      (await store.searchRunsPage({ experimentIds: ['0'], orderBy: [`metrics.x ${dir}`] })).items.map((r) => Object.keys(ids).find((k) => ids[k] === r.info.runId));
    expect(await order('ASC')).toEqual(['ninf', 'one', 'inf', 'nan', 'missing']);
    expect(await order('DESC')).toEqual(['inf', 'one', 'ninf', 'nan', 'missing']);
    const ids2 = async (filter: string) => (await store.searchRunsPage({ experimentIds: ['0'], filter })).items.length;
    expect(await ids2('metrics.x > 0')).toBe(2); // one, inf
    expect(await ids2('metrics.x != 1')).toBe(3); // nan, inf, ninf (missing never matches)
  });
});

describe('logBatch', () => {
  it('writes nothing when a param conflict is found mid-batch', async () => {
    const store = open();
    const runId = await newRun(store);
    await store.logBatch(runId, { metrics: [m('loss', 1, 0)], params: [{ key: 'b', value: 'old' }] });
    const before = await store.getRun(runId);
    const attempt = store.logBatch(runId, {
      metrics: [m('loss', 0.5, 1), m('new', 3, 0)],
      params: [{ key: 'a', value: '1' }, { key: 'b', value: 'new' }, { key: 'c', value: '3' }],
      tags: [{ key: 'mlflow.runName', value: 'renamed' }, { key: 't', value: 'x' }],
    });
    await expect(attempt).rejects.toSatisfy((e: unknown) => LablogError.is(e) && e.errorCode === 'INVALID_PARAMETER_VALUE' && /Changing param values/.test(e.message));
    const after = await store.getRun(runId);
    expect(after).toEqual(before);
    expect((await store.getMetricHistory(runId, 'loss')).items).toHaveLength(1);
    expect((await store.getMetricHistory(runId, 'new')).items).toHaveLength(0);
    // metric keys created by the failed batch are usable afterwards
    await store.logBatch(runId, { metrics: [m('new', 4, 0)] });
    expect((await store.getMetricHistory(runId, 'new')).items.map((p) => p.value)).toEqual([4]);
  });

  it('keeps logged order across many small writes (merged blocks) and big ones', async () => {
    const store = open();
    const runId = await newRun(store);
    const expected: number[] = [];
    for (let i = 0; i < 150; i++) {
      await store.logBatch(runId, { metrics: [m('x', i, 1000 - i)] }); // steps decreasing: logged order ≠ step order
      expected.push(i);
    }
    await store.logBatch(runId, { metrics: Array.from({ length: 1000 }, (_, i) => m('x', 150 + i, 2000 + i)) });
    for (let i = 0; i < 1000; i++) expected.push(150 + i);
    const all = (await store.getMetricHistory(runId, 'x')).items.map((p) => p.value);
    expect(all).toEqual(expected);
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await store.getMetricHistory(runId, 'x', token ? { maxResults: 97, pageToken: token } : { maxResults: 97 });
      pages.push(...page.items.map((p) => p.value));
      token = page.nextPageToken;
    } while (token);
    expect(pages).toEqual(expected);
    expect((await store.getRun(runId)).data.metrics[0]).toMatchObject({ value: 1149, step: 2999 });
  });

  it('drops exact duplicates of stored points, also when they arrive out of order', async () => {
    const store = open();
    const runId = await newRun(store);
    await store.logBatch(runId, { metrics: [m('x', 1, 0), m('x', 2, 1), m('x', 3, 2)] });
    await store.logBatch(runId, { metrics: [m('x', 2, 1), m('x', 2, 1), m('x', 9, 1), m('x', 3, 2), m('x', 4, 3)] });
    const h = (await store.getMetricHistory(runId, 'x')).items.map((p) => [p.step, p.value]);
    expect(h).toEqual([[0, 1], [1, 2], [2, 3], [1, 9], [3, 4]]);
  });

  it('keeps dataset and model context of points', async () => {
    const store = open();
    const runId = await newRun(store);
    await store.logBatch(runId, { metrics: [{ ...m('x', 1), datasetName: 'train', datasetDigest: 'abcd', modelId: 'm-1' }, m('x', 2, 1)] });
    const h = (await store.getMetricHistory(runId, 'x')).items;
    expect(h[0]).toMatchObject({ datasetName: 'train', datasetDigest: 'abcd', modelId: 'm-1' });
    expect(h[1]!.datasetName).toBeUndefined();
  });
});

describe('registry', () => {
  it('never reuses a version number, even after deleting the highest', async () => {
    const store = open();
    await store.createRegisteredModel('m');
    for (let i = 0; i < 3; i++) await store.createModelVersion({ name: 'm', source: `s3://b/${i}` });
    await store.deleteModelVersion('m', '3');
    expect((await store.createModelVersion({ name: 'm', source: 's3://b/x' })).version).toBe('4');
  });
});

describe('runs search plans', () => {
  it('walking the order index gives the same pages as filter-then-sort', async () => {
    const { setRunSearchPlanThreshold } = await import('./search.js');
    const store = open();
    const exp = await store.createExperiment('plans');
    for (let i = 0; i < 30; i++) {
      const runId = await newRun(store, exp, T0 + (i % 7)); // start_time ties, broken by run id
      const metrics: Metric[] = [];
      if (i % 5 !== 0) metrics.push(m('x', i % 4 === 0 ? NaN : (i * 7) % 11));
      metrics.push(m('y', i % 3));
      const params = i % 6 === 0 ? [] : [{ key: 'p', value: String.fromCharCode(97 + (i % 4)) }];
      await store.logBatch(runId, { metrics, params, tags: [{ key: 't', value: `v${i % 5}` }] });
    }
    const cases: [string, string[]][] = [
      ['', ['metrics.x DESC']],
      ['', ['metrics.x ASC', 'params.p DESC']],
      ['metrics.y >= 1', ['metrics.x DESC']],
      ["params.p != 'b'", ['params.p ASC', 'metrics.x DESC']],
      ["tags.t LIKE 'v%'", ['tags.t DESC']],
      ['metrics.y = 0', ['params.p DESC']],
    ];
    const all = async (filter: string, orderBy: string[], pageSize: number) => {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.searchRunsPage({ experimentIds: [exp], filter, orderBy, maxResults: pageSize, ...(token ? { pageToken: token } : {}) });
        ids.push(...page.items.map((r) => r.info.runId));
        token = page.nextPageToken;
      } while (token);
      return ids;
    };
    try {
      for (const [filter, orderBy] of cases) {
        setRunSearchPlanThreshold(Infinity);
        const expected = await all(filter, orderBy, 1000);
        setRunSearchPlanThreshold(0);
        for (const size of [1, 4, 7, 1000]) expect(await all(filter, orderBy, size), `${filter} / ${orderBy.join(', ')} / ${size}`).toEqual(expected);
      }
    } finally {
      setRunSearchPlanThreshold(2000);
    }
  });
});
