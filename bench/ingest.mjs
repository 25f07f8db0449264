#!/usr/bin/env node
/**
 * ingest: 1,000,000 metric points (10 keys × 100,000 steps) through the fluent `logMetric` into
 * an embedded SQLite store, timed from the first call until `await flush()` resolves.
 *
 * Baseline, same process: raw better-sqlite3 inserts of the same rows into a bare table
 * `(run_id TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER)` — one prepared
 * statement, one transaction per 1000 rows, the store's own pragmas (WAL, synchronous=NORMAL).
 *
 * Target (issue): ≥ 1,000,000 points/s and ≥ 0.5× the baseline's rate.
 * After each lablog repetition the stored history is read back and must hold every point.
 *
 *   node bench/ingest.mjs [--quick]
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import * as lablog from '@lablog/tracking';
import {
  QUICK, nowNs, summarize, makeTmp, fmt, heading, report, fail, environment, yieldToLoop, dbBytes, maybeGc,
} from './_common.mjs';

const KEYS = 10;
const STEPS = QUICK ? 5_000 : 100_000;
const POINTS = KEYS * STEPS;
const REPS = QUICK ? 1 : 3;
const WARMUP_STEPS = 2_000;
/** In the "yielding" variant the loop awaits one event-loop turn every this many steps. */
const YIELD_EVERY_STEPS = 100;
const TARGET_RATE = 1_000_000;
const TARGET_RATIO = 0.5;
/** Size of the "step omitted" diagnostic (one key, no step): smaller, as its cost grows faster than linearly. */
const NOSTEP_POINTS = QUICK ? 20_000 : 100_000;

const keyNames = Array.from({ length: KEYS }, (_, k) => `metric_${k}`);
const valueOf = (k, step) => Math.sin(step * 1e-3 + k);

const tmp = makeTmp('ingest');
let dbSeq = 0;

/** The store's connection settings (store/sqlite/migrations.ts), so the baseline pays the same fsync policy. */
function openRaw(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Baseline: the same rows, batched 1000 per transaction into a bare table. Returns ms. */
function rawInsert(steps = STEPS) {
  const path = join(tmp, `raw-${dbSeq++}.db`);
  const db = openRaw(path);
  db.exec('CREATE TABLE metrics (run_id TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER)');
  const ins = db.prepare('INSERT INTO metrics (run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, ?)');
  const runId = 'b1946ac92492d2347c6235b4d2611184';
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const t0 = nowNs();
  let inTx = 0;
  begin.run();
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < KEYS; k++) {
      ins.run(runId, keyNames[k], valueOf(k, step), Date.now(), step);
      if (++inTx === 1000) {
        commit.run();
        begin.run();
        inTx = 0;
      }
    }
  }
  commit.run();
  const ms = (nowNs() - t0) / 1e6;
  const n = db.prepare('SELECT count(*) AS n FROM metrics').get().n;
  if (n !== KEYS * steps) fail(`baseline stored ${n} rows, expected ${KEYS * steps}`);
  db.close();
  return { ms, bytes: dbBytes(path) };
}

function runIdOf(run) {
  return run?.info?.runId ?? run?.runId ?? run?.id;
}

function asItems(history) {
  return Array.isArray(history) ? history : history.items;
}

/** lablog: fluent logMetric of every point, then await flush(). Returns ms. */
async function lablogIngest(variant, steps = STEPS) {
  const points = KEYS * steps;
  const path = join(tmp, `lablog-${dbSeq++}.db`);
  lablog.setTrackingUri(`sqlite:///${path}`);
  await lablog.setExperiment(`ingest-${variant}-${dbSeq}`);
  const run = await lablog.startRun({ runName: `ingest-${variant}` });
  const runId = runIdOf(run) ?? runIdOf(lablog.activeRun?.());
  maybeGc();

  const t0 = nowNs();
  // logMetric returns undefined normally, and a promise once the run's bounded queue is past its
  // soft limit: awaiting it is the documented back-pressure (a loop that ignores it has points
  // dropped at the hard bound). Both variants await it; nothing else is awaited in 'tight'.
  let waits = 0;
  if (variant === 'tight') {
    for (let step = 0; step < steps; step++) {
      for (let k = 0; k < KEYS; k++) {
        const bp = lablog.logMetric(keyNames[k], valueOf(k, step), { step });
        if (bp !== undefined) {
          waits++;
          await bp;
        }
      }
    }
  } else {
    for (let step = 0; step < steps; step++) {
      for (let k = 0; k < KEYS; k++) {
        const bp = lablog.logMetric(keyNames[k], valueOf(k, step), { step });
        if (bp !== undefined) {
          waits++;
          await bp;
        }
      }
      if (step % YIELD_EVERY_STEPS === YIELD_EVERY_STEPS - 1) await yieldToLoop();
    }
  }
  const tCalls = nowNs();
  await lablog.flush();
  const t1 = nowNs();

  await lablog.endRun();
  // Correctness: every point must be stored, in order, with its value.
  let stored = 0;
  for (let k = 0; k < KEYS; k++) {
    const items = asItems(await lablog.getMetricHistory(keyNames[k], runId));
    stored += items.length;
    const probe = [0, Math.floor(steps / 2), steps - 1];
    for (const s of probe) {
      const m = items[s];
      if (!m || m.step !== s || m.value !== valueOf(k, s)) {
        fail(`${variant}: ${keyNames[k]}[${s}] is ${JSON.stringify(m)}, expected step ${s} value ${valueOf(k, s)}`);
        break;
      }
    }
  }
  if (stored !== points) fail(`${variant}: stored ${fmt(stored)} points, expected ${fmt(points)} — the logger lost data`);
  return { ms: (t1 - t0) / 1e6, callsMs: (tCalls - t0) / 1e6, flushMs: (t1 - tCalls) / 1e6, stored, waits, bytes: dbBytes(path) };
}

/**
 * Diagnostic, not the target: `logMetric('loss', v)` with no step (MLflow's default 0), one key,
 * as many scripts log. Every point has step 0, and points logged within the same millisecond
 * differ only by value, so a point can compare "not newer" than the stored latest one — the
 * store's de-duplication path. Loop shape as the yielding variant. Returns ms.
 */
async function lablogIngestNoStep(points) {
  const path = join(tmp, `lablog-nostep-${dbSeq++}.db`);
  lablog.setTrackingUri(`sqlite:///${path}`);
  await lablog.setExperiment(`ingest-nostep-${dbSeq}`);
  const run = await lablog.startRun({ runName: 'ingest-nostep' });
  const runId = runIdOf(run);
  maybeGc();
  const t0 = nowNs();
  for (let i = 0; i < points; i++) {
    const bp = lablog.logMetric('loss', 1 / (1 + i));
    if (bp !== undefined) await bp;
    if (i % 1000 === 999) await yieldToLoop();
  }
  await lablog.flush();
  const ms = (nowNs() - t0) / 1e6;
  await lablog.endRun();
  const stored = asItems(await lablog.getMetricHistory('loss', runId)).length;
  if (stored !== points) fail(`step omitted: stored ${fmt(stored)} points, expected ${fmt(points)}`);
  return { ms, stored };
}

console.log(`ingest: ${fmt(POINTS)} points (${KEYS} keys × ${fmt(STEPS)} steps), ${REPS} repetition(s); ${environment()}`);

// Warm-up (JIT, module loading, first store open) on a small slice, not reported.
rawInsert(WARMUP_STEPS);
await lablogIngest('tight', WARMUP_STEPS);

const base = [];
const tight = [];
const yielding = [];
for (let r = 0; r < REPS; r++) {
  heading(`repetition ${r + 1}/${REPS}`);
  const b = rawInsert();
  base.push(b.ms);
  console.log(`baseline raw better-sqlite3   ${fmt(b.ms, 1).padStart(9)} ms  ${fmt(POINTS / (b.ms / 1e3)).padStart(11)} points/s  (${fmt(b.bytes / 1e6, 1)} MB)`);
  const t = await lablogIngest('tight');
  tight.push(t.ms);
  console.log(`lablog tight loop             ${fmt(t.ms, 1).padStart(9)} ms  ${fmt(POINTS / (t.ms / 1e3)).padStart(11)} points/s  (calls ${fmt(t.callsMs, 1)} ms + flush ${fmt(t.flushMs, 1)} ms; ${fmt(t.waits)} back-pressure waits; ${fmt(t.bytes / 1e6, 1)} MB; stored ${fmt(t.stored)})`);
  const y = await lablogIngest('yielding');
  yielding.push(y.ms);
  console.log(`lablog yielding loop          ${fmt(y.ms, 1).padStart(9)} ms  ${fmt(POINTS / (y.ms / 1e3)).padStart(11)} points/s  (calls ${fmt(y.callsMs, 1)} ms + flush ${fmt(y.flushMs, 1)} ms; ${fmt(y.waits)} back-pressure waits; stored ${fmt(y.stored)})`);
}

heading(`diagnostic: step omitted, one key, ${fmt(NOSTEP_POINTS)} points`);
const half = await lablogIngestNoStep(NOSTEP_POINTS / 2);
console.log(`lablog, ${fmt(NOSTEP_POINTS / 2)} points      ${fmt(half.ms, 1).padStart(9)} ms  ${fmt((NOSTEP_POINTS / 2) / (half.ms / 1e3)).padStart(11)} points/s`);
const nostep = await lablogIngestNoStep(NOSTEP_POINTS);
const nostepRate = NOSTEP_POINTS / (nostep.ms / 1e3);
console.log(`lablog, ${fmt(NOSTEP_POINTS)} points     ${fmt(nostep.ms, 1).padStart(9)} ms  ${fmt(nostepRate).padStart(11)} points/s  (stored ${fmt(nostep.stored)}; time ×${(nostep.ms / half.ms).toFixed(1)} for ×2 points — ×2 is linear)`);

const rate = (ms) => POINTS / (ms / 1e3);
const bMs = summarize(base).p50;
const tMs = summarize(tight).p50;
const yMs = summarize(yielding).p50;
heading('result (median of repetitions)');
console.log(`baseline (raw better-sqlite3, bare table): ${fmt(rate(bMs))} points/s`);
console.log(`lablog fluent, tight loop:                 ${fmt(rate(tMs))} points/s   ratio ${(bMs / tMs).toFixed(3)}× baseline`);
console.log(`lablog fluent, yielding every ${YIELD_EVERY_STEPS} steps:    ${fmt(rate(yMs))} points/s   ratio ${(bMs / yMs).toFixed(3)}× baseline`);
console.log(`diag, step omitted (${fmt(NOSTEP_POINTS)} points, 1 key):  ${fmt(nostepRate)} points/s   ratio ${(nostepRate / rate(bMs)).toFixed(3)}× baseline`);
console.log(`target: ≥ ${fmt(TARGET_RATE)} points/s and ≥ ${TARGET_RATIO}× baseline` +
  `  →  tight ${rate(tMs) >= TARGET_RATE && bMs / tMs >= TARGET_RATIO ? 'MET' : 'NOT MET'}` +
  `, yielding ${rate(yMs) >= TARGET_RATE && bMs / yMs >= TARGET_RATIO ? 'MET' : 'NOT MET'}`);

report('ingest', [
  { metric: 'points/s, tight loop', lablog: rate(tMs), baseline: rate(bMs), ratio: bMs / tMs, target: `≥1M/s, ≥${TARGET_RATIO}×`, met: rate(tMs) >= TARGET_RATE && bMs / tMs >= TARGET_RATIO },
  { metric: 'points/s, yielding loop', lablog: rate(yMs), baseline: rate(bMs), ratio: bMs / yMs, target: `≥1M/s, ≥${TARGET_RATIO}×`, met: rate(yMs) >= TARGET_RATE && bMs / yMs >= TARGET_RATIO },
  { metric: `diag: points/s, step omitted (${fmt(NOSTEP_POINTS)} pts, 1 key)`, lablog: nostepRate, baseline: rate(bMs), ratio: nostepRate / rate(bMs), target: '—', met: null },
]);
