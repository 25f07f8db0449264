#!/usr/bin/env node
/**
 * server-ingest: `POST /api/2.0/mlflow/runs/log-batch` throughput of `lablog server` on its
 * embedded SQLite store. 8 concurrent clients (one keep-alive connection each, undici), each
 * logging to its own run, every request 1000 metrics (10 keys × 100 steps, MLflow's per-request
 * cap), for 20 s (3 s with --quick) after a 1 s warm-up. Reports points/s and the per-request
 * latency (p50, p99).
 *
 * The server is the built `lablog server` command in a child process (its own JavaScript
 * thread, as in production), `--log-level warn`, over `sqlite:///<tmp>/server.db`.
 *
 * Baseline, same run, same batches (the same generator, as Metric objects): in-process
 * `SqliteStore.logBatch` on a fresh database, (a) one caller awaiting each batch, (b) 8
 * concurrent async callers, each on its own run. Ratio = server points/s ÷ baseline points/s
 * (higher is better; the HTTP server can at best match the store it wraps).
 *
 * Then, in this process, the per-request cost of the server's steps (JSON.parse of the body, the
 * whole Fastify app through `inject` over an in-process store) against `store.logBatch` alone.
 *
 * Target (issue): ≥ 350,000 points/s through the server.
 *
 * Check: every acknowledged request's points are in the server's database (counted per run and
 * key after the server stopped, sampled values compared); any non-200 answer fails the bench.
 *
 *   node bench/server-ingest.mjs [--quick] [--cpu-prof]
 *
 * `--cpu-prof` starts the server with `node --cpu-prof` and prints its top functions
 * (bench/profile-top.mjs) after it stops.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '@lablog/tracking';
import { QUICK, environment, fail, fmt, heading, makeTmp, nowNs, report, summarize, yieldToLoop, startLablogServer } from './_common.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
/** undici as @lablog/tracking (RestStore) uses it. */
const { Agent } = createRequire(require.resolve('@lablog/tracking'))('undici');
const LABLOG_BIN = join(dirname(require.resolve('@lablog/server/package.json')), 'dist', 'cli', 'bin.js');

const CLIENTS = 8;
const KEYS = 10;
const STEPS = 100; // KEYS × STEPS = 1000 metrics per request
const POINTS = KEYS * STEPS;
const SECONDS = QUICK ? 3 : 20;
const WARMUP_SECONDS = QUICK ? 0.5 : 1;
const TARGET = 350_000;
const CPU_PROF = process.argv.includes('--cpu-prof');
const T0 = 1_700_000_000_000;

/**
 * The value of key `k` at `step` for client `c`. It repeats every STEPS steps, so a client's
 * request bodies can be built from cached text (formatting 1000 doubles per request would make
 * the client, on the same machine, as busy as the server); (key, step) stays unique.
 */
const valueOf = (c, k, step) => Math.sin(c * 7919 + k * 104_729 + (step % STEPS) * 1e-3);

/** Batch `i` of client `c` as Metric objects (the baseline's input). */
function batchMetrics(c, i) {
  const metrics = new Array(POINTS);
  let n = 0;
  for (let s = 0; s < STEPS; s++) {
    const step = i * STEPS + s;
    for (let k = 0; k < KEYS; k++) metrics[n++] = { key: `m${k}`, value: valueOf(c, k, step), timestamp: T0 + step, step };
  }
  return metrics;
}

/** Per client: the text of each metric up to its timestamp, `{"key":"m3","value":0.12,"timestamp":`. */
const prefixCache = new Map();
function prefixes(c) {
  let p = prefixCache.get(c);
  if (!p) {
    p = [];
    for (let s = 0; s < STEPS; s++) for (let k = 0; k < KEYS; k++) p.push(`{"key":"m${k}","value":${valueOf(c, k, s)},"timestamp":`);
    prefixCache.set(c, p);
  }
  return p;
}

/** Batch `i` of client `c` as the JSON body of runs/log-batch (what a client sends): the same points as {@link batchMetrics}. */
function batchBody(runId, c, i) {
  const pre = prefixes(c);
  let out = `{"run_id":"${runId}","metrics":[`;
  let n = 0;
  for (let s = 0; s < STEPS; s++) {
    const step = i * STEPS + s;
    const tail = `${T0 + step},"step":${step}}`;
    for (let k = 0; k < KEYS; k++) out += (n === 0 ? '' : ',') + pre[n++] + tail;
  }
  return out + ']}';
}

/** Seconds of CPU a process has used (Linux /proc; null elsewhere). */
function procCpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return null;
  }
}

/** Starts `lablog server` on a free port; resolves `{ child, url }` once it listens. */
const startServer = (dbPath, profDir) => startLablogServer(LABLOG_BIN, dbPath, profDir);

/** Runs `one(client, i)` in a closed loop on `clients` callers for `seconds`; latencies in ms. */
async function closedLoop(clients, seconds, one, next) {
  const lat = [];
  let n = 0;
  const t0 = nowNs();
  const end = t0 + seconds * 1e9;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (nowNs() < end) {
        const i = next[c]++;
        const s = nowNs();
        await one(c, i);
        lat.push((nowNs() - s) / 1e6);
        n++;
      }
    }),
  );
  return { n, lat, wall: (nowNs() - t0) / 1e9 };
}

function line(label, r) {
  const rate = (r.n * POINTS) / r.wall;
  const s = summarize(r.lat);
  console.log(`${label.padEnd(34)} ${fmt(rate).padStart(11)} points/s  ${fmt(r.n / r.wall, 1).padStart(7)} req/s   latency p50 ${fmt(s.p50, 2).padStart(7)} ms  p99 ${fmt(s.p99, 2).padStart(7)} ms`);
  return { rate, ...s };
}

console.log(`server-ingest: ${CLIENTS} clients × runs/log-batch of ${POINTS} metrics (${KEYS} keys × ${STEPS} steps), ${SECONDS} s; ${environment()}`);
const tmp = makeTmp('server-ingest');

// ---- server --------------------------------------------------------------------------------
heading('lablog server (child process, sqlite)');
const serverDb = join(tmp, 'server.db');
const profDir = CPU_PROF ? join(tmp, 'prof') : null;
const { child, url } = await startServer(serverDb, profDir);
const origin = new URL(url).origin;
const agent = new Agent({ connections: CLIENTS, keepAliveTimeout: 60_000, pipelining: 1 });
const statuses = new Map();
async function post(path, body) {
  const res = await agent.request({ origin, path, method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await res.body.text();
  statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} for ${path}: ${text.slice(0, 300)}`);
  return text;
}
const expId = JSON.parse(await post('/api/2.0/mlflow/experiments/create', JSON.stringify({ name: 'server-ingest' }))).experiment_id;
const runIds = [];
for (let c = 0; c < CLIENTS; c++) {
  const run = JSON.parse(await post('/api/2.0/mlflow/runs/create', JSON.stringify({ experiment_id: expId, start_time: T0, run_name: `client-${c}` }))).run;
  runIds.push(run.info.run_id);
}
const sentBody = batchBody(runIds[0], 0, 0);
console.log(`request body ${fmt(sentBody.length)} bytes; server ${url} (pid ${child.pid})${CPU_PROF ? ', --cpu-prof' : ''}`);
const next = new Array(CLIENTS).fill(0);
let errors = 0;
const send = async (c, i) => {
  try {
    await post('/api/2.0/mlflow/runs/log-batch', batchBody(runIds[c], c, i));
  } catch (e) {
    if (errors++ < 3) console.error(String(e)); // the check below fails the bench
  }
};
await closedLoop(CLIENTS, WARMUP_SECONDS, send, next);
const cpuServer0 = procCpuSeconds(child.pid);
const cpuSelf0 = process.cpuUsage();
const server = await closedLoop(CLIENTS, SECONDS, send, next);
const serverCpu = procCpuSeconds(child.pid) - cpuServer0;
const selfCpu = process.cpuUsage(cpuSelf0);
const srv = line('server (HTTP, 8 clients)', server);
console.log(`CPU during the timed period: server ${fmt((serverCpu / server.wall) * 100)}% of a core, this process (clients) ${fmt(((selfCpu.user + selfCpu.system) / 1e6 / server.wall) * 100)}%`);
console.log(`HTTP statuses: ${[...statuses].map(([s, n]) => `${s}: ${fmt(n)}`).join(', ')}`);
await agent.close();
const exited = new Promise((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
await exited;

// ---- check: every acknowledged point is stored ---------------------------------------------
{
  const check = new SqliteStore({ path: serverDb, defaultArtifactRoot: `file://${join(tmp, 'a')}` });
  let bad = 0;
  for (let c = 0; c < CLIENTS; c++) {
    for (let k = 0; k < KEYS; k++) {
      const h = (await check.getMetricHistory(runIds[c], `m${k}`)).items;
      const want = next[c] * STEPS;
      if (h.length !== want) {
        if (bad++ < 3) fail(`run ${c} m${k}: ${h.length} points stored, ${want} acknowledged`);
        continue;
      }
      for (const j of [0, Math.floor(h.length / 2), h.length - 1]) {
        const m = h[j];
        if (m.value !== valueOf(c, k, m.step) || m.timestamp !== T0 + m.step) if (bad++ < 3) fail(`run ${c} m${k} step ${m.step}: wrong value or timestamp`);
      }
    }
  }
  await check.close();
  if (errors > 0) fail(`${errors} requests failed`);
  if (bad === 0) console.log(`check: all ${fmt(next.reduce((a, b) => a + b, 0) * POINTS)} acknowledged points stored (counted per run and key, values sampled)`);
}

// ---- baseline: in-process SqliteStore.logBatch ---------------------------------------------
async function baseline(callers) {
  const store = new SqliteStore({ path: join(tmp, `baseline-${callers}.db`), defaultArtifactRoot: `file://${join(tmp, 'artifacts')}` });
  const exp = await store.createExperiment('baseline');
  const runs = [];
  for (let c = 0; c < callers; c++) runs.push((await store.createRun({ experimentId: exp, userId: 'bench', startTime: T0, tags: [] })).info.runId);
  const n = new Array(callers).fill(0);
  const one = (c, i) => store.logBatch(runs[c], { metrics: batchMetrics(c, i) });
  await closedLoop(callers, WARMUP_SECONDS, one, n);
  const r = await closedLoop(callers, SECONDS, one, n);
  const h = (await store.getMetricHistory(runs[0], 'm0')).items.length;
  if (h !== n[0] * STEPS) fail(`baseline (${callers} callers): ${h} points of m0 stored, ${n[0] * STEPS} logged`);
  await store.close();
  return r;
}
heading('baseline: in-process SqliteStore.logBatch, same batches');
const b1 = line('store.logBatch, 1 caller', await baseline(1));
await yieldToLoop();
const b8 = line('store.logBatch, 8 async callers', await baseline(CLIENTS));

// ---- where a request's time goes ------------------------------------------------------------
heading('per-request cost of the server\'s steps, in this process (no network)');
const breakdown = {};
{
  const { buildApp } = await import('@lablog/server');
  const store = new SqliteStore({ path: join(tmp, 'inject.db'), defaultArtifactRoot: `file://${join(tmp, 'artifacts')}` });
  const app = buildApp({ trackingStore: store });
  await app.ready();
  const exp = await store.createExperiment('inject');
  const runA = (await store.createRun({ experimentId: exp, userId: 'bench', startTime: T0, tags: [] })).info.runId;
  const runB = (await store.createRun({ experimentId: exp, userId: 'bench', startTime: T0, tags: [] })).info.runId;
  const N = QUICK ? 200 : 1500;
  const time = async (fn) => {
    for (let i = 0; i < 30; i++) await fn(i);
    const t0 = nowNs();
    for (let i = 30; i < N + 30; i++) await fn(i);
    return (nowNs() - t0) / 1e3 / N;
  };
  const bodies = Array.from({ length: 16 }, (_, i) => batchBody(runA, 0, i));
  breakdown['build the body (client side, not server)'] = await time((i) => batchBody(runA, 0, i));
  breakdown['JSON.parse of the body'] = await time((i) => JSON.parse(bodies[i % 16]));
  breakdown['store.logBatch (the baseline)'] = await time((i) => store.logBatch(runB, { metrics: batchMetrics(0, i) }));
  let bad = 0;
  breakdown['app.inject: parse + schema + store + reply'] = await time(async (i) => {
    const res = await app.inject({ method: 'POST', url: '/api/2.0/mlflow/runs/log-batch', headers: { 'content-type': 'application/json' }, payload: batchBody(runA, 0, i) });
    if (res.statusCode !== 200) bad++;
  });
  if (bad) fail(`app.inject: ${bad} non-200 answers`);
  await app.close();
  await store.close();
}
const perServer = (1e6 * server.wall) / server.n; // µs per request, wall, 8 in flight
for (const [k, v] of Object.entries(breakdown)) console.log(`  ${k.padEnd(44)} ${fmt(v, 1).padStart(9)} µs`);
const injectUs = breakdown['app.inject: parse + schema + store + reply'];
console.log(`  ${'app.inject minus store.logBatch (framework)'.padEnd(44)} ${fmt(injectUs - breakdown['store.logBatch (the baseline)'], 1).padStart(9)} µs`);
console.log(`  ${'server wall time per request (8 in flight)'.padEnd(44)} ${fmt(perServer, 1).padStart(9)} µs  (the rest: HTTP, sockets, scheduling)`);

// ---- server profile ------------------------------------------------------------------------
if (profDir && existsSync(profDir)) {
  heading('server CPU profile (node --cpu-prof), top functions');
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profDir, f));
  const out = execFileSync(process.execPath, [join(here, 'profile-top.mjs'), '--top=25', ...files], { encoding: 'utf8' });
  console.log(out);
}

// ---- summary -------------------------------------------------------------------------------
heading('summary');
const ratio1 = srv.rate / b1.rate;
const ratio8 = srv.rate / b8.rate;
console.log(`ratio (server ÷ in-process): ${ratio1.toFixed(2)}× of 1 caller, ${ratio8.toFixed(2)}× of 8 callers`);
console.log(`target: ≥ ${fmt(TARGET)} points/s → ${srv.rate >= TARGET ? 'MET' : 'NOT MET'} (${fmt(srv.rate)} points/s)`);
report('server-ingest', [
  { metric: 'points/s over HTTP (8 clients)', unit: 'points/s', lablog: srv.rate, baseline: b1.rate, ratio: ratio1, target: `≥${fmt(TARGET)}/s`, met: srv.rate >= TARGET },
  { metric: 'points/s vs 8 in-process callers', unit: 'points/s', lablog: srv.rate, baseline: b8.rate, ratio: ratio8, target: '—', met: null },
  { metric: 'request latency ms p99', unit: 'ms', lablog: srv.p99, baseline: b8.p99, ratio: srv.p99 / b8.p99, target: '—', met: null },
]);
