import { afterEach, describe, expect, it } from 'vitest';
import type { ScoringApp as FastifyInstance } from './app.js';
import type { LoadedModel, ModelSignature, Tensor } from '@lablog/flavors';
import { buildScoringApp } from './app.js';
import { MicroBatcher, batchKey } from './batcher.js';
import { AFFINE_SIGNATURE, affineModel, tableModel } from './__tests__/models.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function row(i: number): number[] {
  return [i, i + 0.5, -i, i * 10];
}
function expected(i: number): number[] {
  return row(i).map((v) => Math.fround(2 * Math.fround(v) + 1));
}

function fire(a: FastifyInstance, bodies: unknown[]) {
  return Promise.all(
    bodies.map((b) => a.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(b) })),
  );
}

describe('micro-batching through the app', () => {
  it('64 concurrent single-row requests: each gets its own prediction, in fewer predict calls', async () => {
    const model = affineModel({ delayMs: 5 });
    app = buildScoringApp({ model, maxBatchSize: 16, maxBatchWaitMs: 50 });
    const replies = await fire(app, Array.from({ length: 64 }, (_, i) => ({ inputs: [row(i)] })));
    replies.forEach((r, i) => {
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ predictions: [expected(i)] });
    });
    // Every row went through the model exactly once, in batches.
    expect(model.log.rows.reduce((a, b) => a + b, 0)).toBe(64);
    expect(model.log.rows.length).toBeLessThan(64);
    expect(Math.max(...model.log.rows)).toBeGreaterThan(1);
    expect(Math.max(...model.log.rows)).toBeLessThanOrEqual(16);
    expect(app.scoringBatcher!.stats.batches).toBeGreaterThan(0);
  });

  it('multi-row requests batch too, and are split back by their own row counts', async () => {
    const model = affineModel({ delayMs: 5 });
    app = buildScoringApp({ model, maxBatchSize: 32, maxBatchWaitMs: 50 });
    const sizes = [1, 3, 2, 5, 1, 4, 2, 1];
    let k = 0;
    const bodies = sizes.map((n) => ({ inputs: Array.from({ length: n }, () => row(k++)) }));
    const replies = await fire(app, bodies);
    k = 0;
    replies.forEach((r, i) => expect(r.json()).toEqual({ predictions: Array.from({ length: sizes[i]! }, () => expected(k++)) }));
    expect(model.log.rows.length).toBeLessThan(sizes.length);
  });

  it('a failing request inside a batch does not fail its neighbours', async () => {
    const model = affineModel({ delayMs: 5, poison: 666 });
    app = buildScoringApp({ model, maxBatchSize: 64, maxBatchWaitMs: 50 });
    const bodies = Array.from({ length: 16 }, (_, i) => ({ inputs: [i === 7 ? [666, 0, 0, 0] : row(i)] }));
    const replies = await fire(app, bodies);
    replies.forEach((r, i) => {
      if (i === 7) {
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toBe('Failed to predict data. Error: value 666 is not allowed');
      } else {
        expect(r.statusCode).toBe(200);
        expect(r.json()).toEqual({ predictions: [expected(i)] });
      }
    });
    expect(app.scoringBatcher!.stats.fallbacks).toBeGreaterThan(0);
  });

  it('requests with params run alone', async () => {
    const model = affineModel({ delayMs: 5 });
    app = buildScoringApp({ model, maxBatchWaitMs: 50 });
    const bodies = Array.from({ length: 8 }, (_, i) => ({ inputs: [row(i)], params: { scale: i } }));
    const replies = await fire(app, bodies);
    replies.forEach((r, i) => expect(r.json()).toEqual({ predictions: [expected(i).map((v) => v * i)] }));
    expect(model.log.rows).toEqual(Array(8).fill(1));
  });

  it('maxBatchWaitMs 0 disables batching', async () => {
    const model = affineModel({ delayMs: 2 });
    app = buildScoringApp({ model, maxBatchWaitMs: 0 });
    await fire(app, Array.from({ length: 10 }, (_, i) => ({ inputs: [row(i)] })));
    expect(model.log.rows).toEqual(Array(10).fill(1));
  });

  it('column models batch by rows', async () => {
    const model = tableModel();
    app = buildScoringApp({ model, maxBatchWaitMs: 50 });
    const replies = await fire(app, Array.from({ length: 20 }, (_, i) => ({ dataframe_records: [{ a: i, b: 1 }] })));
    replies.forEach((r, i) => expect(r.json()).toEqual({ predictions: [i + 1] }));
    expect(model.log.rows.reduce((a, b) => a + b, 0)).toBe(20);
  });
});

describe('MicroBatcher', () => {
  const one = (v: number): Tensor => ({ dtype: 'float32', shape: [1, 4], data: Float32Array.of(v, v, v, v) });

  it('never exceeds maxBatchSize rows', async () => {
    const model = affineModel({ delayMs: 3 });
    const b = new MicroBatcher(model, { maxBatchSize: 4, maxBatchWaitMs: 50 });
    const outs = await Promise.all(Array.from({ length: 30 }, (_, i) => b.predict(one(i))));
    outs.forEach((o, i) => expect(Array.from(o['y']!.data as Float32Array)).toEqual(Array(4).fill(2 * i + 1)));
    expect(Math.max(...model.log.rows)).toBeLessThanOrEqual(4);
    expect(model.log.rows.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('re-runs singly when outputs are not row-aligned', async () => {
    const calls: number[] = [];
    const model: LoadedModel = {
      flavor: 'test',
      metadata: {},
      signature: AFFINE_SIGNATURE,
      async predict(input) {
        const t = input as Tensor;
        calls.push(t.shape[0]!);
        await new Promise((r) => setTimeout(r, 2));
        const s = (t.data as Float32Array).reduce((a, b) => a + b, 0);
        return { total: { dtype: 'float32', shape: [], data: Float32Array.of(s) } };
      },
      async dispose() {},
    };
    const b = new MicroBatcher(model, { maxBatchSize: 64, maxBatchWaitMs: 50 });
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => b.predict(one(i))));
    outs.forEach((o, i) => expect(o['total']!.data[0]).toBe(4 * i));
    expect(b.stats.fallbacks).toBeGreaterThan(0);
  });

  it('batchKey: only signatures with a -1 batch dimension, same trailing shape and dtype', () => {
    const sig = (shape: number[]): ModelSignature => ({ inputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape }] }, outputs: null, params: null });
    expect(batchKey(one(1), sig([-1, 4]))).toEqual({ key: 'T|:float32:4;', rows: 1 });
    expect(batchKey(one(1), sig([1, 4]))).toBeNull();
    expect(batchKey(one(1), null)).toBeNull();
    const wide: Tensor = { dtype: 'float32', shape: [1, 5], data: new Float32Array(5) };
    expect(batchKey(wide, sig([-1, -1]))!.key).not.toBe(batchKey(one(1), sig([-1, -1]))!.key);
  });
});
