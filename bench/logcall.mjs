#!/usr/bin/env node
/**
 * logcall: what one fluent `logMetric(key, value, { step })` costs the caller's thread.
 *
 * Blocks of 1000 calls are timed with hrtime; between blocks the loop awaits one event-loop turn
 * (setImmediate), as a training loop awaiting its next batch would, so the logger's flush timer
 * and its writes run as in real use. Per block: ns per call. Reported: median and p99 over the
 * blocks, plus the amortized cost — total wall time (blocks + the gaps between them, which is
 * where the logger's timer-driven flushes run on this same thread) divided by the calls.
 *
 * Baseline, same loop shape: `array.push({ key, value, timestamp: Date.now(), step })`, the array
 * dropped once it holds 100k points (as a queue would be drained).
 *
 * Target (issue): median ≤ 1 µs per call.
 *
 *   node bench/logcall.mjs [--quick]
 */
import { join } from 'node:path';
import * as lablog from '@lablog/tracking';
import {
  QUICK, nowNs, summarize, makeTmp, fmt, heading, report, fail, environment, yieldToLoop,
} from './_common.mjs';

const BLOCK = 1000;
const BLOCKS = QUICK ? 300 : 3000;
const WARMUP_BLOCKS = QUICK ? 50 : 300;
const KEYS = 10;
const TARGET_NS = 1000;

const keyNames = Array.from({ length: KEYS }, (_, k) => `loss_${k}`);

/**
 * Runs `blocks` timed blocks of BLOCK calls of `call(key, value, step)`, awaiting one
 * event-loop turn between blocks (and running `between()` there). Returns per-block ns/call,
 * the total wall time and the time spent between blocks.
 */
let n = 0; // continues across calls of measure(): steps keep increasing, as in one training run
async function measure(blocks, call, between) {
  const perCall = new Float64Array(blocks);
  const n0 = n;
  let gapNs = 0;
  const start = nowNs();
  for (let b = 0; b < blocks; b++) {
    const t0 = nowNs();
    for (let i = 0; i < BLOCK; i++, n++) {
      const k = n % KEYS;
      call(keyNames[k], 1 / (1 + n), (n / KEYS) | 0);
    }
    const t1 = nowNs();
    perCall[b] = (t1 - t0) / BLOCK;
    between();
    await yieldToLoop();
    gapNs += nowNs() - t1;
  }
  const wallNs = nowNs() - start;
  return { perCall: Array.from(perCall), wallNs, gapNs, calls: n - n0 };
}

console.log(`logcall: ${fmt(BLOCKS)} blocks × ${BLOCK} calls (+${WARMUP_BLOCKS} warm-up blocks), ${KEYS} keys; ${environment()}`);

// Baseline: push an equivalent point object.
let queue = [];
const pushCall = (key, value, step) => {
  queue.push({ key, value, timestamp: Date.now(), step });
};
const drain = () => {
  if (queue.length >= 100_000) queue = [];
};

// lablog: a real run on an embedded SQLite store; the logger's timer and flushes run as usual.
const tmp = makeTmp('logcall');
lablog.setTrackingUri(`sqlite:///${join(tmp, 'bench.db')}`);
await lablog.setExperiment('logcall');
const run = await lablog.startRun({ runName: 'logcall' });
const runId = run?.info?.runId ?? run?.runId;
const logCall = (key, value, step) => {
  lablog.logMetric(key, value, { step });
};
const noop = () => {};

// Warm-up both paths, then alternate measured halves to spread machine noise over both.
await measure(WARMUP_BLOCKS, pushCall, drain);
await measure(WARMUP_BLOCKS, logCall, noop);
const half = BLOCKS / 2;
const base = [];
const lab = [];
let baseWall = 0;
let labWall = 0;
let baseGap = 0;
let labGap = 0;
let labCalls = WARMUP_BLOCKS * BLOCK;
for (const part of [0, 1]) {
  const b = await measure(half, pushCall, drain);
  base.push(...b.perCall);
  baseWall += b.wallNs;
  baseGap += b.gapNs;
  const l = await measure(half, logCall, noop);
  lab.push(...l.perCall);
  labWall += l.wallNs;
  labGap += l.gapNs;
  labCalls += l.calls;
  void part;
}
const tFlush = nowNs();
await lablog.flush();
const finalFlushMs = (nowNs() - tFlush) / 1e6;
await lablog.endRun();

// Correctness: the logger must have stored every call.
let stored = 0;
for (const k of keyNames) {
  const h = await lablog.getMetricHistory(k, runId);
  stored += (Array.isArray(h) ? h : h.items).length;
}
if (stored !== labCalls) fail(`stored ${fmt(stored)} points, expected ${fmt(labCalls)} — the logger lost data`);

const sb = summarize(base);
const sl = summarize(lab);
const calls = BLOCKS * BLOCK;
const amortBase = baseWall / calls;
const amortLab = labWall / calls;
heading('result (ns per call)');
console.log('                          median      p99      max   amortized (incl. gaps/flushes)');
console.log(`baseline array.push   ${fmt(sb.p50, 1).padStart(9)} ${fmt(sb.p99, 1).padStart(8)} ${fmt(sb.max, 0).padStart(8)}   ${fmt(amortBase, 1).padStart(9)}`);
console.log(`lablog logMetric      ${fmt(sl.p50, 1).padStart(9)} ${fmt(sl.p99, 1).padStart(8)} ${fmt(sl.max, 0).padStart(8)}   ${fmt(amortLab, 1).padStart(9)}`);
console.log(`ratio (lablog ÷ baseline): median ${(sl.p50 / sb.p50).toFixed(2)}×, p99 ${(sl.p99 / sb.p99).toFixed(2)}×, amortized ${(amortLab / amortBase).toFixed(2)}×`);
console.log(`time between blocks (event-loop turn; lablog's flushes run here, on this thread): baseline ${fmt(baseGap / 1e6, 1)} ms, lablog ${fmt(labGap / 1e6, 1)} ms over ${fmt(calls)} calls`);
console.log(`final flush: ${fmt(finalFlushMs, 1)} ms; stored ${fmt(stored)} of ${fmt(labCalls)} points`);
console.log(`target: median ≤ ${TARGET_NS} ns per call → ${sl.p50 <= TARGET_NS ? 'MET' : 'NOT MET'}`);

report('logcall', [
  { metric: 'ns/call median (block of 1000)', lablog: sl.p50, baseline: sb.p50, ratio: sl.p50 / sb.p50, target: `≤${TARGET_NS} ns`, met: sl.p50 <= TARGET_NS },
  { metric: 'ns/call p99 (block of 1000)', lablog: sl.p99, baseline: sb.p99, ratio: sl.p99 / sb.p99, target: '—', met: null },
  { metric: 'ns/call amortized incl. flushes', lablog: amortLab, baseline: amortBase, ratio: amortLab / amortBase, target: '—', met: null },
]);
