import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { saveModel } from '../save-model.js';
import { loadModel } from '../load-model.js';
import { inferSignatureFromTfjsModel } from '../infer-signature.js';
import { buildMlpOnnx } from '../onnx/build-mlp.js';
import { seededFloats, tempDir } from '../__tests__/fixtures.js';
import type { Tensor } from '../tensor.js';

tf.setBackend('cpu');

function makeModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

describe('tfjs flavor', () => {
  it('saves model.json + one weight shard under data/ and loads the same predictions', async () => {
    const model = makeModel();
    const dir = join(await tempDir(), 'model');
    const example = tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    await saveModel(model, dir, { inputExample: example });
    expect((await readdir(join(dir, 'data'))).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const mlmodel = parse(await readFile(join(dir, 'MLmodel'), 'utf8'));
    expect(mlmodel.flavors).toEqual({ tfjs: { code: null, data: 'data', model_format: 'layers-model', tfjs_version: tf.version_layers } });
    expect(mlmodel.signature.inputs).toBe('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]');
    expect(mlmodel.signature.outputs).toBe('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]');
    expect(await readFile(join(dir, 'input_example.json'), 'utf8')).toBe('[[0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645]]');

    const x: Tensor<'float32'> = { dtype: 'float32', shape: [6, 4], data: seededFloats(24, 5) };
    const expected = (model.predict(tf.tensor(x.data, [6, 4])) as tf.Tensor).dataSync();
    const loaded = await loadModel(dir);
    expect(loaded.flavor).toBe('tfjs');
    const out = Object.values(await loaded.predict(x))[0]!;
    expect(out.shape).toEqual([6, 3]);
    Array.from(out.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    // float64 input is cast to float32 by the signature
    const out64 = Object.values(await loaded.predict({ dtype: 'float64', shape: [6, 4], data: Float64Array.from(x.data) }))[0]!;
    expect(Array.from(out64.data as Float32Array)).toEqual(Array.from(out.data as Float32Array));
    await loaded.dispose();
  });

  it('infers a named signature for a multi-input model', () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const b = tf.input({ shape: [2], name: 'b' });
    const y = tf.layers.dense({ units: 1, name: 'y' }).apply(tf.layers.concatenate().apply([a, b])) as tf.SymbolicTensor;
    const sig = inferSignatureFromTfjsModel(tf.model({ inputs: [a, b], outputs: y }));
    expect(sig.inputs).toEqual({
      kind: 'tensor',
      specs: [
        { kind: 'tensor', dtype: 'float32', shape: [-1, 3], name: 'a' },
        { kind: 'tensor', dtype: 'float32', shape: [-1, 2], name: 'b' },
      ],
    });
    expect(sig.outputs).toEqual({ kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 1] }] });
  });

  it('serves an ONNX MLP built from the tfjs weights with the same predictions', async () => {
    const model = makeModel();
    const [k0, b0, k1, b1] = model.getWeights().map((w) => w.dataSync() as Float32Array);
    const onnx = buildMlpOnnx({
      layers: [
        { weights: k0!, bias: b0!, inDim: 4, outDim: 8, activation: 'relu' },
        { weights: k1!, bias: b1!, inDim: 8, outDim: 3, activation: 'softmax' },
      ],
    });
    const dir = join(await tempDir(), 'model');
    await saveModel({ onnx }, dir, { signature: 'infer', onnx: { providers: ['CPUExecutionProvider'] } });
    const x = seededFloats(8, 11);
    const expected = (model.predict(tf.tensor(x, [2, 4])) as tf.Tensor).dataSync();
    const loaded = await loadModel(dir);
    const out = (await loaded.predict({ input: { dtype: 'float32', shape: [2, 4], data: x } })).output!;
    Array.from(out.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    await loaded.dispose();
  });
});
