#!/usr/bin/env node
/**
 * history: one metric of 1,000,000 points read back in full with `getMetricHistory`.
 *
 * Data: one run, one key, 1M points (100k with --quick) written with the store's `logBatch` in
 * batches of 1000 (MLflow's limit); the write time is reported, not part of the ratio.
 *
 * Baseline, same process: raw better-sqlite3 `SELECT step, timestamp, value` of the same rows
 * from a bare table `(run_id, key, value, timestamp, step)`, as row objects (`.all()`).
 *
 * Target (issue): ≤ 500 ms for the full read.
 *
 *   node bench/history.mjs [--quick]
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteStore } from '@lablog/tracking';
import {
  QUICK, nowNs, summarize, makeTmp, fmt, heading, report, fail, environment, maybeGc,
} from './_common.mjs';

const POINTS = QUICK ? 100_000 : 1_000_000;
const BATCH = 1000;
const REPS = QUICK ? 5 : 7;
const TARGET_MS = 500;
const KEY = 'loss';
const T0 = 1_700_000_000_000;
const valueOf = (i) => Math.exp(-i / 100_000) + (i % 7) * 1e-3;
const tsOf = (i) => T0 + i * 10;

console.log(`history: one metric of ${fmt(POINTS)} points, ${REPS} full reads; ${environment()}`);
const tmp = makeTmp('history');

// ---- populate ---------------------------------------------------------------------------
heading('populate');
const store = new SqliteStore({ path: join(tmp, 'store.db'), defaultArtifactRoot: join(tmp, 'artifacts') });
const experimentId = await store.createExperiment('history-bench');
const run = await store.createRun({ experimentId, userId: 'bench', startTime: T0, tags: [], runName: 'history' });
const runId = run.info.runId;
let t = nowNs();
for (let i = 0; i < POINTS; i += BATCH) {
  const metrics = [];
  for (let j = i; j < i + BATCH && j < POINTS; j++) metrics.push({ key: KEY, value: valueOf(j), timestamp: tsOf(j), step: j });
  await store.logBatch(runId, { metrics });
}
const writeMs = (nowNs() - t) / 1e6;
console.log(`store: ${fmt(POINTS)} points via logBatch(${BATCH}) in ${fmt(writeMs, 0)} ms = ${fmt(POINTS / (writeMs / 1e3))} points/s`);

const raw = new Database(join(tmp, 'raw.db'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = NORMAL');
raw.pragma('wal_autocheckpoint = 10000'); // the store's WAL_AUTOCHECKPOINT_PAGES
raw.exec('CREATE TABLE metrics (run_id TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER)');
const ins = raw.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
t = nowNs();
raw.transaction(() => {
  for (let i = 0; i < POINTS; i++) ins.run(runId, KEY, valueOf(i), tsOf(i), i);
})();
console.log(`baseline: bare table of ${fmt(POINTS)} rows in ${fmt((nowNs() - t) / 1e6, 0)} ms`);
const baseStmt = raw.prepare('SELECT step, timestamp, value FROM metrics WHERE run_id = ? AND key = ?');
const baseArrays = raw.prepare('SELECT step, timestamp, value FROM metrics WHERE run_id = ? AND key = ?').raw(true);

// ---- reads ------------------------------------------------------------------------------
const asItems = (h) => (Array.isArray(h) ? h : h.items);
const storeRead = async () => asItems(await store.getMetricHistory(runId, KEY));
const baseRead = () => baseStmt.all(runId, KEY);

function check(label, items, get) {
  if (items.length !== POINTS) {
    fail(`${label}: ${fmt(items.length)} points, expected ${fmt(POINTS)}`);
    return;
  }
  for (const i of [0, 1, 12_345 % POINTS, POINTS >> 1, POINTS - 1]) {
    const p = get(items[i]);
    if (p.step !== i || p.timestamp !== tsOf(i) || p.value !== valueOf(i)) {
      fail(`${label}: point ${i} is ${JSON.stringify(p)}, expected step ${i}, timestamp ${tsOf(i)}, value ${valueOf(i)}`);
      return;
    }
  }
}

heading('reads');
// Warm-up (page cache, JIT) and correctness.
check('store', await storeRead(), (m) => m);
check('baseline', baseRead(), (r) => r);
const storeMs = [];
const baseMs = [];
const arraysMs = [];
for (let r = 0; r < REPS; r++) {
  maybeGc();
  t = nowNs();
  let items = baseRead();
  baseMs.push((nowNs() - t) / 1e6);
  items = null;
  t = nowNs();
  items = baseArrays.all(runId, KEY);
  arraysMs.push((nowNs() - t) / 1e6);
  items = null;
  t = nowNs();
  items = await storeRead();
  storeMs.push((nowNs() - t) / 1e6);
  if (r === REPS - 1) check('store', items, (m) => m);
  items = null;
  void items;
}

const ss = summarize(storeMs);
const sb = summarize(baseMs);
const sa = summarize(arraysMs);
heading(`result (ms per full read of ${fmt(POINTS)} points)`);
console.log('                                    p50        min        max');
console.log(`baseline .all() row objects  ${fmt(sb.p50, 1).padStart(9)}  ${fmt(sb.min, 1).padStart(9)}  ${fmt(sb.max, 1).padStart(9)}`);
console.log(`diag: baseline .raw() arrays ${fmt(sa.p50, 1).padStart(9)}  ${fmt(sa.min, 1).padStart(9)}  ${fmt(sa.max, 1).padStart(9)}`);
console.log(`lablog getMetricHistory      ${fmt(ss.p50, 1).padStart(9)}  ${fmt(ss.min, 1).padStart(9)}  ${fmt(ss.max, 1).padStart(9)}`);
console.log(`ratio (lablog ÷ baseline .all()): p50 ${(ss.p50 / sb.p50).toFixed(2)}×`);
console.log(`target: ≤ ${TARGET_MS} ms → ${ss.p50 <= TARGET_MS ? 'MET' : 'NOT MET'}`);

raw.close();
await store.close();

report('history', [
  { metric: `full read ms p50 (${fmt(POINTS)} pts)`, lablog: ss.p50, baseline: sb.p50, ratio: ss.p50 / sb.p50, target: `≤${TARGET_MS} ms`, met: ss.p50 <= TARGET_MS },
  { metric: 'write points/s (logBatch 1000)', lablog: POINTS / (writeMs / 1e3), baseline: null, ratio: null, target: '—', met: null },
]);
