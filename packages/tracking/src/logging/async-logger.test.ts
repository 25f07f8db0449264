import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncLogger } from './async-logger.js';
import { AsyncLoggingError } from './failure-reporter.js';
import { LablogError } from '../errors.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { recordingStore, tempSqliteStore, type RecordingStore } from '../__tests__/tracking-fixtures.js';

let sqlite: SqliteStore;
let cleanup: () => Promise<void>;
let rec: RecordingStore;
let logger: AsyncLogger;
let reports: string[];
let runId: string;

beforeEach(async () => {
  const t = await tempSqliteStore();
  sqlite = t.store;
  cleanup = t.cleanup;
  rec = recordingStore(sqlite);
  reports = [];
  logger = new AsyncLogger(rec.store, { flushIntervalMs: 20, reporter: (m) => reports.push(m), shutdownHooks: false });
  runId = (await sqlite.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] })).info.runId;
});

afterEach(async () => {
  await logger.close();
  await cleanup();
});

describe('AsyncLogger', () => {
  it('merges points into logBatch calls within MLflow limits', async () => {
    const q = logger.queue(runId);
    for (let i = 0; i < 2500; i++) q.logMetric('loss', i, 1000 + i, i);
    for (let i = 0; i < 150; i++) q.logParamOrTag(0, `p${i}`, String(i));
    for (let i = 0; i < 250; i++) q.logParamOrTag(1, `t${i % 120}`, String(i));
    await logger.flush();
    for (const { batch } of rec.calls) {
      const m = batch.metrics?.length ?? 0;
      const p = batch.params?.length ?? 0;
      const t = batch.tags?.length ?? 0;
      expect(m).toBeLessThanOrEqual(1000);
      expect(p).toBeLessThanOrEqual(100);
      expect(t).toBeLessThanOrEqual(100);
      expect(m + p + t).toBeLessThanOrEqual(1000);
    }
    // 2500 metrics → 3 calls; 150 params + 120 distinct tags → 2 calls.
    expect(rec.calls.length).toBe(5);
    const history = await sqlite.getMetricHistory(runId, 'loss');
    expect(history.items.map((m) => m.step)).toEqual([...Array(2500).keys()]);
    const run = await sqlite.getRun(runId);
    expect(run.data.params).toHaveLength(150);
    expect(run.data.tags.find((t) => t.key === 't5')?.value).toBe('245'); // last write wins
  });

  it('writes params and tags before the metrics of the same flush, in call order', async () => {
    const q = logger.queue(runId);
    q.logMetric('m', 1, 1, 0);
    q.logParamOrTag(1, 'stage', 'a');
    q.logParamOrTag(0, 'lr', '0.1');
    q.logParamOrTag(1, 'stage', 'b');
    await logger.flush();
    expect(rec.calls[0]!.batch.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(rec.calls[0]!.batch.tags).toEqual([{ key: 'stage', value: 'b' }]);
    expect(rec.calls[1]!.batch.metrics).toHaveLength(1);
  });

  it('keeps metric order across keys and across flushes', async () => {
    const q = logger.queue(runId);
    for (let i = 0; i < 30; i++) {
      q.logMetric('a', i, 10 + i, i);
      q.logMetric('b', -i, 10 + i, i);
      if (i % 10 === 0) await logger.flush();
    }
    await logger.flush();
    const written = rec.calls.flatMap((c) => c.batch.metrics ?? []);
    expect(written.filter((m) => m.key === 'a').map((m) => m.step)).toEqual([...Array(30).keys()]);
    expect(written.filter((m) => m.key === 'b').map((m) => m.step)).toEqual([...Array(30).keys()]);
    expect(written.map((m) => m.key).slice(0, 4)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('flushes on its timer without being asked', async () => {
    logger.logMetric(runId, 'x', 1);
    expect(rec.calls).toHaveLength(0);
    await vi.waitFor(() => expect(rec.calls).toHaveLength(1), { timeout: 2000, interval: 5 });
    expect((await sqlite.getMetricHistory(runId, 'x')).items).toHaveLength(1);
  });

  it('schedules a drain (not a synchronous write) once a batch is full', async () => {
    const q = logger.queue(runId);
    for (let i = 0; i < 1000; i++) q.logMetric('x', i, 1, i);
    expect(rec.calls).toHaveLength(0); // nothing written during the call
    await new Promise((r) => setImmediate(r));
    await vi.waitFor(() => expect(rec.calls).toHaveLength(1), { timeout: 1000, interval: 1 });
  });

  it('never runs two logBatch calls for one run at once', async () => {
    rec.delay(3);
    const q = logger.queue(runId);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1500; i++) q.logMetric('x', i, 1, round * 1500 + i);
      void logger.flushRun(q);
      await new Promise((r) => setTimeout(r, 1));
    }
    await logger.flush();
    expect(rec.maxConcurrentPerRun()).toBe(1);
    expect((await sqlite.getMetricHistory(runId, 'x')).items).toHaveLength(7500);
  });

  it('never throws into the caller; flush() rejects with the store failure', async () => {
    rec.failWhen(() => new LablogError('disk on fire', 'IO_ERROR'));
    expect(() => logger.logMetric(runId, 'x', 1)).not.toThrow();
    const error = await logger.flush().catch((e: unknown) => e);
    expect(LablogError.is(error)).toBe(true);
    expect((error as LablogError).errorCode).toBe('IO_ERROR');
    // surfaced once: the next flush is clean
    rec.failWhen(undefined);
    await expect(logger.flush()).resolves.toBeUndefined();
  });

  it('reports a failure once per kind, then a count; flush() aggregates', async () => {
    rec.failWhen(() => new LablogError('backend down', 'TEMPORARILY_UNAVAILABLE'));
    for (let i = 0; i < 5; i++) {
      logger.logMetric(runId, 'x', i);
      await logger.flushQueued();
    }
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('backend down');
    const error = await logger.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsyncLoggingError);
    expect((error as AsyncLoggingError).errors).toHaveLength(5);
    expect((error as AsyncLoggingError).errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(reports).toHaveLength(2);
    expect(reports[1]).toMatch(/5 times/);
  });

  it('rejects invalid keys without throwing, and reports them', async () => {
    const q = logger.queue(runId);
    expect(() => q.logMetric('bad//key', 1, 1, 0)).not.toThrow();
    q.logMetric('good', 1, 1, 0);
    await expect(logger.flush()).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect((await sqlite.getMetricHistory(runId, 'good')).items).toHaveLength(1);
    expect(reports).toHaveLength(1);
  });

  it('surfaces a param conflict on flush, while the rest of the data is written', async () => {
    const q = logger.queue(runId);
    q.logParamOrTag(0, 'lr', '0.1');
    q.logParamOrTag(0, 'lr', '0.1'); // same value: fine
    q.logParamOrTag(0, 'lr', '0.2'); // conflict
    q.logMetric('loss', 1, 1, 0);
    const error = await logger.flush().catch((e: unknown) => e);
    expect((error as LablogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect((error as LablogError).message).toMatch(/Changing param values is not allowed/);
    const run = await sqlite.getRun(runId);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(run.data.metrics).toHaveLength(1);
  });

  it('synchronous writes wait for the store and come after queued data', async () => {
    const q = logger.queue(runId);
    q.logMetric('x', 1, 1, 0);
    await logger.logBatchNow(q, { metrics: [{ key: 'x', value: 2, timestamp: 2, step: 1 }] });
    expect((await sqlite.getMetricHistory(runId, 'x')).items.map((m) => m.value)).toEqual([1, 2]);
    await expect(logger.logBatchNow(q, { params: [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }] })).rejects.toBeInstanceOf(LablogError);
  });

  it('bounds memory: drops beyond maxQueuedPoints, reports it, and offers back-pressure', async () => {
    const small = new AsyncLogger(rec.store, { maxQueuedPoints: 4000, reporter: (m) => reports.push(m), shutdownHooks: false });
    const q = small.queue(runId);
    let promises = 0;
    for (let i = 0; i < 5000; i++) if (q.logMetric('x', i, 1, i) !== undefined) promises++;
    expect(q.size).toBe(4000);
    expect(promises).toBe(3000); // from half full on, callers get a promise to await
    await expect(small.flush()).rejects.toMatchObject({ errorCode: 'RESOURCE_EXHAUSTED' });
    // An awaiting loop never drops.
    for (let i = 0; i < 20000; i++) await q.logMetric('y', i, 1, i);
    await small.flush();
    expect((await sqlite.getMetricHistory(runId, 'y')).items).toHaveLength(20000);
    await small.close();
  });

  it('reports items lost when the run could not be created', async () => {
    const q = logger.pendingQueue(Promise.reject(new LablogError('no such experiment', 'RESOURCE_DOES_NOT_EXIST')));
    q.logMetric('x', 1, 1, 0);
    await expect(logger.flush()).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    expect(reports[0]).toMatch(/1 item not logged/);
  });
});
