#!/usr/bin/env node
/**
 * ingest: 1,000,000 metric points (10 keys × 100,000 steps) through the fluent `logMetric` into
 * an embedded SQLite store, timed from the first call until `await flush()` resolves.
 *
 * Baseline, same process: raw better-sqlite3 inserts of the same rows into a bare table
 * `(run_id TEXT, key TEXT, value REAL, timestamp INTEGER, step INTEGER)` — one prepared
 * statement, one transaction per 1000 rows, the store's own pragmas (WAL, synchronous=NORMAL,
 * wal_autocheckpoint=10000).
 *
 * Target (issue): ≥ 1,000,000 points/s and ≥ 0.5× the baseline's rate.
 * After each lablog repetition the stored history is read back and must hold every point.
 *
 * Also, one key with the step omitted (MLflow's default step 0) and with each step repeated,
 * against the same loop with increasing steps: target ≥ 0.8× its rate, and linear (twice the
 * points in at most ~2.5× the time; the store used to read the key's whole history per batch).
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
/** Size of the one-key variants (step omitted / repeated / increasing); half of it is run too, for linearity. */
const ONEKEY_POINTS = QUICK ? 50_000 : 1_000_000;
/** One-key variants: at least this fraction of the increasing-steps rate, ... */
const ONEKEY_TARGET_RATIO = 0.8;
/** ... and at most this much time for twice the points (2 is linear). */
const ONEKEY_TARGET_GROWTH = 2.5;
/** In the "repeated step" variant each step is logged this many times. */
const REPEAT = 10;

const keyNames = Array.from({ length: KEYS }, (_, k) => `metric_${k}`);
const valueOf = (k, step) => Math.sin(step * 1e-3 + k);

const tmp = makeTmp('ingest');
let dbSeq = 0;

/** The store's connection settings (store/sqlite/migrations.ts), so the baseline pays the same fsync policy. */
function openRaw(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000'); // WAL_AUTOCHECKPOINT_PAGES
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
 * One key, `points` calls of `logMetric('loss', v[, { step }])`, yielding one event-loop turn every
 * 1000 points (as a training loop awaiting its batches), then `await flush()`. Variants:
 * - 'omitted': no step (MLflow's default 0), as many scripts log. Points logged within the same
 *   millisecond differ only by value (decreasing here), so most compare "not newer" than the
 *   previous one: the store's de-duplication path.
 * - 'repeated': each step logged {@link REPEAT} times (values decreasing): the same path.
 * - 'increasing': step = call index, the reference rate (no point ever needs checking).
 * Every point must be stored. Returns ms.
 */
async function lablogIngestOneKey(variant, points) {
  const path = join(tmp, `lablog-onekey-${dbSeq++}.db`);
  lablog.setTrackingUri(`sqlite:///${path}`);
  await lablog.setExperiment(`ingest-onekey-${variant}-${dbSeq}`);
  const run = await lablog.startRun({ runName: `ingest-onekey-${variant}` });
  const runId = runIdOf(run);
  maybeGc();
  const t0 = nowNs();
  for (let i = 0; i < points; i++) {
    const v = 1 / (1 + i);
    const bp =
      variant === 'omitted'
        ? lablog.logMetric('loss', v)
        : lablog.logMetric('loss', v, { step: variant === 'repeated' ? Math.floor(i / REPEAT) : i });
    if (bp !== undefined) await bp;
    if (i % 1000 === 999) await yieldToLoop();
  }
  await lablog.flush();
  const ms = (nowNs() - t0) / 1e6;
  await lablog.endRun();
  const items = asItems(await lablog.getMetricHistory('loss', runId));
  if (items.length !== points) fail(`one key, step ${variant}: stored ${fmt(items.length)} points, expected ${fmt(points)}`);
  for (const i of [0, Math.floor(points / 2), points - 1]) {
    const m = items[i];
    if (!m || m.value !== 1 / (1 + i)) {
      fail(`one key, step ${variant}: point ${i} is ${JSON.stringify(m)}, expected value ${1 / (1 + i)}`);
      break;
    }
  }
  return { ms, stored: items.length };
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

heading(`one key: step omitted / repeated ×${REPEAT} / increasing, ${fmt(ONEKEY_POINTS / 2)} and ${fmt(ONEKEY_POINTS)} points`);
await lablogIngestOneKey('omitted', 10_000); // warm-up of this loop shape, not reported
const oneKey = {};
for (const variant of ['increasing', 'omitted', 'repeated']) {
  const half = await lablogIngestOneKey(variant, ONEKEY_POINTS / 2);
  const full = await lablogIngestOneKey(variant, ONEKEY_POINTS);
  const r = { rate: ONEKEY_POINTS / (full.ms / 1e3), growth: full.ms / half.ms };
  oneKey[variant] = r;
  const label = { increasing: 'increasing steps', omitted: 'step omitted    ', repeated: `step repeated ×${REPEAT}` }[variant];
  console.log(`lablog, ${label}  ${fmt(ONEKEY_POINTS / 2).padStart(9)} points ${fmt(half.ms, 1).padStart(9)} ms, ${fmt(ONEKEY_POINTS)} points ${fmt(full.ms, 1).padStart(9)} ms  ${fmt(r.rate).padStart(11)} points/s  (time ×${r.growth.toFixed(2)} for ×2 points — ×2 is linear)`);
}
const oneKeyMet = (v) => oneKey[v].rate / oneKey.increasing.rate >= ONEKEY_TARGET_RATIO && oneKey[v].growth <= ONEKEY_TARGET_GROWTH;

const rate = (ms) => POINTS / (ms / 1e3);
const bMs = summarize(base).p50;
const tMs = summarize(tight).p50;
const yMs = summarize(yielding).p50;
heading('result (median of repetitions)');
console.log(`baseline (raw better-sqlite3, bare table): ${fmt(rate(bMs))} points/s`);
console.log(`lablog fluent, tight loop:                 ${fmt(rate(tMs))} points/s   ratio ${(bMs / tMs).toFixed(3)}× baseline`);
console.log(`lablog fluent, yielding every ${YIELD_EVERY_STEPS} steps:    ${fmt(rate(yMs))} points/s   ratio ${(bMs / yMs).toFixed(3)}× baseline`);
for (const v of ['omitted', 'repeated']) {
  console.log(`lablog, 1 key, step ${v.padEnd(8)} (${fmt(ONEKEY_POINTS)} points): ${fmt(oneKey[v].rate)} points/s   ratio ${(oneKey[v].rate / oneKey.increasing.rate).toFixed(3)}× the same loop with increasing steps (${fmt(oneKey.increasing.rate)} points/s); ×${oneKey[v].growth.toFixed(2)} time for ×2 points`);
}
console.log(`target: ≥ ${fmt(TARGET_RATE)} points/s and ≥ ${TARGET_RATIO}× baseline` +
  `  →  tight ${rate(tMs) >= TARGET_RATE && bMs / tMs >= TARGET_RATIO ? 'MET' : 'NOT MET'}` +
  `, yielding ${rate(yMs) >= TARGET_RATE && bMs / yMs >= TARGET_RATIO ? 'MET' : 'NOT MET'}`);
console.log(`target, one key: ≥ ${ONEKEY_TARGET_RATIO}× the increasing-steps rate and ≤ ×${ONEKEY_TARGET_GROWTH} time for ×2 points` +
  `  →  step omitted ${oneKeyMet('omitted') ? 'MET' : 'NOT MET'}, step repeated ${oneKeyMet('repeated') ? 'MET' : 'NOT MET'}`);

report('ingest', [
  { metric: 'points/s, tight loop', lablog: rate(tMs), baseline: rate(bMs), ratio: bMs / tMs, target: `≥1M/s, ≥${TARGET_RATIO}×`, met: rate(tMs) >= TARGET_RATE && bMs / tMs >= TARGET_RATIO },
  { metric: 'points/s, yielding loop', lablog: rate(yMs), baseline: rate(bMs), ratio: bMs / yMs, target: `≥1M/s, ≥${TARGET_RATIO}×`, met: rate(yMs) >= TARGET_RATE && bMs / yMs >= TARGET_RATIO },
  ...['omitted', 'repeated'].map((v) => ({
    metric: `points/s, 1 key, step ${v} (${fmt(ONEKEY_POINTS)} pts; vs increasing steps)`,
    lablog: oneKey[v].rate,
    baseline: oneKey.increasing.rate,
    ratio: oneKey[v].rate / oneKey.increasing.rate,
    target: `≥${ONEKEY_TARGET_RATIO}×, ×2 pts ≤ ×${ONEKEY_TARGET_GROWTH} time`,
    met: oneKeyMet(v),
  })),
]);
