#!/usr/bin/env node
/**
 * Store-level performance check of SqliteStore (no assertions; prints numbers):
 *   ingest  1M points (10 keys × 100k steps) through logBatch(1000) vs raw better-sqlite3
 *           single-row inserts, 1000 per transaction, into a bare table (same pragmas);
 *   history 1M points of one key read back with getMetricHistory;
 *   search  100k runs (10 params, 10 metrics, 5 tags), filter `metrics.m1 > 0.5 and
 *           params.p1 = 'a'` ordered by `metrics.m2 DESC`, first 100 (p50 over repetitions).
 *
 *   node packages/tracking/src/store/sqlite/perf/sqlite-perf.mjs [ingest|history|search ...] [--runs=N]
 *
 * The store's TypeScript source is bundled with esbuild into a temporary folder first.
 */
import { build } from 'esbuild';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'lablog-sqlite-perf-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const args = process.argv.slice(2);
const picked = args.filter((a) => !a.startsWith('--'));
const want = (n) => picked.length === 0 || picked.includes(n);
const RUNS = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 100_000);

const bundleDir = join(here, '..', '..', '..', '..', '..', '..', 'node_modules', '.cache', `lablog-sqlite-perf-${process.pid}`);
process.on('exit', () => rmSync(bundleDir, { recursive: true, force: true }));
await build({
  entryPoints: [join(here, '..', 'sqlite-store.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  // inside the repo, so the bundle resolves better-sqlite3 from node_modules
  outfile: join(bundleDir, 'store.mjs'),
  external: ['better-sqlite3', 'node:*'],
  logLevel: 'error',
});
const { SqliteStore } = await import(pathToFileURL(join(bundleDir, 'store.mjs')).href);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const open = (name) => new SqliteStore({ path: join(tmp, name), defaultArtifactRoot: `file://${tmp}/artifacts`, validationPolicy: { truncateLongValues: true, warn: () => {} } });

const KEYS = 10;
const STEPS = 100_000;
const keys = Array.from({ length: KEYS }, (_, k) => `metric_${k}`);

let rawSeq = 0;
function rawBaseline() {
  const db = new Database(join(tmp, `raw-${rawSeq++}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE metrics (run_id TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER)');
  const ins = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
  const run = 'b1946ac92492d2347c6235b4d2611184';
  const t0 = now();
  let n = 0;
  db.exec('BEGIN');
  for (let step = 0; step < STEPS; step++) {
    for (let k = 0; k < KEYS; k++) {
      ins.run(run, keys[k], Math.sin(step * 1e-3 + k), 1_700_000_000_000 + step, step);
      if (++n % 1000 === 0) { db.exec('COMMIT'); db.exec('BEGIN'); }
    }
  }
  db.exec('COMMIT');
  const ms = now() - t0;
  db.close();
  return ms;
}

let ingestSeq = 0;
async function ingest() {
  const store = open(`ingest-${ingestSeq++}.db`);
  const { info } = await store.createRun({ experimentId: '0', userId: 'u', startTime: Date.now(), tags: [] });
  const t0 = now();
  let batch = [];
  for (let step = 0; step < STEPS; step++) {
    for (let k = 0; k < KEYS; k++) batch.push({ key: keys[k], value: Math.sin(step * 1e-3 + k), timestamp: 1_700_000_000_000 + step, step });
    if (batch.length === 1000) { await store.logBatch(info.runId, { metrics: batch }); batch = []; }
  }
  const ms = now() - t0;
  const h = await store.getMetricHistory(info.runId, keys[3]);
  if (h.items.length !== STEPS) throw new Error(`history has ${h.items.length} points`);
  await store.close();
  return ms;
}

async function history() {
  const store = open('history.db');
  const { info } = await store.createRun({ experimentId: '0', userId: 'u', startTime: Date.now(), tags: [] });
  for (let b = 0; b < 1000; b++) {
    const batch = [];
    for (let i = 0; i < 1000; i++) { const step = b * 1000 + i; batch.push({ key: 'loss', value: 1 / (step + 1), timestamp: 1_700_000_000_000 + step, step }); }
    await store.logBatch(info.runId, { metrics: batch });
  }
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = now();
    const h = await store.getMetricHistory(info.runId, 'loss');
    times.push(now() - t0);
    if (h.items.length !== 1_000_000) throw new Error('short history');
  }
  await store.close();
  return times;
}

async function search() {
  const store = open('search.db');
  const exp = await store.createExperiment('search');
  const letters = ['a', 'b', 'c', 'd'];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const t0 = now();
  for (let i = 0; i < RUNS; i++) {
    const { info } = await store.createRun({ experimentId: exp, userId: 'u', startTime: 1_700_000_000_000 + i, tags: [] });
    await store.logBatch(info.runId, {
      metrics: Array.from({ length: 10 }, (_, k) => ({ key: `m${k}`, value: rnd(), timestamp: 1_700_000_000_000, step: 0 })),
      params: Array.from({ length: 10 }, (_, k) => ({ key: `p${k}`, value: letters[Math.floor(rnd() * letters.length)] })),
      tags: Array.from({ length: 5 }, (_, k) => ({ key: `t${k}`, value: `v${Math.floor(rnd() * 100)}` })),
    });
  }
  console.log(`  setup: ${RUNS} runs in ${(now() - t0).toFixed(0)} ms`);
  await store.close();
  const store2 = open('search.db'); // reopen: as a fresh process would
  const args = { experimentIds: [exp], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", orderBy: ['metrics.m2 DESC'], maxResults: 100 };
  const times = [];
  let page;
  for (let r = 0; r < 30; r++) {
    const s = now();
    page = await store2.searchRunsPage(args);
    times.push(now() - s);
  }
  const check = page.items.every((run) => run.data.metrics.find((m) => m.key === 'm1').value > 0.5 && run.data.params.find((p) => p.key === 'p1').value === 'a');
  const m2 = page.items.map((run) => run.data.metrics.find((m) => m.key === 'm2').value);
  const sortedOk = m2.every((v, i) => i === 0 || m2[i - 1] >= v);
  await store2.close();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], n: page.items.length, check, sortedOk };
}

if (want('ingest')) {
  const base = [rawBaseline(), rawBaseline(), rawBaseline()].sort((a, b) => a - b)[1];
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await ingest());
  runs.sort((a, b) => a - b);
  const ms = runs[1];
  console.log(`ingest: lablog ${ms.toFixed(0)} ms = ${(1e6 / ms * 1000 / 1e6).toFixed(2)} M points/s; raw better-sqlite3 ${base.toFixed(0)} ms = ${(1e6 / base * 1000 / 1e6).toFixed(2)} M/s; ratio ${(base / ms).toFixed(2)}x`);
}
if (want('history')) {
  const t = await history();
  console.log(`history: 1M points read in ${t.map((x) => x.toFixed(0)).join(', ')} ms`);
}
if (want('search')) {
  const r = await search();
  console.log(`search: p50 ${r.p50.toFixed(2)} ms (min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}), ${r.n} runs, filter ok ${r.check}, order ok ${r.sortedOk}`);
}
