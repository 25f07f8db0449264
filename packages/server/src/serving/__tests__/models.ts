/**
 * Small hand-written LoadedModels for the scoring tests: real computations with signatures, and
 * a call log to see how requests were batched.
 */
import { LablogError } from '@lablog/tracking';
import type { InferenceParams, LoadedModel, ModelInput, ModelOutput, ModelSignature, Tensor } from '@lablog/flavors';

/** What a test model saw. */
export interface CallLog {
  /** Rows per predict call, in order. */
  rows: number[];
  params: (InferenceParams | undefined)[];
}

function first(input: ModelInput): Tensor {
  if (typeof (input as Tensor).dtype === 'string') return input as Tensor;
  const values = Object.values(input as Record<string, Tensor>);
  if (values.length !== 1) throw new LablogError(`expected one input, got ${values.length}`, 'INVALID_PARAMETER_VALUE');
  return values[0]!;
}

/** Options of {@link affineModel}. */
export interface AffineOptions {
  /** The signature (default: unnamed float32 tensor [-1, 4] in, unnamed float32 tensor out). */
  signature?: ModelSignature | null;
  /** A predict call whose input holds this value throws INVALID_PARAMETER_VALUE. */
  poison?: number;
  /** A predict call whose input holds this value throws a plain Error (an unexpected failure). */
  crash?: number;
  /** Milliseconds each predict takes (a timer, so the event loop keeps running). */
  delayMs?: number;
  /** Output name; default `y`. */
  outputName?: string;
}

/** Default signature of {@link affineModel}. */
export const AFFINE_SIGNATURE: ModelSignature = {
  inputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 4] }] },
  outputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 4] }] },
  params: [{ name: 'scale', type: 'float', default: 1, shape: null }],
};

/** y = (2x + 1) · scale, element-wise, float32; `scale` is an inference param (default 1). */
export function affineModel(options: AffineOptions = {}): LoadedModel & { log: CallLog } {
  const log: CallLog = { rows: [], params: [] };
  return {
    flavor: 'test',
    metadata: {},
    signature: options.signature === undefined ? AFFINE_SIGNATURE : options.signature,
    log,
    async predict(input: ModelInput, params?: InferenceParams): Promise<ModelOutput> {
      const x = first(input);
      log.rows.push(x.shape[0] ?? 1);
      log.params.push(params);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const scale = typeof params?.['scale'] === 'number' ? params['scale'] : 1;
      const xs = x.data as ArrayLike<number>;
      const y = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] === options.poison) throw new LablogError(`value ${options.poison} is not allowed`, 'INVALID_PARAMETER_VALUE');
        if (xs[i] === options.crash) throw new Error('segfault-ish internal detail /secret/path');
        y[i] = (2 * Number(xs[i]) + 1) * scale;
      }
      return { [options.outputName ?? 'y']: { dtype: 'float32', shape: [...x.shape], data: y } };
    },
    async dispose() {},
  };
}

/** Column signature: a double, b long, c string (optional); output an unnamed double column. */
export const TABLE_SIGNATURE: ModelSignature = {
  inputs: {
    kind: 'column',
    specs: [
      { kind: 'column', name: 'a', type: 'double', required: true },
      { kind: 'column', name: 'b', type: 'long', required: true },
      { kind: 'column', name: 'c', type: 'string', required: false },
    ],
  },
  outputs: { kind: 'column', specs: [{ kind: 'column', type: 'double', required: true }] },
  params: null,
};

/** out = a + b + len(c), per row; checks the dtypes it gets. */
export function tableModel(signature: ModelSignature = TABLE_SIGNATURE): LoadedModel & { log: CallLog; seen: Record<string, Tensor>[] } {
  const log: CallLog = { rows: [], params: [] };
  const seen: Record<string, Tensor>[] = [];
  return {
    flavor: 'test',
    metadata: {},
    signature,
    log,
    seen,
    async predict(input: ModelInput): Promise<ModelOutput> {
      const cols = input as Record<string, Tensor>;
      seen.push(cols);
      const a = cols['a']!;
      const b = cols['b']!;
      if (a.dtype !== 'float64' || b.dtype !== 'int64') throw new Error(`bad dtypes ${a.dtype} ${b.dtype}`);
      const n = a.shape[0]!;
      log.rows.push(n);
      const out = new Float64Array(n);
      const c = cols['c']?.data as string[] | undefined;
      for (let i = 0; i < n; i++) out[i] = (a.data as Float64Array)[i]! + Number((b.data as BigInt64Array)[i]!) + (c ? c[i]!.length : 0);
      return { out: { dtype: 'float64', shape: [n], data: out } };
    },
    async dispose() {},
  };
}
