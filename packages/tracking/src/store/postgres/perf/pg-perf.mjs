#!/usr/bin/env node
/**
 * Store-level performance check of PostgresStore (no assertions; prints numbers):
 *   ingest  1M points (10 keys × 100k steps) through logBatch(1000), one writer; then 4 writers
 *           on 4 runs at once; vs a raw baseline: the same unnest() insert, 1000 rows per
 *           statement, into a bare table without indexes;
 *   search  100k runs (10 params, 10 metrics, 5 tags, loaded with set-based SQL), filter
 *           `metrics.m1 > 0.5 and params.p1 = 'a'` ordered by `metrics.m2 DESC`, first 100
 *           (p50 over repetitions), with both plans, plus EXPLAIN ANALYZE of the statements.
 *
 *   node packages/tracking/src/store/postgres/perf/pg-perf.mjs [ingest|search ...] [--runs=N] [--uri=postgresql://…] [--explain]
 *
 * Without --uri, a private cluster is started (as the tests do: initdb + pg_ctl, fsync=off and
 * synchronous_commit=off, so absolute numbers are an upper bound for a durable server; plus
 * shared_buffers=1GB, max_wal_size=4GB, closer to a tuned server than the 128MB default). The store's TypeScript source
 * is bundled with esbuild into a temporary folder first.
 */
import { build } from 'esbuild';
import pg from 'pg';
import { rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const picked = args.filter((a) => !a.startsWith('--'));
const want = (n) => picked.length === 0 || picked.includes(n);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const RUNS = Number(opt('runs') ?? 100_000);
const EXPLAIN = args.includes('--explain');

const bundleDir = join(here, '..', '..', '..', '..', '..', '..', 'node_modules', '.cache', `lablog-pg-perf-${process.pid}`);
process.on('exit', () => rmSync(bundleDir, { recursive: true, force: true }));
await build({
  entryPoints: { store: join(here, '..', 'postgres-store.ts'), cluster: join(here, '..', '__tests__', 'pg-cluster.ts'), sql: join(here, '..', '..', 'sql', 'index.ts') },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outdir: bundleDir, // inside the repo, so the bundle resolves pg from node_modules
  outExtension: { '.js': '.mjs' },
  external: ['pg', 'node:*'],
  logLevel: 'error',
});
const load = (name) => import(pathToFileURL(join(bundleDir, `${name}.mjs`)).href);
const { PostgresStore } = await load('store');
const { startPgCluster } = await load('cluster');

const now = () => Number(process.hrtime.bigint()) / 1e6;
let cluster;
let baseUri = opt('uri');
if (!baseUri) {
  cluster = await startPgCluster({ settings: { shared_buffers: '1GB', max_wal_size: '4GB' } });
  baseUri = cluster.uri;
}
let dbSeq = 0;
async function freshDb() {
  if (cluster) return cluster.createDatabase(`perf_${dbSeq++}`);
  return baseUri; // an external server: one database, the caller's
}
const open = (uri, poolSize = 8) => new PostgresStore({ uri, defaultArtifactRoot: 's3://perf/artifacts', validationPolicy: { truncateLongValues: true, warn: () => {} }, poolSize });

const KEYS = 10;
const STEPS = 100_000;
const keys = Array.from({ length: KEYS }, (_, k) => `metric_${k}`);
const points = (step, k) => ({ key: keys[k], value: Math.sin(step * 1e-3 + k), timestamp: 1_700_000_000_000 + step, step });

async function rawBaseline(uri) {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  await c.query('CREATE TABLE IF NOT EXISTS raw_metrics (run_id integer, key text, step bigint, timestamp bigint, value double precision)');
  await c.query('TRUNCATE raw_metrics');
  const t0 = now();
  let k = [], s = [], t = [], v = [];
  for (let step = 0; step < STEPS; step++) {
    for (let j = 0; j < KEYS; j++) {
      const p = points(step, j);
      k.push(p.key); s.push(p.step); t.push(p.timestamp); v.push(p.value);
      if (k.length === 1000) {
        await c.query('INSERT INTO raw_metrics SELECT 1, * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::double precision[])', [k, s, t, v]);
        k = []; s = []; t = []; v = [];
      }
    }
  }
  const ms = now() - t0;
  await c.end();
  return ms;
}

async function ingestOne(store, runId, stepsFrom = 0, steps = STEPS) {
  let batch = [];
  for (let step = stepsFrom; step < stepsFrom + steps; step++) {
    for (let k = 0; k < KEYS; k++) batch.push(points(step, k));
    if (batch.length === 1000) { await store.logBatch(runId, { metrics: batch }); batch = []; }
  }
}

async function ingest() {
  const uri = await freshDb();
  const base = [await rawBaseline(uri), await rawBaseline(uri), await rawBaseline(uri)].sort((a, b) => a - b)[1];
  const store = open(uri);
  const single = [];
  for (let r = 0; r < 3; r++) {
    const { info } = await store.createRun({ experimentId: '0', userId: 'u', startTime: Date.now(), tags: [] });
    const t0 = now();
    await ingestOne(store, info.runId);
    single.push(now() - t0);
    const h = await store.getMetricHistory(info.runId, keys[3]);
    if (h.items.length !== STEPS) throw new Error(`history has ${h.items.length} points`);
  }
  single.sort((a, b) => a - b);
  const ms = single[1];
  const rate = (n, t) => `${((n / t) * 1000 / 1e3).toFixed(0)}k points/s`;
  console.log(`ingest (1 writer, 1000-point batches): ${ms.toFixed(0)} ms for 1M points = ${rate(1e6, ms)}; ${(ms / 1000).toFixed(2)} ms per batch`);
  console.log(`  raw unnest() insert into a bare table: ${base.toFixed(0)} ms = ${rate(1e6, base)}; store/raw ${(base / ms).toFixed(2)}x`);
  // 4 writers (4 runs, as 4 training jobs through one server), 250k points each
  const runIds = [];
  for (let w = 0; w < 4; w++) runIds.push((await store.createRun({ experimentId: '0', userId: 'u', startTime: Date.now(), tags: [] })).info.runId);
  const t0 = now();
  await Promise.all(runIds.map((id) => ingestOne(store, id, 0, STEPS / 4)));
  const par = now() - t0;
  console.log(`ingest (4 concurrent writers, pool 8): ${par.toFixed(0)} ms for 1M points = ${rate(1e6, par)}`);
  // a replayed batch: all duplicates
  const replay = Array.from({ length: 1000 }, (_, i) => points(i, 0));
  const t1 = now();
  for (let r = 0; r < 100; r++) await store.logBatch(runIds[0], { metrics: replay });
  console.log(`replayed 1000-point batch (all duplicates): ${((now() - t1) / 100).toFixed(2)} ms per batch`);
  const sizes = await store['db'].rows(`SELECT pg_size_pretty(pg_total_relation_size('metrics')) AS total, pg_size_pretty(pg_relation_size('metrics')) AS heap, (SELECT count(*) FROM metrics) AS n`);
  console.log(`  metrics table: ${sizes[0].n} rows, ${sizes[0].total} with indexes (heap ${sizes[0].heap})`);
  await store.close();
}

async function seed(uri, runs) {
  const store = open(uri);
  const exp = await store.createExperiment('search');
  await store.close(); // migrated; load the rest set-based
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  const t0 = now();
  await c.query('SELECT setseed(0.42)');
  await c.query(`INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, artifact_uri)
    SELECT md5(i::text), $1, 'run-' || i, 'u', 'FINISHED', 1700000000000 + i, 's3://perf/' || i FROM generate_series(1, $2) i`, [Number(exp), runs]);
  await c.query(`INSERT INTO metric_keys (key) SELECT 'm' || k FROM generate_series(0, 9) k ON CONFLICT DO NOTHING`);
  await c.query(`INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value)
    SELECT r.id, mk.id, 0, 1700000000000, random() FROM runs r CROSS JOIN metric_keys mk WHERE mk.key ~ '^m[0-9]$'`);
  await c.query(`INSERT INTO metrics (run_id, key_id, step, timestamp, value) SELECT run_id, key_id, step, timestamp, value FROM latest_metrics`);
  await c.query(`INSERT INTO params (run_id, key, value)
    SELECT r.id, 'p' || k, (ARRAY['a','b','c','d'])[1 + floor(random() * 4)::int] FROM runs r CROSS JOIN generate_series(0, 9) k`);
  await c.query(`INSERT INTO tags (run_id, key, value)
    SELECT r.id, 't' || k, 'v' || floor(random() * 100)::int FROM runs r CROSS JOIN generate_series(0, 4) k
    UNION ALL SELECT r.id, 'mlflow.runName', r.name FROM runs r`);
  await c.query('VACUUM ANALYZE');
  console.log(`  setup: ${runs} runs in ${(now() - t0).toFixed(0)} ms (set-based SQL)`);
  return { exp, c };
}

async function timeSearch(store, args, reps = 30) {
  const times = [];
  let page;
  for (let r = 0; r < reps; r++) {
    const s = now();
    page = await store.searchRunsPage(args);
    times.push(now() - s);
  }
  times.sort((a, b) => a - b);
  const m1 = page.items.every((run) => run.data.metrics.find((m) => m.key === 'm1').value > 0.5 && run.data.params.find((p) => p.key === 'p1').value === 'a');
  const m2 = page.items.map((run) => run.data.metrics.find((m) => m.key === 'm2').value);
  const sortedOk = args.orderBy.length === 0 || m2.every((v, i) => i === 0 || m2[i - 1] >= v);
  return { p50: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], n: page.items.length, ok: m1 && sortedOk };
}

async function search() {
  const uri = await freshDb();
  const { exp, c } = await seed(uri, RUNS);
  const store = open(uri);
  const args = { experimentIds: [exp], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", orderBy: ['metrics.m2 DESC'], maxResults: 100 };
  const fmt = (r) => `p50 ${r.p50.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}), ${r.n} runs, filter+order ok ${r.ok}`;
  const auto = await timeSearch(store, args);
  console.log(`search (default plan: walk metrics.m2 index): ${fmt(auto)}`);
  const deep = await timeSearch(store, { ...args, pageToken: Buffer.from(JSON.stringify({ offset: 5000 })).toString('base64') }, 10);
  console.log(`search page at offset 5000: ${fmt(deep)}`);
  const ids = await timeSearch(store, { ...args, orderBy: [] });
  console.log(`search (same filter, default order start_time DESC): ${fmt(ids)}`);
  if (EXPLAIN) await explain(c, exp);
  await c.end();
  await store.close();
}

async function explain(c, exp) {
  const { buildRunSearchSql, buildRunSearchArms, postgresDialect } = await load('sql');
  const q = {
    experimentIds: [Number(exp)], viewType: 'ACTIVE_ONLY', limit: 101, offset: 0,
    filter: [{ type: 'metric', key: 'm1', comparator: '>', value: 0.5 }, { type: 'param', key: 'p1', comparator: '=', value: 'a' }],
    orderBy: [{ type: 'metric', key: 'm2', ascending: false }],
  };
  for (const [name, b] of [['single statement (find all, sort)', buildRunSearchSql(postgresDialect, q)], ['first arm (walk index)', buildRunSearchArms(postgresDialect, q)[0].page(101, 0)]]) {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const s = now();
      await c.query(b.sql, b.params);
      times.push(now() - s);
    }
    times.sort((x, y) => x - y);
    const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${b.sql}`, b.params);
    console.log(`\nEXPLAIN ANALYZE — ${name} (ids only: p50 ${times[10].toFixed(2)} ms):\n${r.rows.map((x) => x['QUERY PLAN']).join('\n')}`);
  }
}

try {
  if (want('ingest')) await ingest();
  if (want('search')) await search();
} finally {
  await cluster?.stop();
}
