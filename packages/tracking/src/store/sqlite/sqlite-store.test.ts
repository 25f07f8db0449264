/**
 * SqliteStore behaviour beyond the store contract: schema and migrations, persistence across
 * reopening, connection settings, exact NaN/±Infinity round-trips, atomic batches, block
 * storage of metric history (merging, paging, de-duplication), registry version counters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteStore, setStatisticsSchedule } from './sqlite-store.js';
import { openDriver } from './driver.js';
import { openSchema, schemaVersion, SCHEMA_VERSION, WAL_AUTOCHECKPOINT_PAGES } from './migrations.js';
import { LablogError } from '../../errors.js';
import type { Metric } from '../../entities/metric.js';
import { compareMetricRecency } from '../../entities/metric.js';
import { packFloat64 } from './metric-blocks.js';

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
    expect(d.walAutocheckpoint).toBe(WAL_AUTOCHECKPOINT_PAGES);
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

  it('upgrades a v1 file in place: block timestamp ranges backfilled, history and de-duplication intact', async () => {
    const file = path.join(dir, 'v1.db');
    const runUuid = 'a'.repeat(32);
    const f64 = (xs: number[]) => packFloat64(Float64Array.from(xs));
    const v1 = await openDriver(file, { busyTimeoutMs: 1000 });
    try {
      openSchema(v1, { defaultArtifactRoot: 'file:///x', inMemory: false, upToVersion: 1 });
      expect(schemaVersion(v1)).toBe(1);
      v1.exec(`INSERT INTO runs (id, run_uuid, experiment_id, name, user_id, status, start_time, artifact_uri) VALUES (1, '${runUuid}', 0, 'old', 'u', 'RUNNING', 0, 'file:///x/0/a/artifacts')`);
      v1.exec("INSERT INTO metric_keys (id, key) VALUES (1, 'loss')");
      // three blocks as a v1 writer left them (no timestamp range columns): step 0, 10 ms each
      const ins = v1.prepare('INSERT INTO metric_blocks (run_id, key_id, n, min_step, max_step, steps, timestamps, vals) VALUES (1, 1, ?, 0, 0, ?, ?, ?)');
      for (let b = 0; b < 3; b++) {
        const ts = Array.from({ length: 10 }, (_, i) => T0 + b * 10 + i);
        ins.run(10, f64(ts.map(() => 0)), f64(ts), f64(ts.map((_, i) => b * 10 + i)));
      }
      v1.exec(`INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, ctx_id, last_block, last_block_n) VALUES (1, 1, 0, ${T0 + 29}, 29, NULL, 3, 10)`);
    } finally {
      v1.close();
    }

    const store = open('v1.db');
    expect((await store.diagnostics()).schemaVersion).toBe(SCHEMA_VERSION);
    expect((await store.getMetricHistory(runUuid, 'loss')).items.map((p) => p.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // duplicates of points in the first (not the last) block are dropped; a new value is kept
    await store.logBatch(runUuid, { metrics: [m('loss', 3, 0, T0 + 3), m('loss', 14, 0, T0 + 14), m('loss', 100, 0, T0 + 3)] });
    const values = (await store.getMetricHistory(runUuid, 'loss')).items.map((p) => p.value);
    expect(values).toEqual([...Array.from({ length: 30 }, (_, i) => i), 100]);
    await store.close();

    const check = await openDriver(file, { busyTimeoutMs: 1000 });
    try {
      const ranges = check.prepare('SELECT id, min_ts, max_ts FROM metric_blocks ORDER BY id').values();
      expect(ranges).toEqual([
        [1, T0, T0 + 9], // backfilled from the packed timestamps
        [2, T0 + 10, T0 + 19],
        [3, T0 + 3, T0 + 29], // the new point merged into the small last block widens its range
      ]);
      expect(schemaVersion(check)).toBe(SCHEMA_VERSION);
    } finally {
      check.close();
    }
  });

  it('refreshes planner statistics after a burst of writes, without being closed', async () => {
    const stat1 = async () => {
      const d = await openDriver(path.join(dir, 'lablog.db'), { busyTimeoutMs: 1000 });
      try {
        if (d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").values().length === 0) return [];
        return d.prepare('SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl').values().map((r) => r[0]);
      } finally {
        d.close();
      }
    };
    setStatisticsSchedule(40);
    try {
      const store = open();
      for (let i = 0; i < 39; i++) await newRun(store);
      expect(await stat1()).toEqual([]);
      await newRun(store); // the 40th write
      expect(await stat1()).toContain('runs');
      expect(await stat1()).toContain('tags');
    } finally {
      setStatisticsSchedule(1000);
    }
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

  it('de-duplicates exactly when the step is omitted (step 0) and many points share a millisecond', async () => {
    const store = open();
    const runId = await newRun(store);
    const batches: Metric[][] = [
      // same step+timestamp+value dropped; same step+timestamp, other value kept
      [m('x', 1, 0, T0), m('x', 1, 0, T0), m('x', 0.5, 0, T0), m('x', 2, 0, T0 + 1)],
      // the same everything in a later batch is dropped, also out of order and also for NaN, -0 = 0
      [m('x', 0.5, 0, T0), m('x', 2, 0, T0 + 1), m('x', 0.25, 0, T0), m('x', NaN, 0, T0 + 1), m('x', 0, 0, T0 + 1)],
      [m('x', NaN, 0, T0 + 1), m('x', -0, 0, T0 + 1), m('x', 1, 0, T0), m('x', 1, 5, T0), m('x', 3, 0, T0 + 2)],
    ];
    for (const metrics of batches) await store.logBatch(runId, { metrics });
    const h = (await store.getMetricHistory(runId, 'x')).items.map((p) => [p.step, p.timestamp - T0, p.value]);
    expect(h).toEqual([
      [0, 0, 1],
      [0, 0, 0.5],
      [0, 1, 2],
      [0, 0, 0.25],
      [0, 1, NaN],
      [0, 1, 0],
      [5, 0, 1],
      [0, 2, 3],
    ]);
    expect((await store.getRun(runId)).data.metrics).toEqual([{ key: 'x', value: 1, timestamp: T0, step: 5 }]);
  });

  it('de-duplicates like a reference model over many blocks, repeated steps and out-of-order batches', async () => {
    // Small ranges make many exact duplicates; batch sizes cross the block merge/size limits.
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const store = open();
    const runId = await newRun(store);
    const kept = new Map<string, Metric[]>();
    const seen = new Set<string>();
    let clock = 0;
    for (let b = 0; b < 60; b++) {
      const size = [1, 3, 40, 200, 1000][rand(5)]!;
      const phase = rand(4); // 0: step omitted, in time order; 1: repeated step; 2: replay old points; 3: random
      const metrics: Metric[] = [];
      for (let i = 0; i < size; i++) {
        const key = rand(3) === 0 ? 'y' : 'x';
        if (phase === 0) clock += rand(3) === 0 ? 1 : 0;
        const step = phase === 0 ? 0 : phase === 1 ? 7 : rand(20);
        const ts = phase === 2 ? T0 + rand(clock + 1) : T0 + clock + (phase === 3 ? rand(3) : 0);
        const value = [0, -0, 1, 0.5, NaN, Infinity, rand(50)][rand(7)]!;
        metrics.push(m(key, value, step, ts));
      }
      for (const p of metrics) {
        const id = `${p.key}|${p.step}|${p.timestamp}|${p.value}`;
        if (seen.has(id)) continue;
        seen.add(id);
        kept.set(p.key, [...(kept.get(p.key) ?? []), p]);
      }
      await store.logBatch(runId, { metrics });
    }
    for (const [key, points] of kept) {
      const stored = (await store.getMetricHistory(runId, key)).items;
      expect(stored.map((p) => [p.step, p.timestamp, p.value]), key).toEqual(points.map((p) => [p.step, p.timestamp, p.value]));
    }
    const latest = (await store.getRun(runId)).data.metrics;
    for (const [key, points] of kept) {
      const max = points.reduce((a, p) => (compareMetricRecency(p, a) > 0 ? p : a));
      expect(latest.find((x) => x.key === key)).toEqual({ key, value: max.value, timestamp: max.timestamp, step: max.step });
    }
  });

  it('de-duplicates against points another connection wrote to the same key in between', async () => {
    const a = open();
    const runId = await newRun(a);
    const b = open();
    await a.logBatch(runId, { metrics: [m('x', 1, 0, T0), m('x', 2, 0, T0)] }); // a keeps the last block in memory
    await b.logBatch(runId, { metrics: [m('x', 3, 0, T0), m('x', 0.5, 0, T0)] }); // merged into that block by b
    await a.logBatch(runId, { metrics: [m('x', 3, 0, T0), m('x', 0.5, 0, T0), m('x', 0.25, 0, T0)] });
    await b.logBatch(runId, { metrics: Array.from({ length: 100 }, (_, i) => m('x', 10 + i, 0, T0 + 1)) }); // a new block by b
    await a.logBatch(runId, { metrics: [m('x', 50, 0, T0 + 1), m('x', 1, 0, T0), m('x', 0.125, 0, T0)] });
    const values = (await a.getMetricHistory(runId, 'x')).items.map((p) => p.value);
    expect(values).toEqual([1, 2, 3, 0.5, 0.25, ...Array.from({ length: 100 }, (_, i) => 10 + i), 0.125]);
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
    // The single statement from every possible starting point, and the arms in both join orders,
    // straight on the file: the same ids as the planner's own choice.
    const { buildRunSearchArms, buildRunSearchDriverProbes, buildRunSearchSql, sqliteDialect } = await import('../sql/index.js');
    const { parseRunFilter, parseRunOrderBy } = await import('../../search/index.js');
    const raw = await openDriver(path.join(dir, 'lablog.db'), { busyTimeoutMs: 1000 });
    try {
      const ids = (q: { sql: string; params: (string | number | null)[] }) => raw.prepare(q.sql).values(...q.params).map((r) => r[0]);
      const filters = [...cases.map(([f]) => f), "metrics.y >= 1 and params.p = 'b' and tags.t != 'v1'", "tags.t = 'v3' and metrics.x < 5"];
      for (const f of filters) {
        const q = { experimentIds: [Number(exp)], viewType: 'ACTIVE_ONLY' as const, filter: parseRunFilter(f), orderBy: parseRunOrderBy(['metrics.x DESC', 'params.p ASC']), limit: 1000, offset: 0 };
        const expected = ids(buildRunSearchSql(sqliteDialect, q));
        expect(expected.length, f).toBeGreaterThan(0);
        const reversed = q.filter.map((_, i) => i).reverse();
        for (const { drive } of buildRunSearchDriverProbes(sqliteDialect, q, 2000)) {
          expect(ids(buildRunSearchSql(sqliteDialect, q, { drive })), `${f} from ${drive}`).toEqual(expected);
          expect(ids(buildRunSearchSql(sqliteDialect, q, { drive, filterOrder: reversed })), `${f} from ${drive}, reversed`).toEqual(expected);
        }
        for (const options of [{}, { fixJoinOrder: true }, { fixJoinOrder: true, filterOrder: reversed }]) {
          expect(buildRunSearchArms(sqliteDialect, q, options)!.flatMap((arm) => ids(arm.page(1000, 0))), `${f} arms ${JSON.stringify(options)}`).toEqual(expected);
        }
      }
    } finally {
      raw.close();
    }
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
