/**
 * The scoring server with a real ONNX model: built with @lablog/flavors' buildMlpOnnx, saved
 * with saveModel, loaded with loadModel and run by onnxruntime-node (CPU).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { buildMlpOnnx, loadModel, saveModel, type LoadedModel } from '@lablog/flavors';
import { runCli } from '../cli/program.js';
import { buildScoringApp } from './app.js';
import { startScoringServer, workerEntryPath } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'lablog-serving-onnx-'));
const modelDir = join(dir, 'model');
let model: LoadedModel;
let calls: number[] = [];

/** y = 2x + 1 as a one-layer MLP: W = 2·I (4×4), b = 1. */
function affineOnnx(): Uint8Array {
  const weights = new Float32Array(16);
  for (let i = 0; i < 4; i++) weights[i * 4 + i] = 2;
  return buildMlpOnnx({ layers: [{ inDim: 4, outDim: 4, weights, bias: new Float32Array(4).fill(1), activation: 'none' }], inputName: 'x', outputName: 'y' });
}

beforeAll(async () => {
  await saveModel(affineOnnx(), modelDir, { signature: 'infer', onnx: { providers: ['CPUExecutionProvider'], sessionOptions: { intra_op_num_threads: 1 } } });
  const loaded = await loadModel(modelDir);
  // Count predict calls, to see micro-batches form on the real model.
  model = { ...loaded, signature: loaded.signature, predict: (input, params) => (calls.push(1), loaded.predict(input, params)) };
});
afterAll(async () => {
  await model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const post = (app: ReturnType<typeof buildScoringApp>, payload: string | Buffer, contentType = 'application/json', accept?: string) =>
  app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': contentType, ...(accept ? { accept } : {}) }, payload });

describe('serving an ONNX model', () => {
  it("the saved signature is the graph's: x float32 [-1, 4] → y", () => {
    expect(model.signature?.inputs).toEqual({ kind: 'tensor', specs: [{ kind: 'tensor', name: 'x', dtype: 'float32', shape: [-1, 4] }] });
  });

  it('every payload form gives MLflow onnx pyfunc shapes', async () => {
    const app = buildScoringApp({ model });
    const inputs = await post(app, JSON.stringify({ inputs: [[1, 2, 3, 4]] }));
    expect(inputs.statusCode).toBe(200);
    expect(inputs.json()).toEqual({ predictions: { y: [[3, 5, 7, 9]] } });
    expect((await post(app, JSON.stringify({ inputs: { x: [[0, 0, 0, 0]] } }))).json()).toEqual({ predictions: { y: [[1, 1, 1, 1]] } });
    expect((await post(app, JSON.stringify({ instances: [[1, 1, 1, 1]] }))).json()).toEqual({ predictions: { y: [[3, 3, 3, 3]] } });
    // A DataFrame in gives a DataFrame (records) out, one column per output, as mlflow.onnx's pyfunc.
    const split = await post(app, JSON.stringify({ dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: [[1, 2, 3, 4]] } }));
    expect(split.json()).toEqual({ predictions: [{ y: [3, 5, 7, 9] }] });
    const csv = await post(app, 'a,b,c,d\n1,2,3,4\n0,0,0,0\n', 'text/csv');
    expect(csv.json()).toEqual({ predictions: [{ y: [3, 5, 7, 9] }, { y: [1, 1, 1, 1] }] });
    const ipc = tableToIPC(tableFromArrays({ a: Float32Array.of(1), b: Float32Array.of(2), c: Float32Array.of(3), d: Float32Array.of(4) }), 'stream');
    const arrow = await post(app, Buffer.from(ipc), 'application/vnd.apache.arrow.stream', 'application/vnd.apache.arrow.stream');
    expect(Array.from(tableFromIPC(arrow.rawPayload).getChild('y')!.get(0)!.toArray() as Float32Array)).toEqual([3, 5, 7, 9]);
    const wrong = await post(app, JSON.stringify({ inputs: [[1, 2, 3]] }));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().message).toMatch(/Shape of input 'x' \(1, 3\) does not match expected shape \(-1, 4\)/);
    await app.close();
  });

  it('64 concurrent requests are micro-batched through onnxruntime, each answered with its own row', async () => {
    const app = buildScoringApp({ model, maxBatchSize: 16, maxBatchWaitMs: 20 });
    calls = [];
    const replies = await Promise.all(Array.from({ length: 64 }, (_, i) => post(app, JSON.stringify({ inputs: [[i, -i, i / 2, 0]] }))));
    replies.forEach((r, i) => expect(r.json()).toEqual({ predictions: { y: [[2 * i + 1, -2 * i + 1, i + 1, 1]] } }));
    expect(calls.length).toBeLessThan(64);
    expect(app.scoringBatcher!.stats.batches).toBeGreaterThan(0);
    await app.close();
  });

  it('startScoringServer loads the model by URI (loadModel) and serves it', async () => {
    const server = await startScoringServer({ modelUri: modelDir, port: 0, logger: false });
    try {
      const res = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [[1, 1, 1, 1]]}' });
      expect(await res.json()).toEqual({ predictions: { y: [[3, 3, 3, 3]] } });
    } finally {
      await server.close();
    }
  });

  it('lablog models predict on json, csv and arrow files', async () => {
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: () => undefined };
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ inputs: [[1, 2, 3, 4]] }));
    writeFileSync(join(dir, 'in.csv'), 'a,b,c,d\n1,2,3,4\n');
    writeFileSync(join(dir, 'in.arrow'), tableToIPC(tableFromArrays({ a: Float32Array.of(1), b: Float32Array.of(2), c: Float32Array.of(3), d: Float32Array.of(4) }), 'stream'));
    expect(await runCli(['models', 'predict', '-m', modelDir, '-i', join(dir, 'in.json')], io)).toBe(0);
    expect(JSON.parse(out.pop()!)).toEqual({ predictions: { y: [[3, 5, 7, 9]] } });
    for (const f of ['in.csv', 'in.arrow']) {
      expect(await runCli(['models', 'predict', '-m', modelDir, '-i', join(dir, f), '-o', join(dir, 'out.json')], io)).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual({ predictions: [{ y: [3, 5, 7, 9] }] });
    }
  });
});

// Workers run the compiled worker entry, so this needs `npm run build` (CI builds before testing).
describe.skipIf(workerEntryPath() === null)('workers (node:cluster, built package)', () => {
  it('two workers share the port and both answer', async () => {
    const server = await startScoringServer({ modelUri: modelDir, port: 0, workers: 2, logger: false });
    try {
      expect(server.workers).toBe(2);
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ inputs: [[i, 0, 0, 0]] }) }).then((r) => r.json()),
        ),
      );
      replies.forEach((r, i) => expect(r).toEqual({ predictions: { y: [[2 * i + 1, 1, 1, 1]] } }));
    } finally {
      await server.close();
    }
  });
});
