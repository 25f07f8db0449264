#!/usr/bin/env node
/**
 * server-search: `POST /api/2.0/mlflow/runs/search` over 100,000 runs through `lablog server`.
 *
 * Data: bench/search.mjs's — 100k runs (10k with --quick) in one experiment, params p0..p9 (p1
 * drawn from 'a'..'e'), metrics m0..m9 uniform in [0, 1), tags t0..t4, same PRNG and seed, written
 * with the store's `createRun` + `logBatch` in this process (the creation time is reported, not
 * part of the ratio). The store is left open, as search.mjs leaves it.
 *
 * Query: `metrics.m1 > 0.5 and params.p1 = 'a'` ordered by `metrics.m2 DESC`, max_results 100,
 * sent by one keep-alive client (undici, as RestStore) to the built `lablog server` in a child
 * process serving the same database file; time from sending the request until the whole
 * response body has arrived (JSON.parse of the answer is timed separately). ≥ 30 repetitions
 * after 5 warm-ups: p50, p99.
 *
 * Baseline, same run, same database: the same `searchRunsPage` in this process (entities, no
 * JSON, no HTTP), interleaved with the HTTP queries so machine noise falls on both alike.
 * Ratio = HTTP time ÷ in-process time (lower is better). A diagnostic line gives the Fastify
 * app's cost without sockets (`app.inject` over the in-process store).
 *
 * Target (issue): p50 ≤ 30 ms over HTTP.
 *
 * Check: the HTTP answer's run ids, in order, equal the expected ids computed in JavaScript from
 * the generated data and the in-process answer's; its runs carry their params and metrics.
 *
 *   node bench/server-search.mjs [--quick]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SqliteStore } from '@lablog/tracking';
import { QUICK, environment, fail, fmt, heading, makeTmp, nowNs, report, summarize, dbBytes, prng, startLablogServer } from './_common.mjs';

const require = createRequire(import.meta.url);
/** undici as @lablog/tracking (RestStore) uses it. */
const { Agent } = createRequire(require.resolve('@lablog/tracking'))('undici');
const LABLOG_BIN = join(dirname(require.resolve('@lablog/server/package.json')), 'dist', 'cli', 'bin.js');

const RUNS = QUICK ? 10_000 : 100_000;
const REPS = QUICK ? 30 : 50;
const WARMUP = 5;
const TARGET_MS = 30;
const FILTER = "metrics.m1 > 0.5 and params.p1 = 'a'";
const ORDER_BY = ['metrics.m2 DESC'];
const LIMIT = 100;

const rand = prng(42);
const P1_VALUES = ['a', 'b', 'c', 'd', 'e'];
const PKEYS = Array.from({ length: 10 }, (_, i) => `p${i}`);
const MKEYS = Array.from({ length: 10 }, (_, i) => `m${i}`);
const TKEYS = Array.from({ length: 5 }, (_, i) => `t${i}`);

console.log(`server-search: ${fmt(RUNS)} runs × (10 params, 10 metrics, 5 tags); ${REPS} timed queries over HTTP; ${environment()}`);
const tmp = makeTmp('server-search');
const storePath = join(tmp, 'store.db');
const store = new SqliteStore({ path: storePath, defaultArtifactRoot: `file://${join(tmp, 'artifacts')}` });

// ---- populate (as bench/search.mjs) --------------------------------------------------------
heading('populate');
const experimentId = await store.createExperiment('search-bench');
const rows = [];
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
  rows.push({ runId, params, metrics });
  if (!QUICK && (i + 1) % 20_000 === 0) console.log(`  ${fmt(i + 1)} runs, ${fmt((nowNs() - t0) / 1e9, 1)} s`);
}
const createS = (nowNs() - t0) / 1e9;
console.log(`store: created ${fmt(RUNS)} runs in ${fmt(createS, 1)} s = ${fmt(RUNS / createS)} runs/s; ${fmt(dbBytes(storePath) / 1e6, 1)} MB`);
const expected = rows
  .filter((r) => r.params[1].value === 'a' && r.metrics[1].value > 0.5)
  .sort((x, y) => y.metrics[2].value - x.metrics[2].value)
  .slice(0, LIMIT)
  .map((r) => r.runId);

// ---- server on the same file ----------------------------------------------------------------
heading('lablog server (child process) on the same database');
const { child, url } = await startLablogServer(LABLOG_BIN, storePath);
const origin = new URL(url).origin;
const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
const body = JSON.stringify({ experiment_ids: [experimentId], filter: FILTER, order_by: ORDER_BY, max_results: LIMIT });
console.log(`server ${url} (pid ${child.pid}); POST /api/2.0/mlflow/runs/search ${body}`);

/** One HTTP query: `{ ms, text }`, timed until the whole body has arrived. */
async function httpQuery() {
  const t = nowNs();
  const res = await agent.request({ origin, path: '/api/2.0/mlflow/runs/search', method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  const ms = (nowNs() - t) / 1e6;
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  return { ms, text };
}
const storeQuery = () => store.searchRunsPage({ experimentIds: [experimentId], filter: FILTER, orderBy: ORDER_BY, maxResults: LIMIT });

// ---- timed, interleaved ----------------------------------------------------------------------
heading(`query: ${FILTER} ORDER BY ${ORDER_BY.join(', ')} LIMIT ${LIMIT}`);
console.log(`matching runs: ${fmt(rows.filter((r) => r.params[1].value === 'a' && r.metrics[1].value > 0.5).length)} of ${fmt(RUNS)}`);
for (let i = 0; i < WARMUP; i++) {
  await httpQuery();
  await storeQuery();
}
const httpMs = [];
const parseMs = [];
const storeMs = [];
let httpIds = [];
let storeIds = [];
let sample;
let bytes = 0;
for (let i = 0; i < REPS; i++) {
  const h = await httpQuery();
  httpMs.push(h.ms);
  const tp = nowNs();
  const json = JSON.parse(h.text);
  parseMs.push((nowNs() - tp) / 1e6);
  const t = nowNs();
  const page = await storeQuery();
  storeMs.push((nowNs() - t) / 1e6);
  if (i === REPS - 1) {
    httpIds = (json.runs ?? []).map((r) => r.info.run_id);
    storeIds = page.items.map((r) => r.info.runId);
    sample = json.runs?.[0];
    bytes = h.text.length;
  }
}

// ---- app without sockets (diagnostic) ------------------------------------------------------
const { buildApp } = await import('@lablog/server');
const app = buildApp({ trackingStore: store });
await app.ready();
const injectMs = [];
for (let i = 0; i < WARMUP + Math.min(REPS, 30); i++) {
  const t = nowNs();
  const res = await app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/search', headers: { 'content-type': 'application/json' }, payload: body });
  if (i >= WARMUP) injectMs.push((nowNs() - t) / 1e6);
  if (res.statusCode !== 200) fail(`app.inject: HTTP ${res.statusCode}`);
}
await app.close();

await agent.close();
const exited = new Promise((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
await exited;

// ---- checks ---------------------------------------------------------------------------------
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
if (!same(storeIds, expected)) fail(`in-process result differs from the expected ${expected.length} ids`);
if (!same(httpIds, expected)) {
  fail(`HTTP result differs from the expected ${expected.length} ids (${httpIds.length} returned, ${expected.filter((id) => !httpIds.includes(id)).length} missing)`);
} else {
  console.log(`check: HTTP and in-process answers are the expected ${expected.length} run ids, in order`);
}
const nParams = sample?.data?.params?.length ?? 0;
const nMetrics = sample?.data?.metrics?.length ?? 0;
const nTags = sample?.data?.tags?.length ?? 0;
if (nParams !== 10 || nMetrics !== 10 || nTags < 5) fail(`HTTP run carries ${nParams} params, ${nMetrics} metrics, ${nTags} tags (want 10, 10, ≥5)`);
console.log(`HTTP page: ${httpIds.length} runs, ${fmt(bytes)} bytes of JSON (first run: ${nParams} params, ${nMetrics} metrics, ${nTags} tags)`);

const sh = summarize(httpMs);
const ss = summarize(storeMs);
const sp = summarize(parseMs);
const si = summarize(injectMs);
console.log('ms per query                          p50        p99        min');
console.log(`in-process searchRunsPage (baseline) ${fmt(ss.p50, 3).padStart(9)}  ${fmt(ss.p99, 3).padStart(9)}  ${fmt(ss.min, 3).padStart(9)}`);
console.log(`app.inject, no sockets (diagnostic)  ${fmt(si.p50, 3).padStart(9)}  ${fmt(si.p99, 3).padStart(9)}  ${fmt(si.min, 3).padStart(9)}`);
console.log(`HTTP runs/search                     ${fmt(sh.p50, 3).padStart(9)}  ${fmt(sh.p99, 3).padStart(9)}  ${fmt(sh.min, 3).padStart(9)}`);
console.log(`  + client JSON.parse of the answer  ${fmt(sp.p50, 3).padStart(9)}  ${fmt(sp.p99, 3).padStart(9)}  ${fmt(sp.min, 3).padStart(9)}`);
console.log(`ratio (HTTP ÷ in-process): p50 ${(sh.p50 / ss.p50).toFixed(2)}×, p99 ${(sh.p99 / ss.p99).toFixed(2)}×`);
console.log(`target: p50 ≤ ${TARGET_MS} ms → ${sh.p50 <= TARGET_MS ? 'MET' : 'NOT MET'}`);
await store.close();

report('server-search', [
  { metric: `HTTP runs/search ms p50 (${fmt(RUNS)} runs)`, unit: 'ms', lablog: sh.p50, baseline: ss.p50, ratio: sh.p50 / ss.p50, target: `≤${TARGET_MS} ms`, met: sh.p50 <= TARGET_MS },
  { metric: 'HTTP runs/search ms p99', unit: 'ms', lablog: sh.p99, baseline: ss.p99, ratio: sh.p99 / ss.p99, target: '—', met: null },
  { metric: 'populate runs/s (createRun+logBatch)', lablog: RUNS / createS, baseline: null, ratio: null, target: '—', met: null },
]);
