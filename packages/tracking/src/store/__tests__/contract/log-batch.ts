/**
 * Tracking contract: logBatch, the primitive write (ref §2.1, §2.3, §5, §17, §18).
 */
import { describe, expect, it } from 'vitest';
import type { TrackingContext } from './tracking-context.js';
import { expectError, keyCount, latestOf, metric, newRun, T0, tagOf } from './helpers.js';
import type { Metric } from '../../../entities/metric.js';
import type { Param } from '../../../entities/param.js';
import type { Tag } from '../../../entities/tag.js';
import type { TrackingStore } from '../../tracking-store.js';

const MAX_DOUBLE = 1.7976931348623157e308;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function history(store: TrackingStore, runId: string, key: string): Promise<Metric[]> {
  return (await store.getMetricHistory(runId, key)).items;
}

/** Asserts the run holds no metric, no param and none of the given tag keys. */
async function expectNothingWritten(store: TrackingStore, runId: string, tagKeys: string[] = []): Promise<void> {
  const run = await store.getRun(runId);
  expect(run.data.metrics, 'no metric written').toEqual([]);
  expect(run.data.params, 'no param written').toEqual([]);
  for (const k of tagKeys) expect(tagOf(run.data.tags, k), `tag ${k} not written`).toBeUndefined();
}

/** Metrics, params and tags through logBatch: semantics, limits, validation and atomicity. */
export function addLogBatchTests(ctx: () => TrackingContext): void {
  describe('logBatch: metrics', () => {
    it('appends metric points; history holds every point, run data the latest', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: [metric('loss', 0.5, T0, 0), metric('loss', 0.25, T0 + 1, 1)] });
      await store.logBatch(info.runId, { metrics: [metric('loss', 0.125, T0 + 2, 2), metric('acc', 0.9, T0 + 2, 2)] });
      const h = await history(store, info.runId, 'loss');
      expect(h.map((m) => [m.key, m.value, m.timestamp, m.step])).toEqual([
        ['loss', 0.5, T0, 0],
        ['loss', 0.25, T0 + 1, 1],
        ['loss', 0.125, T0 + 2, 2],
      ]);
      const run = await store.getRun(info.runId);
      expect(run.data.metrics.map((m) => m.key).sort()).toEqual(['acc', 'loss']);
      expect(latestOf(run, 'loss')).toMatchObject({ key: 'loss', value: 0.125, timestamp: T0 + 2, step: 2 });
    });

    it('treats an exact duplicate point as the store kind promises (file: append, SQL: dedup)', async () => {
      const { store, options } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: [metric('m', 1, T0, 0)] });
      await store.logBatch(info.runId, { metrics: [metric('m', 1, T0, 0)] });
      await store.logBatch(info.runId, { metrics: [metric('m', 2, T0, 0)] });
      const values = (await history(store, info.runId, 'm')).map((m) => m.value);
      expect(values).toEqual(options.duplicateMetricPoints === 'append' ? [1, 1, 2] : [1, 2]);
    });

    it('reports as latest the point with the greatest (step, timestamp, value)', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, {
        metrics: [
          metric('a', 10, T0 + 100, 1),
          metric('a', 20, T0 + 50, 2), // higher step wins over a later timestamp
          metric('a', 5, T0 + 10, 0),
          metric('b', 1, T0 + 100, 3),
          metric('b', 2, T0 + 200, 3), // same step: later timestamp wins
          metric('b', 9, T0 + 150, 3),
          metric('c', 3, T0, 7),
          metric('c', 8, T0, 7), // same step and timestamp: greater value wins
          metric('c', 4, T0, 7),
        ],
      });
      // logged in a later batch but older: must not become latest
      await store.logBatch(info.runId, { metrics: [metric('a', 99, T0 + 1000, 0), metric('b', 100, T0 + 199, 3)] });
      const run = await store.getRun(info.runId);
      expect(latestOf(run, 'a')).toMatchObject({ value: 20, step: 2, timestamp: T0 + 50 });
      expect(latestOf(run, 'b')).toMatchObject({ value: 2, step: 3, timestamp: T0 + 200 });
      expect(latestOf(run, 'c')).toMatchObject({ value: 8, step: 7, timestamp: T0 });
    });

    it('round-trips NaN and ±Infinity', async () => {
      const { store, options } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, {
        metrics: [metric('nan', NaN, T0, 0), metric('pinf', Infinity, T0, 0), metric('ninf', -Infinity, T0, 0), metric('small', 1e-5, T0, 0)],
      });
      const run = await store.getRun(info.runId);
      expect(Number.isNaN(latestOf(run, 'nan')?.value)).toBe(true);
      expect(Number.isNaN((await history(store, info.runId, 'nan'))[0]?.value)).toBe(true);
      const accepted = (sign: 1 | -1): number[] => (options.infinityMayBeClamped ? [sign * Infinity, sign * MAX_DOUBLE] : [sign * Infinity]);
      expect(accepted(1)).toContain(latestOf(run, 'pinf')?.value);
      expect(accepted(-1)).toContain(latestOf(run, 'ninf')?.value);
      expect(accepted(1)).toContain((await history(store, info.runId, 'pinf'))[0]?.value);
      expect(accepted(-1)).toContain((await history(store, info.runId, 'ninf'))[0]?.value);
      expect(latestOf(run, 'small')?.value).toBe(1e-5);
    });

    it('accepts negative steps and rejects negative or fractional timestamps', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: [metric('s', 1, T0, -5)] });
      expect((await history(store, info.runId, 's'))[0]?.step).toBe(-5);
      await expectError(store.logBatch(info.runId, { metrics: [metric('t', 1, -1, 0)] }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.logBatch(info.runId, { metrics: [metric('t', 1, 1.5, 0)] }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.logBatch(info.runId, { metrics: [metric('t', 1, T0, 0.5)] }), 'INVALID_PARAMETER_VALUE');
      expect(await history(store, info.runId, 't')).toEqual([]);
    });
  });

  describe('logBatch: params and tags', () => {
    it('params are write-once: the same value is fine, another value is INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { params: [{ key: 'lr', value: '0.01' }] });
      await store.logBatch(info.runId, { params: [{ key: 'lr', value: '0.01' }] });
      await expectError(
        store.logBatch(info.runId, { params: [{ key: 'lr', value: '0.02' }] }),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
        "'lr'",
      );
      const run = await store.getRun(info.runId);
      expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
      const other = await newRun(store, '0');
      await store.logBatch(other.info.runId, { params: [{ key: 'lr', value: '0.02' }] });
      expect((await store.getRun(other.info.runId)).data.params).toEqual([{ key: 'lr', value: '0.02' }]);
    });

    it('params compare exact strings ("1" and "1.0" differ)', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { params: [{ key: 'n', value: '1' }, { key: 'empty', value: '' }] });
      await expectError(store.logBatch(info.runId, { params: [{ key: 'n', value: '1.0' }] }), 'INVALID_PARAMETER_VALUE', 'Changing param values is not allowed');
      const params = (await store.getRun(info.runId)).data.params;
      expect([...params].sort((a, b) => a.key.localeCompare(b.key))).toEqual([{ key: 'empty', value: '' }, { key: 'n', value: '1' }]);
    });

    it('tags overwrite, and the last value wins within one batch', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0', { tags: [{ key: 't', value: 'a' }] });
      await store.logBatch(info.runId, { tags: [{ key: 't', value: 'b' }] });
      expect(tagOf((await store.getRun(info.runId)).data.tags, 't')).toBe('b');
      await store.logBatch(info.runId, { tags: [{ key: 't', value: 'c' }, { key: 'u', value: '1' }, { key: 't', value: 'd' }] });
      const tags = (await store.getRun(info.runId)).data.tags;
      expect(tagOf(tags, 't')).toBe('d');
      expect(keyCount(tags, 't')).toBe(1);
      expect(tagOf(tags, 'u')).toBe('1');
    });

    it('rejects duplicate param keys within one batch, even with equal values', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await expectError(store.logBatch(info.runId, { params: [{ key: 'p', value: '1' }, { key: 'p', value: '2' }] }), 'INVALID_PARAMETER_VALUE');
      await expectError(store.logBatch(info.runId, { params: [{ key: 'q', value: '1' }, { key: 'q', value: '1' }] }), 'INVALID_PARAMETER_VALUE');
      await expectNothingWritten(store, info.runId);
    });

    it('truncates a param value over 6000 characters to 6000 (default policy)', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const v6000 = 'a'.repeat(6000);
      await store.logBatch(info.runId, { params: [{ key: 'exact', value: v6000 }, { key: 'long', value: 'b'.repeat(6001) }] });
      const params = (await store.getRun(info.runId)).data.params;
      expect(params.find((p) => p.key === 'exact')?.value).toBe(v6000);
      expect(params.find((p) => p.key === 'long')?.value).toBe('b'.repeat(6000));
    });

    it('truncates a run tag value over 8000 characters to 8000 (default policy)', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { tags: [{ key: 'exact', value: 'a'.repeat(8000) }, { key: 'long', value: 'b'.repeat(8001) }] });
      const tags = (await store.getRun(info.runId)).data.tags;
      expect(tagOf(tags, 'exact')).toBe('a'.repeat(8000));
      expect(tagOf(tags, 'long')).toBe('b'.repeat(8000));
    });
  });

  describe('logBatch: validation and atomicity', () => {
    it('accepts exactly 1000 metrics, 100 params and 100 tags', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: range(1000).map((i) => metric('m', i, T0 + i, i)) });
      expect(await history(store, info.runId, 'm')).toHaveLength(1000);
      await store.logBatch(info.runId, {
        params: range(100).map((i) => ({ key: `p${i}`, value: String(i) })),
        tags: range(100).map((i) => ({ key: `t${i}`, value: String(i) })),
      });
      const run = await store.getRun(info.runId);
      expect(run.data.params).toHaveLength(100);
      expect(run.data.tags.filter((t) => /^t\d+$/.test(t.key))).toHaveLength(100);
    });

    it('rejects 1001 metrics, 101 params, 101 tags and over 1000 entities in all, writing nothing', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const metrics = (n: number): Metric[] => range(n).map((i) => metric(`m${i % 3}`, i, T0 + i, i));
      const params = (n: number): Param[] => range(n).map((i) => ({ key: `p${i}`, value: 'v' }));
      const tags = (n: number): Tag[] => range(n).map((i) => ({ key: `t${i}`, value: 'v' }));
      await expectError(store.logBatch(info.runId, { metrics: metrics(1001) }), 'INVALID_PARAMETER_VALUE', 'at most 1000 metrics');
      await expectError(store.logBatch(info.runId, { params: params(101), metrics: metrics(3) }), 'INVALID_PARAMETER_VALUE', 'at most 100 params');
      await expectError(store.logBatch(info.runId, { tags: tags(101), metrics: metrics(3) }), 'INVALID_PARAMETER_VALUE', 'at most 100 tags');
      await expectError(store.logBatch(info.runId, { metrics: metrics(900), params: params(100), tags: tags(1) }), 'INVALID_PARAMETER_VALUE');
      await expectNothingWritten(store, info.runId, ['t0', 't100']);
    });

    it('rejects invalid keys for metrics, params and tags with INVALID_PARAMETER_VALUE', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const bad: [string, RegExp | string][] = [
        ['bad key!', 'Names may only contain'],
        ['../x', 'must not resolve to other names'],
        ['a//b', 'must not resolve to other names'],
        ['./a', 'must not resolve to other names'],
        ['a/', 'must not resolve to other names'],
        ['/a', /./],
        ['', /./],
        ['k'.repeat(251), /250/],
      ];
      for (const [key, fragment] of bad) {
        await expectError(store.logBatch(info.runId, { metrics: [metric(key, 1)] }), 'INVALID_PARAMETER_VALUE', fragment);
        await expectError(store.logBatch(info.runId, { params: [{ key, value: 'v' }] }), 'INVALID_PARAMETER_VALUE', fragment);
        await expectError(store.logBatch(info.runId, { tags: [{ key, value: 'v' }] }), 'INVALID_PARAMETER_VALUE', fragment);
      }
      await expectNothingWritten(store, info.runId);
    });

    it('accepts keys with slashes, dots, dashes, spaces, colons and non-ASCII letters, up to 250 characters', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const keys = ['train/loss', 'a.b-c d:e', 'précision', 'метрика_1', 'k'.repeat(250)];
      await store.logBatch(info.runId, {
        metrics: keys.map((k) => metric(k, 1)),
        params: keys.map((k) => ({ key: k, value: 'v' })),
        tags: keys.map((k) => ({ key: k, value: 'v' })),
      });
      const run = await store.getRun(info.runId);
      expect(run.data.metrics.map((m) => m.key).sort()).toEqual([...keys].sort());
      expect(run.data.params.map((p) => p.key).sort()).toEqual([...keys].sort());
      for (const k of keys) expect(tagOf(run.data.tags, k)).toBe('v');
      expect(await history(store, info.runId, 'train/loss')).toHaveLength(1);
    });

    it('a batch rejected for a changed param writes none of its metrics, params or tags', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { params: [{ key: 'lr', value: '0.01' }] });
      await expectError(
        store.logBatch(info.runId, {
          metrics: [metric('loss', 1, T0, 0), metric('loss', 0.5, T0 + 1, 1)],
          params: [{ key: 'fresh', value: 'x' }, { key: 'lr', value: '0.02' }],
          tags: [{ key: 'note', value: 'x' }],
        }),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
      );
      const run = await store.getRun(info.runId);
      expect(run.data.metrics).toEqual([]);
      expect(await history(store, info.runId, 'loss')).toEqual([]);
      expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
      expect(tagOf(run.data.tags, 'note')).toBeUndefined();
    });

    it('a batch with one invalid entry writes nothing', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await expectError(
        store.logBatch(info.runId, { metrics: [metric('ok', 1), metric('bad key!', 2)], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'v' }] }),
        'INVALID_PARAMETER_VALUE',
      );
      await expectError(
        store.logBatch(info.runId, { metrics: [metric('ok', 1)], params: [{ key: 'p', value: 'v' }], tags: [{ key: '../t', value: 'v' }] }),
        'INVALID_PARAMETER_VALUE',
      );
      await expectNothingWritten(store, info.runId, ['t', '../t']);
      expect(await history(store, info.runId, 'ok')).toEqual([]);
    });

    it('concurrent batches all land', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await Promise.all(
        range(20).map((b) =>
          store.logBatch(info.runId, {
            metrics: range(10).map((i) => metric('m', b * 10 + i, T0 + b * 10 + i, b * 10 + i)),
            params: [{ key: `p${b}`, value: String(b) }],
            tags: [{ key: `t${b}`, value: String(b) }],
          }),
        ),
      );
      const h = await history(store, info.runId, 'm');
      expect(h.map((m) => m.step).sort((a, b) => a - b)).toEqual(range(200));
      const run = await store.getRun(info.runId);
      expect(run.data.params).toHaveLength(20);
      expect(latestOf(run, 'm')?.step).toBe(199);
    });

    it('of two concurrent batches setting one param to different values, exactly one wins', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const results = await Promise.allSettled([
        store.logBatch(info.runId, { metrics: [metric('a', 1)], params: [{ key: 'k', value: 'first' }] }),
        store.logBatch(info.runId, { metrics: [metric('b', 2)], params: [{ key: 'k', value: 'second' }] }),
      ]);
      const ok = results.map((r) => r.status === 'fulfilled');
      expect(ok.filter(Boolean)).toHaveLength(1);
      const winner = ok[0] ? 'first' : 'second';
      const run = await store.getRun(info.runId);
      expect(run.data.params).toEqual([{ key: 'k', value: winner }]);
      expect(run.data.metrics.map((m) => m.key)).toEqual([ok[0] ? 'a' : 'b']);
    });

    it('an empty batch is a no-op', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, {});
      await store.logBatch(info.runId, { metrics: [], params: [], tags: [] });
      await expectNothingWritten(store, info.runId);
    });
  });
}
