#!/usr/bin/env node
/**
 * search: one search over 100,000 runs in a SqliteStore.
 *
 * Data: 100k runs (10k with --quick) in one experiment, each with params p0..p9 (p1 drawn from
 * 'a'..'e'), metrics m0..m9 uniform in [0, 1) and tags t0..t4, written with the store's
 * `createRun` + `logBatch` (the creation time is reported, not part of the ratio).
 *
 * Query "issue": `metrics.m1 > 0.5 and params.p1 = 'a'` ordered by `metrics.m2 DESC`, first
 * 100 (`searchRunsPage`, maxResults 100), repeated; p50 and p99. Query "selective":
 * `params.p0 = 'v7' and metrics.m1 > 0.5`, same order — ~0.05% of runs match, which exercises
 * the store's other plan (find the matches, then sort) and guards it against regressions.
 *
 * Baseline, same process, same data: the same logical query in hand-written SQL over a
 * purpose-built wide table (one row per run, one column per param/metric/tag, indexes on
 * (p1, m2) and (p0)), returning whole rows. Both must return the expected run ids (computed in
 * JS from the generated data) in the same order.
 *
 * Target (issue): p50 ≤ 20 ms for "issue", and for "selective" on the never-closed database.
 *
 *   node bench/search.mjs [--quick]
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteStore } from '@lablog/tracking';
import {
  QUICK, nowNs, summarize, makeTmp, fmt, heading, report, fail, environment, dbBytes, prng,
} from './_common.mjs';

const RUNS = QUICK ? 10_000 : 100_000;
const REPS = QUICK ? 30 : 50;
const WARMUP = 5;
const TARGET_MS = 20;
const FILTER = "metrics.m1 > 0.5 and params.p1 = 'a'";
const ORDER_BY = ['metrics.m2 DESC'];
const LIMIT = 100;

const rand = prng(42);
const P1_VALUES = ['a', 'b', 'c', 'd', 'e'];
const PKEYS = Array.from({ length: 10 }, (_, i) => `p${i}`);
const MKEYS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const TKEYS = Array.from({ length: 5 }, (_, i) => `t${i}`);

console.log(`search: ${fmt(RUNS)} runs × (10 params, 10 metrics, 5 tags); ${REPS} timed queries; ${environment()}`);

const tmp = makeTmp('search');
const storePath = join(tmp, 'store.db');
const store = new SqliteStore({ path: storePath, defaultArtifactRoot: join(tmp, 'artifacts') });

// ---- populate the store ----------------------------------------------------------------
heading('populate');
const experimentId = await store.createExperiment('search-bench');
const rows = []; // what the baseline table gets: the same values, with the store's run ids
const t0 = nowNs();
const startBase = Date.now() - RUNS * 1000;
for (let i = 0; i < RUNS; i++) {
  const params = PKEYS.map((key, j) => ({ key, value: j === 1 ? P1_VALUES[Math.floor(rand() * 5)] : `v${Math.floor(rand() * 1000)}` }));
  const ts = startBase + i * 1000;
  const metrics = MKEYS.map((key) => ({ key, value: rand(), timestamp: ts, step: 0 }));
  const tags = TKEYS.map((key, j) => ({ key, value: `tag${j}-${i % 7}` }));
  const run = await store.createRun({ experimentId, userId: 'bench', startTime: ts, tags: [], runName: `run-${i}` });
  const runId = run.info.runId;
  await store.logBatch(runId, { metrics, params, tags });
  rows.push({ runId, params, metrics, tags });
  if (!QUICK && (i + 1) % 20_000 === 0) console.log(`  ${fmt(i + 1)} runs, ${fmt((nowNs() - t0) / 1e9, 1)} s`);
}
const createS = (nowNs() - t0) / 1e9;
console.log(`store: created ${fmt(RUNS)} runs (createRun + logBatch each) in ${fmt(createS, 1)} s = ${fmt(RUNS / createS)} runs/s; ${fmt(dbBytes(storePath) / 1e6, 1)} MB`);

// ---- baseline wide table ---------------------------------------------------------------
const rawPath = join(tmp, 'wide.db');
const raw = new Database(rawPath);
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = NORMAL');
raw.pragma('wal_autocheckpoint = 10000'); // the store's WAL_AUTOCHECKPOINT_PAGES
const cols = ['run_id TEXT PRIMARY KEY', ...PKEYS.map((k) => `${k} TEXT`), ...MKEYS.map((k) => `${k} REAL`), ...TKEYS.map((k) => `${k} TEXT`)];
raw.exec(`CREATE TABLE runs (${cols.join(', ')})`);
const tw = nowNs();
const insWide = raw.prepare(`INSERT INTO runs VALUES (${Array(1 + 10 + 10 + 5).fill('?').join(', ')})`);
raw.transaction(() => {
  for (const r of rows) insWide.run(r.runId, ...r.params.map((p) => p.value), ...r.metrics.map((m) => m.value), ...r.tags.map((t) => t.value));
})();
raw.exec('CREATE INDEX runs_p1_m2 ON runs (p1, m2)');
raw.exec('CREATE INDEX runs_p0 ON runs (p0)');
raw.exec('ANALYZE');
console.log(`baseline: wide table + indexes (p1, m2), (p0) built in ${fmt((nowNs() - tw) / 1e6, 0)} ms`);

/**
 * The queries. "issue" is the one the target is about: its filter matches ~10% of the runs, so
 * the store should walk the order index and stop early. "selective" matches ~0.05% (p0 has 1000
 * values), so the store should find the few matches first and sort them: the other plan.
 */
const QUERIES = [
  {
    name: 'issue',
    filter: FILTER,
    orderBy: ORDER_BY,
    sql: `SELECT * FROM runs WHERE p1 = ? AND m1 > ? ORDER BY m2 DESC LIMIT ${LIMIT}`,
    args: ['a', 0.5],
    match: (r) => r.params[1].value === 'a' && r.metrics[1].value > 0.5,
    target: TARGET_MS,
  },
  {
    name: 'selective',
    filter: "params.p0 = 'v7' and metrics.m1 > 0.5",
    orderBy: ORDER_BY,
    sql: `SELECT * FROM runs WHERE p0 = ? AND m1 > ? ORDER BY m2 DESC LIMIT ${LIMIT}`,
    args: ['v7', 0.5],
    match: (r) => r.params[0].value === 'v7' && r.metrics[1].value > 0.5,
    target: TARGET_MS,
  },
];

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const results = [];
for (const Q of QUERIES) {
  heading(`query "${Q.name}": ${Q.filter} ORDER BY ${Q.orderBy.join(', ')} LIMIT ${LIMIT}`);
  const baseStmt = raw.prepare(Q.sql);
  console.log(`baseline SQL: ${Q.sql}`);
  console.log(`baseline plan: ${raw.prepare(`EXPLAIN QUERY PLAN ${Q.sql}`).all(...Q.args).map((r) => r.detail).join(' | ')}`);
  // Expected answer, computed in JS from the generated data.
  const matching = rows.filter(Q.match);
  const expected = matching
    .slice()
    .sort((x, y) => y.metrics[2].value - x.metrics[2].value)
    .slice(0, LIMIT)
    .map((r) => r.runId);
  console.log(`matching runs: ${fmt(matching.length)} of ${fmt(RUNS)}`);

  const storeQuery = () =>
    store.searchRunsPage({ experimentIds: [experimentId], filter: Q.filter, orderBy: Q.orderBy, maxResults: LIMIT });
  const baseQuery = () => baseStmt.all(...Q.args);

  for (let i = 0; i < WARMUP; i++) {
    await storeQuery();
    baseQuery();
  }
  const storeMs = [];
  const baseMs = [];
  let storeIds = [];
  let baseIds = [];
  for (let i = 0; i < REPS; i++) {
    // Interleaved, so machine noise falls on both alike.
    let t = nowNs();
    const page = await storeQuery();
    storeMs.push((nowNs() - t) / 1e6);
    t = nowNs();
    const b = baseQuery();
    baseMs.push((nowNs() - t) / 1e6);
    if (i === REPS - 1) {
      storeIds = page.items.map((r) => r.info.runId);
      baseIds = b.map((r) => r.run_id);
      const sample = page.items[0];
      console.log(`store page: ${page.items.length} runs (first has ${sample?.data?.params?.length ?? '?'} params, ${sample?.data?.metrics?.length ?? '?'} metrics, ${sample?.data?.tags?.length ?? '?'} tags); nextPageToken ${page.nextPageToken ? 'present' : 'absent'}`);
    }
  }
  if (!same(baseIds, expected)) fail(`${Q.name}: baseline result differs from the expected ids (bench bug)`);
  if (!same(storeIds, expected)) {
    const missing = expected.filter((id) => !storeIds.includes(id)).length;
    fail(`${Q.name}: store result differs from the expected ${expected.length} ids (${storeIds.length} returned, ${missing} expected ids missing)`);
  } else {
    console.log(`check: store and baseline return the same ${expected.length} run ids in the same order`);
  }

  const ss = summarize(storeMs);
  const sb = summarize(baseMs);
  console.log('ms per query          p50        p99        min');
  console.log(`baseline SQL    ${fmt(sb.p50, 3).padStart(9)}  ${fmt(sb.p99, 3).padStart(9)}  ${fmt(sb.min, 3).padStart(9)}`);
  console.log(`lablog store    ${fmt(ss.p50, 3).padStart(9)}  ${fmt(ss.p99, 3).padStart(9)}  ${fmt(ss.min, 3).padStart(9)}`);
  console.log(`ratio (lablog ÷ baseline): p50 ${(ss.p50 / sb.p50).toFixed(1)}×, p99 ${(ss.p99 / sb.p99).toFixed(1)}×`);
  if (Q.target !== null) console.log(`target: p50 ≤ ${Q.target} ms → ${ss.p50 <= Q.target ? 'MET' : 'NOT MET'}`);
  results.push({ Q, ss, sb });
}

raw.close();
await store.close();

const rowsOut = [];
for (const { Q, ss, sb } of results) {
  rowsOut.push({ metric: `"${Q.name}" query ms p50 (${fmt(RUNS)} runs)`, lablog: ss.p50, baseline: sb.p50, ratio: ss.p50 / sb.p50, target: Q.target === null ? '—' : `≤${Q.target} ms`, met: Q.target === null ? null : ss.p50 <= Q.target });
  rowsOut.push({ metric: `"${Q.name}" query ms p99`, lablog: ss.p99, baseline: sb.p99, ratio: ss.p99 / sb.p99, target: '—', met: null });
}
rowsOut.push({ metric: 'populate runs/s (createRun+logBatch)', lablog: RUNS / createS, baseline: null, ratio: null, target: '—', met: null });
report('search', rowsOut);
