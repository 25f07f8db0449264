/**
 * PostgresStore behaviour beyond the store contract: migrations (idempotent, and safe when many
 * processes open a fresh database at once), exact NaN/±Infinity round trips, atomic batches,
 * and several stores (separate pools, as separate server processes) writing one run at once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PostgresStore } from './postgres-store.js';
import { Db } from './db.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from './migrations.js';
import { setPostgresRunSearchPlanThreshold } from './search.js';
import { LablogError } from '../../errors.js';
import type { Metric } from '../../entities/metric.js';
import { postgresTestMode, startPgCluster, type PgCluster } from './__tests__/pg-cluster.js';

const T0 = 1_700_000_000_000;
const ROOT = 's3://bucket/artifacts';
const quiet = { truncateLongValues: true, warn: () => undefined };
const m = (key: string, value: number, step = 0, timestamp = T0 + step): Metric => ({ key, value, timestamp, step });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const mode = postgresTestMode();
if (!mode.run) console.warn(`[postgres-store.test] ${mode.reason}`);

describe.skipIf(!mode.run)('PostgresStore', () => {
  let cluster: PgCluster;
  let stores: PostgresStore[] = [];

  beforeAll(async () => {
    cluster = await startPgCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  function open(uri: string, poolSize = 4): PostgresStore {
    const s = new PostgresStore({ uri, defaultArtifactRoot: ROOT, validationPolicy: quiet, poolSize });
    stores.push(s);
    return s;
  }
  async function sql<R extends pg.QueryResultRow>(uri: string, text: string, values: unknown[] = []): Promise<R[]> {
    const c = new pg.Client({ connectionString: uri });
    await c.connect();
    try {
      return (await c.query<R>(text, values)).rows;
    } finally {
      await c.end();
    }
  }
  async function newRun(store: PostgresStore): Promise<string> {
    return (await store.createRun({ experimentId: '0', userId: 'u', startTime: T0, tags: [] })).info.runId;
  }
  async function history(store: PostgresStore, runId: string, key: string): Promise<Metric[]> {
    return (await store.getMetricHistory(runId, key)).items;
  }

  describe('schema and migrations', () => {
    it('migrates a fresh database once; running the migrations again changes nothing', async () => {
      const uri = await cluster.createDatabase();
      const db = new Db({ uri });
      try {
        expect(await schemaVersion(db)).toBe(0);
        await migrate(db, 'file:///x');
        await migrate(db, 'file:///y');
        expect(await schemaVersion(db)).toBe(SCHEMA_VERSION);
        expect(await db.rows('SELECT experiment_id, name, artifact_location FROM experiments')).toEqual([
          { experiment_id: 0, name: 'Default', artifact_location: 'file:///x/0' },
        ]);
      } finally {
        await db.close();
      }
      const store = open(uri);
      expect((await store.diagnostics()).schemaVersion).toBe(SCHEMA_VERSION);
      expect(await store.createExperiment('one')).toBe('1');
    });

    it('8 stores opening one fresh database at once: no error, one schema, one default experiment', async () => {
      const uri = await cluster.createDatabase();
      const many = range(8).map(() => open(uri, 2));
      const results = await Promise.allSettled(many.map((s, i) => (i % 2 ? s.getExperiment('0') : s.createExperiment(`e${i}`))));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await sql(uri, 'SELECT version FROM lablog_schema_migrations')).toEqual([{ version: SCHEMA_VERSION }]);
      expect(await sql(uri, "SELECT experiment_id FROM experiments WHERE name = 'Default'")).toEqual([{ experiment_id: 0 }]);
      const ids = (await sql<{ experiment_id: number }>(uri, 'SELECT experiment_id FROM experiments WHERE experiment_id > 0 ORDER BY 1')).map((r) => r.experiment_id);
      expect(ids).toEqual([1, 2, 3, 4]);
      const tables = await sql<{ n: string }>(uri, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = 'metrics'");
      expect(Number(tables[0]!.n)).toBe(1);
    });

    it('accepts postgres:// and postgresql+psycopg2:// URIs', async () => {
      const uri = await cluster.createDatabase();
      for (const u of [uri.replace('postgresql://', 'postgres://'), uri.replace('postgresql://', 'postgresql+psycopg2://')]) {
        expect((await open(u).getExperiment('0')).name).toBe('Default');
      }
    });

    it('close() ends the pool; later calls fail', async () => {
      const store = open(await cluster.createDatabase());
      await store.getExperiment('0');
      await store.close();
      await store.close();
      await expect(store.getExperiment('0')).rejects.toThrow(/closed/);
    });
  });

  describe('values', () => {
    it('round-trips NaN, ±Infinity and extreme doubles exactly, in history and latest values', async () => {
      const store = open(await cluster.createDatabase());
      const runId = await newRun(store);
      const values = [NaN, Infinity, -Infinity, 0.1, 1e-300, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1 / 3];
      await store.logBatch(runId, { metrics: values.map((v, i) => m(`k${i}`, v)).concat(values.map((v, i) => m('all', v, i))) });
      const got = (await history(store, runId, 'all')).map((p) => p.value);
      expect(got).toEqual(values); // toEqual treats NaN as equal to NaN
      const latest = new Map((await store.getRun(runId)).data.metrics.map((p) => [p.key, p.value]));
      values.forEach((v, i) => expect(latest.get(`k${i}`)).toEqual(v));
      expect(latest.get('all')).toEqual(1 / 3); // the greatest step
    });

    it('a NaN is the latest value over a number at the same step and timestamp, and sorts after numbers in search', async () => {
      const store = open(await cluster.createDatabase());
      const a = await newRun(store);
      const b = await newRun(store);
      await store.logBatch(a, { metrics: [m('x', 5), m('x', NaN)] });
      await store.logBatch(b, { metrics: [m('x', 1)] });
      expect(Number.isNaN((await store.getRun(a)).data.metrics[0]!.value)).toBe(true);
      for (const dir of ['ASC', 'DESC']) {
        const page = await store.searchRunsPage({ experimentIds: ['0'], orderBy: [`metrics.x ${dir}`] });
        expect(page.items.map((r) => r.info.runId)).toEqual([b, a]);
      }
    });
  });

  describe('search plans', () => {
    afterEach(() => setPostgresRunSearchPlanThreshold(2000));

    it('walking the order index (arms) and "find all, then sort" give the same pages', async () => {
      const store = open(await cluster.createDatabase());
      const exp = await store.createExperiment('plans');
      for (let i = 0; i < 60; i++) {
        const runId = (await store.createRun({ experimentId: exp, userId: 'u', startTime: T0 + (i % 7), tags: [] })).info.runId;
        const metrics = i % 5 === 0 ? [] : [m('m2', i % 9 === 0 ? NaN : (i * 37) % 11), m('m1', (i % 10) / 10)];
        await store.logBatch(runId, { metrics, params: i % 4 === 0 ? [] : [{ key: 'p1', value: i % 3 ? 'a' : 'b' }] });
      }
      const searches = [
        { filter: "metrics.m1 > 0.2 and params.p1 = 'a'", orderBy: ['metrics.m2 DESC'] },
        { filter: '', orderBy: ['metrics.m2 ASC', 'start_time DESC'] },
        { filter: "params.p1 != 'b'", orderBy: ['params.p1 DESC', 'metrics.m1 ASC'] },
      ];
      for (const s of searches) {
        const pages = async (threshold: number) => {
          setPostgresRunSearchPlanThreshold(threshold);
          const ids: string[][] = [];
          let pageToken: string | undefined;
          do {
            const page = await store.searchRunsPage({ experimentIds: [exp], ...s, maxResults: 7, ...(pageToken ? { pageToken } : {}) });
            ids.push(page.items.map((r) => r.info.runId));
            pageToken = page.nextPageToken;
          } while (pageToken);
          return ids;
        };
        const sorted = await pages(Infinity);
        expect(sorted.flat().length).toBeGreaterThan(5);
        expect(await pages(0)).toEqual(sorted);
      }
    });
  });

  describe('atomic batches', () => {
    it('a batch failing on a changed param writes none of its metrics, params or tags', async () => {
      const store = open(await cluster.createDatabase());
      const runId = await newRun(store);
      await store.logBatch(runId, { params: [{ key: 'lr', value: '1' }] });
      await expect(
        store.logBatch(runId, { metrics: range(500).map((i) => m('loss', i, i)), params: [{ key: 'a', value: 'x' }, { key: 'lr', value: '2' }], tags: [{ key: 't', value: 'v' }] }),
      ).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
      const run = await store.getRun(runId);
      expect(run.data.metrics).toEqual([]);
      expect(run.data.params).toEqual([{ key: 'lr', value: '1' }]);
      expect(run.data.tags.find((t) => t.key === 't')).toBeUndefined();
      expect(await history(store, runId, 'loss')).toEqual([]);
    });

    it('replaying a batch stores nothing new: one copy of every point, param and tag', async () => {
      const store = open(await cluster.createDatabase());
      const runId = await newRun(store);
      const batch = { metrics: range(996).map((i) => m(`k${i % 4}`, Math.sin(i), i)), params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'v' }] };
      await store.logBatch(runId, batch);
      await store.logBatch(runId, batch);
      for (let k = 0; k < 4; k++) expect(await history(store, runId, `k${k}`)).toHaveLength(249);
      const run = await store.getRun(runId);
      expect(run.data.params).toEqual([{ key: 'p', value: 'v' }]);
      expect(run.data.tags.filter((t) => t.key === 't')).toHaveLength(1);
    });
  });

  describe('two server processes (two pools) on one run', () => {
    it('interleaved concurrent batches: every point present exactly once, latest is the max', async () => {
      const uri = await cluster.createDatabase();
      const [a, b] = [open(uri, 4), open(uri, 4)];
      const runId = await newRun(a);
      const batches = range(40).map((j) => ({ metrics: range(100).map((i) => m(`k${i % 5}`, j * 100 + i, j * 100 + i)), tags: [{ key: `t${j}`, value: String(j) }] }));
      await Promise.all(batches.map((batch, j) => (j % 2 ? a : b).logBatch(runId, batch)));
      for (let k = 0; k < 5; k++) {
        const steps = (await history(b, runId, `k${k}`)).map((p) => p.step).sort((x, y) => x - y);
        expect(steps).toEqual(range(800).map((i) => i * 5 + k));
      }
      const run = await a.getRun(runId);
      expect(run.data.metrics.map((p) => [p.key, p.step]).sort()).toEqual(range(5).map((k) => [`k${k}`, 3995 + k]).sort());
      expect(run.data.tags.filter((t) => /^t\d+$/.test(t.key))).toHaveLength(40);
    });

    it('the same batches replayed by both stores at once: one copy of each point (deadlocks retried)', async () => {
      const uri = await cluster.createDatabase();
      const [a, b] = [open(uri, 4), open(uri, 4)];
      const runId = await newRun(a);
      const batches = range(10).map((j) => ({ metrics: range(200).map((i) => m(`k${i % 3}`, i + j, j * 200 + i)), params: [{ key: `p${j}`, value: 'same' }] }));
      await Promise.all([...batches.map((x) => a.logBatch(runId, x)), ...[...batches].reverse().map((x) => b.logBatch(runId, x))]);
      const total = (await Promise.all(range(3).map((k) => history(a, runId, `k${k}`)))).reduce((n, h) => n + h.length, 0);
      expect(total).toBe(2000);
      expect((await b.getRun(runId)).data.params).toHaveLength(10);
    });

    it('a conflicting param from the second store is rejected, whoever commits first', async () => {
      const uri = await cluster.createDatabase();
      const [a, b] = [open(uri, 4), open(uri, 4)];
      for (let i = 0; i < 10; i++) {
        const runId = await newRun(a);
        const results = await Promise.allSettled([
          a.logBatch(runId, { metrics: [m('from_a', 1)], params: [{ key: 'k', value: 'a' }] }),
          b.logBatch(runId, { metrics: [m('from_b', 1)], params: [{ key: 'k', value: 'b' }] }),
        ]);
        const ok = results.filter((r) => r.status === 'fulfilled');
        expect(ok).toHaveLength(1);
        const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(LablogError.is(failed.reason) && failed.reason.errorCode).toBe('INVALID_PARAMETER_VALUE');
        const winner = results[0]!.status === 'fulfilled' ? 'a' : 'b';
        const run = await b.getRun(runId);
        expect(run.data.params).toEqual([{ key: 'k', value: winner }]);
        expect(run.data.metrics.map((p) => p.key)).toEqual([`from_${winner}`]);
      }
      const runId = await newRun(a);
      await a.logBatch(runId, { params: [{ key: 'k', value: 'a' }] });
      await expect(b.logBatch(runId, { params: [{ key: 'k', value: 'b' }] })).rejects.toThrow(/Changing param values is not allowed/);
      await b.logBatch(runId, { params: [{ key: 'k', value: 'a' }] }); // the same value is fine
    });

    it('concurrent model versions from two stores get distinct numbers, never reused', async () => {
      const uri = await cluster.createDatabase();
      const [a, b] = [open(uri, 4), open(uri, 4)];
      await a.createRegisteredModel('m');
      const made = await Promise.all(range(20).map((i) => (i % 2 ? a : b).createModelVersion({ name: 'm', source: `s3://b/${i}` })));
      expect(made.map((v) => Number(v.version)).sort((x, y) => x - y)).toEqual(range(20).map((i) => i + 1));
      await a.deleteModelVersion('m', '20');
      expect((await b.createModelVersion({ name: 'm', source: 's3://b/x' })).version).toBe('21');
    });
  });
});
