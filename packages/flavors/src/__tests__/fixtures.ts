/** Shared test fixtures: a small MLP's weights, its ONNX bytes, a reference forward pass, temp dirs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { buildMlpOnnx, type MlpLayer } from '../onnx/build-mlp.js';

/** Deterministic pseudo-random floats in [-1, 1). */
export function seededFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** A 4 → 8 (relu) → 3 (softmax) MLP. */
export const MLP_LAYERS: MlpLayer[] = [
  { weights: seededFloats(32, 1), bias: seededFloats(8, 2), inDim: 4, outDim: 8, activation: 'relu' },
  { weights: seededFloats(24, 3), bias: seededFloats(3, 4), inDim: 8, outDim: 3, activation: 'softmax' },
];

/** The MLP's ONNX bytes (input `features`, output `probabilities`). */
export function mlpOnnx(): Uint8Array {
  return buildMlpOnnx({ layers: MLP_LAYERS, inputName: 'features', outputName: 'probabilities' });
}

/** Forward pass in plain JS (float64 arithmetic) for rows of the input. */
export function mlpForward(layers: readonly MlpLayer[], x: Float32Array, rows: number): Float64Array {
  let cur = Float64Array.from(x);
  for (const l of layers) {
    const out = new Float64Array(rows * l.outDim);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < l.outDim; o++) {
        let acc = l.bias[o]!;
        for (let i = 0; i < l.inDim; i++) acc += cur[r * l.inDim + i]! * l.weights[i * l.outDim + o]!;
        out[r * l.outDim + o] = l.activation === 'relu' ? Math.max(0, acc) : acc;
      }
      if (l.activation === 'softmax') {
        const row = out.subarray(r * l.outDim, (r + 1) * l.outDim);
        const m = Math.max(...row);
        let sum = 0;
        row.forEach((v, i) => ((row[i] = Math.exp(v - m)), (sum += row[i]!)));
        row.forEach((v, i) => (row[i] = v / sum));
      }
    }
    cur = out;
  }
  return cur;
}

const dirs: string[] = [];

/** A fresh temporary directory, removed after the test file. */
export async function tempDir(prefix = 'lablog-flavors-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
