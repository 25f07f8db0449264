/**
 * The async logger's two numbers: the caller-side cost of `logMetric` (target ≤ ~1 µs median)
 * and end-to-end ingest into a SqliteStore (target ≥ 1M points/s: 10 keys × 100k steps, timed
 * until `flush()` resolves). Printed for the record; the assertions are loose so a busy CI
 * machine does not fail them, the printed figures are what to compare.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { endRun, flush, logMetric, setTrackingUri, startRun } from '../fluent.js';
import { AsyncLogger } from './async-logger.js';
import { closeAllLoggers } from './config.js';
import { closeAllStores } from '../store/store-registry.js';
import { resetFluentState } from '../fluent/state.js';
import { tempDir, tempSqliteStore } from '../__tests__/tracking-fixtures.js';

const KEYS = Array.from({ length: 10 }, (_, i) => `metric_${i}`);
const STEPS = 100_000;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('lablog-bench-'));
  setTrackingUri(`sqlite:///${join(dir, 'bench.db')}`);
});
afterEach(async () => {
  await endRun().catch(() => undefined);
  await closeAllLoggers();
  resetFluentState();
  await closeAllStores();
  setTrackingUri(undefined);
  await cleanup();
});

describe('async logging performance', () => {
  it('logMetric costs about a microsecond or less on the caller', async () => {
    await startRun();
    const perCall = { fluent: [] as number[] };
    let step = 0;
    for (let round = 0; round < 300; round++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 100; i++, step++) logMetric(KEYS[i % 10]!, i, { step });
      perCall.fluent.push(Number(process.hrtime.bigint() - t0) / 100);
      if (round % 10 === 9) await tick(); // let drains run between rounds, as a training loop does
    }
    const fluentMedian = median(perCall.fluent.slice(50));
    const { store, cleanup: c2 } = await tempSqliteStore();
    const logger = new AsyncLogger(store, { shutdownHooks: false });
    const runId = (await store.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] })).info.runId;
    const q = logger.queue(runId);
    const direct: number[] = [];
    for (let round = 0; round < 300; round++) {
      const t0 = process.hrtime.bigint();
      const now = Date.now();
      for (let i = 0; i < 100; i++, step++) q.logMetric(KEYS[i % 10]!, i, now, step);
      direct.push(Number(process.hrtime.bigint() - t0) / 100);
      if (round % 10 === 9) await tick();
    }
    await logger.close();
    await c2();
    const directMedian = median(direct.slice(50));
    console.log(`logMetric per call (median of 100-call rounds): fluent ${fluentMedian.toFixed(0)} ns, RunQueue.logMetric ${directMedian.toFixed(0)} ns`);
    expect(fluentMedian).toBeLessThan(5_000);
  });

  it('ingests 10 keys × 100k steps into SqliteStore at ≥ 1M points/s (reported)', async () => {
    await startRun();
    const t0 = performance.now();
    for (let step = 0; step < STEPS; step++) for (const key of KEYS) logMetric(key, step * 0.001, { step });
    const tCalls = performance.now();
    await flush();
    const t1 = performance.now();
    const tight = (KEYS.length * STEPS) / ((t1 - t0) / 1000);

    await endRun();
    await startRun();
    const t2 = performance.now();
    for (let step = 0; step < STEPS; step++) {
      for (const key of KEYS) logMetric(key, step * 0.001, { step });
      if (step % 100 === 99) await tick(); // a training loop that yields every 100 steps
    }
    await flush();
    const t3 = performance.now();
    const yielding = (KEYS.length * STEPS) / ((t3 - t2) / 1000);
    console.log(
      `ingest into SqliteStore: tight loop ${(tight / 1e6).toFixed(2)} M points/s ` +
        `(calls ${(tCalls - t0).toFixed(0)} ms + flush ${(t1 - tCalls).toFixed(0)} ms); ` +
        `yielding loop ${(yielding / 1e6).toFixed(2)} M points/s (${(t3 - t2).toFixed(0)} ms)`,
    );
    expect(tight).toBeGreaterThan(100_000);
  });
});
