import { describe, expect, it } from 'vitest';
import { chunkBatch, paramTagBatches, type PendingParamOrTag } from './batching.js';
import type { Metric } from '../entities/metric.js';

const P = (key: string, value: string): PendingParamOrTag => ({ kind: 0, key, value });
const T = (key: string, value: string): PendingParamOrTag => ({ kind: 1, key, value });
const metrics = (n: number): Metric[] => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));

describe('paramTagBatches', () => {
  it('keeps the last value of a tag and writes a same-valued param once', () => {
    expect(paramTagBatches([T('a', '1'), P('lr', '0.1'), T('a', '2'), P('lr', '0.1')])).toEqual([
      { params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 'a', value: '2' }] },
    ]);
  });

  it('puts a conflicting param value in a later batch', () => {
    const batches = paramTagBatches([P('lr', '0.1'), P('lr', '0.2'), P('lr', '0.3'), P('lr', '0.2')]);
    expect(batches.map((b) => b.params)).toEqual([[{ key: 'lr', value: '0.1' }], [{ key: 'lr', value: '0.2' }], [{ key: 'lr', value: '0.3' }]]);
  });

  it('fills batches up to 100 params and 100 tags', () => {
    const entries = [...Array.from({ length: 250 }, (_, i) => P(`p${i}`, 'v')), ...Array.from({ length: 120 }, (_, i) => T(`t${i}`, 'v'))];
    const batches = paramTagBatches(entries);
    expect(batches.map((b) => [b.params!.length, b.tags!.length])).toEqual([[100, 100], [100, 20], [50, 0]]);
  });
});

describe('chunkBatch', () => {
  it('leaves a batch within the limits whole', () => {
    const b = { metrics: metrics(900), params: [{ key: 'a', value: '1' }], tags: [] };
    expect(chunkBatch(b)).toHaveLength(1);
  });

  it('splits as MLflow: params and tags first, topped up with metrics, then metrics by 1000', () => {
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    const chunks = chunkBatch({ metrics: metrics(2500), params, tags: [] });
    expect(chunks.map((c) => [c.metrics!.length, c.params!.length, c.tags!.length])).toEqual([
      [900, 100, 0],
      [950, 50, 0],
      [650, 0, 0],
    ]);
    expect(chunks.flatMap((c) => c.metrics!).map((m) => m.step)).toEqual([...Array(2500).keys()]);
  });
});
