/**
 * Tracking contract: metric history (ref §2.5) and dataset inputs (ref §14).
 */
import { describe, expect, it } from 'vitest';
import type { TrackingContext } from './tracking-context.js';
import { collectPages, expectError, metric, newRun, T0, tagOf } from './helpers.js';
import type { Metric } from '../../../entities/metric.js';
import type { DatasetInput } from '../../../entities/dataset.js';
import type { MetricHistoryArgs } from '../../tracking-store.js';

const CONTEXT_TAG = 'mlflow.data.context';

function input(name: string, digest: string, context?: string, extra: { key: string; value: string }[] = []): DatasetInput {
  const tags = [...extra];
  if (context !== undefined) tags.push({ key: CONTEXT_TAG, value: context });
  return {
    dataset: { name, digest, sourceType: 'local', source: `{"uri": "/data/${name}.csv"}`, schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 3}' },
    tags,
  };
}

/** getMetricHistory and logInputs. */
export function addHistoryAndInputTests(ctx: () => TrackingContext): void {
  describe('getMetricHistory', () => {
    it('returns every point of a key in logged order, other keys excluded', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const points: Metric[] = [metric('m', 3, T0 + 300, 2), metric('m', 1, T0 + 100, 0), metric('other', 7, T0, 0), metric('m', 2, T0 + 200, 1)];
      await store.logBatch(info.runId, { metrics: points.slice(0, 2) });
      await store.logBatch(info.runId, { metrics: points.slice(2) });
      const h = (await store.getMetricHistory(info.runId, 'm')).items;
      expect(h.map((p) => [p.key, p.value, p.timestamp, p.step])).toEqual([
        ['m', 3, T0 + 300, 2],
        ['m', 1, T0 + 100, 0],
        ['m', 2, T0 + 200, 1],
      ]);
    });

    it('returns an empty history for a key never logged', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: [metric('m', 1)] });
      const page = await store.getMetricHistory(info.runId, 'nope');
      expect(page.items).toEqual([]);
      expect(page.nextPageToken ?? '').toBe('');
    });

    it('pages with maxResults, without duplicates or gaps', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logBatch(info.runId, { metrics: Array.from({ length: 7 }, (_, i) => metric('m', i, T0 + i, i)) });
      const { items, pages } = await collectPages((pageToken) => {
        const a: MetricHistoryArgs = { maxResults: 3 };
        if (pageToken !== undefined) a.pageToken = pageToken;
        return store.getMetricHistory(info.runId, 'm', a);
      }, 3);
      expect(items.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(pages[0]).toHaveLength(3);
      expect(pages[1]).toHaveLength(3);
      const all = await store.getMetricHistory(info.runId, 'm');
      expect(all.items).toHaveLength(7);
      expect(all.nextPageToken ?? '').toBe('');
      await expectError(store.getMetricHistory(info.runId, 'm', { maxResults: 3, pageToken: '%%%' }), 'INVALID_PARAMETER_VALUE');
    });
  });

  describe('logInputs', () => {
    it('records dataset inputs with their tags, visible in getRun().inputs', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logInputs(info.runId, [input('train', 'aaaa1111', 'training', [{ key: 'split', value: '80' }]), input('eval', 'bbbb2222', 'eval')]);
      const run = await store.getRun(info.runId);
      const inputs = run.inputs.datasetInputs;
      expect(inputs).toHaveLength(2);
      const train = inputs.find((d) => d.dataset.name === 'train');
      expect(train?.dataset).toEqual(input('train', 'aaaa1111').dataset);
      expect(tagOf(train?.tags ?? [], CONTEXT_TAG)).toBe('training');
      expect(tagOf(train?.tags ?? [], 'split')).toBe('80');
      const evalInput = inputs.find((d) => d.dataset.name === 'eval');
      expect(tagOf(evalInput?.tags ?? [], CONTEXT_TAG)).toBe('eval');
    });

    it('deduplicates per (name, digest) and run; another digest is another dataset', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      await store.logInputs(info.runId, [input('train', 'aaaa1111', 'training')]);
      await store.logInputs(info.runId, [input('train', 'aaaa1111', 'training')]);
      expect((await store.getRun(info.runId)).inputs.datasetInputs).toHaveLength(1);
      await store.logInputs(info.runId, [input('train', 'cccc3333', 'training')]);
      const inputs = (await store.getRun(info.runId)).inputs.datasetInputs;
      expect(inputs.map((d) => d.dataset.digest).sort()).toEqual(['aaaa1111', 'cccc3333']);
      const other = await newRun(store, '0');
      await store.logInputs(other.info.runId, [input('train', 'aaaa1111', 'eval')]);
      const otherInputs = (await store.getRun(other.info.runId)).inputs.datasetInputs;
      expect(otherInputs).toHaveLength(1);
      expect(tagOf(otherInputs[0]?.tags ?? [], CONTEXT_TAG)).toBe('eval');
      expect((await store.getRun(info.runId)).inputs.datasetInputs).toHaveLength(2);
    });

    it('rejects a dataset missing a required field with INVALID_PARAMETER_VALUE, writing nothing', async () => {
      const { store } = ctx();
      const { info } = await newRun(store, '0');
      const bad: DatasetInput = { dataset: { name: 'x', digest: '', sourceType: 'local', source: '{}' }, tags: [] };
      await expectError(store.logInputs(info.runId, [input('ok', 'dddd4444'), bad]), 'INVALID_PARAMETER_VALUE');
      expect((await store.getRun(info.runId)).inputs.datasetInputs).toEqual([]);
    });
  });
}
