/**
 * Building {@link Tensor}s from JSON-ish values: nested lists to a shape plus leaves, leaves to
 * typed storage of a dtype (with the casts numpy's `np.array(x, dtype=…)` would make from JSON
 * values), and shape checks against a TensorSpec.
 */
import type { Tensor, TensorDtype, TensorStorage } from '@lablog/flavors';
import { allocStorage, dtypeOfStorage } from '@lablog/flavors';
import { badRequest, pyShape, schemaError } from './errors.js';

/** Anything indexable with a length: arrays and typed arrays (Arrow columns arrive as these). */
export type ListLike = ArrayLike<unknown>;

/** True for arrays and typed arrays (not DataView, not strings). */
export function isListLike(x: unknown): x is ListLike {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}

function tfServingError(detail: string): Error {
  return badRequest(
    "Failed to parse data as TF serving input. Ensure that the input is a valid JSON-formatted string that conforms to the request body for TF serving's Predict API as documented at https://www.tensorflow.org/tfx/serving/api_rest#request_format_2" +
      ` (${detail})`,
  );
}

/** Most dimensions a tensor in a request may have (numpy's limit is 64). */
export const MAX_RANK = 32;

/**
 * Walks a nested list: its shape (from the first element at each depth) and its leaves in
 * row-major order. A scalar is a 0-d tensor.
 * @throws LablogError 400 for a ragged list ("inhomogeneous shape").
 */
export function flattenNested(value: unknown, what: string): { shape: number[]; leaves: ListLike } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (isListLike(probe)) {
    if (shape.length === MAX_RANK) throw tfServingError(`input '${what}' has more than ${MAX_RANK} dimensions`);
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (shape.length === 0) return { shape, leaves: [value] };
  if (shape.length === 1) return { shape, leaves: value as ListLike };
  // Filled as the walk goes (not pre-sized from the shape), so a ragged body cannot make it
  // allocate more than the elements it really holds.
  const leaves: unknown[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (!isListLike(node) || node.length !== shape[depth]) {
      throw tfServingError(`input '${what}' has an inhomogeneous shape after ${depth} dimensions`);
    }
    if (depth === shape.length - 1) {
      for (let i = 0; i < node.length; i++) {
        const leaf = node[i];
        if (isListLike(leaf)) throw tfServingError(`input '${what}' has an inhomogeneous shape after ${depth + 1} dimensions`);
        leaves.push(leaf);
      }
      return;
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1);
  };
  walk(value, 0);
  return { shape, leaves };
}


const INT_RANGE: Partial<Record<TensorDtype, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  nan: NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

function shown(v: unknown): string {
  const s = typeof v === 'bigint' ? v.toString() : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

function castError(v: unknown, dtype: TensorDtype, what: string): Error {
  return schemaError(`Incompatible input types for input '${what}': cannot convert ${shown(v)} to ${dtype}.`);
}

function toFloat(v: unknown, dtype: TensorDtype, what: string): number {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    const special = SPECIAL_FLOATS[t.toLowerCase()];
    if (special !== undefined) return special;
    const x = Number(t);
    if (t !== '' && !Number.isNaN(x)) return x;
  }
  throw castError(v, dtype, what);
}

function toInteger(v: unknown, dtype: TensorDtype, what: string): number | bigint {
  let x: number | bigint | undefined;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = v;
  else if (typeof v === 'boolean') x = v ? 1 : 0;
  else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) x = dtype === 'int64' || dtype === 'uint64' ? BigInt(v.trim()) : Number(v);
  else if (typeof v === 'string' && /^\s*[+-]?\d+\.0*\s*$/.test(v)) x = Number(v);
  if (x === undefined || (typeof x === 'number' && !Number.isInteger(x))) throw castError(v, dtype, what);
  if (dtype === 'int64' || dtype === 'uint64') {
    const b = typeof x === 'bigint' ? x : BigInt(x);
    if (dtype === 'uint64' ? b < 0n || b > 0xffffffffffffffffn : b < -(2n ** 63n) || b >= 2n ** 63n) throw castError(v, dtype, what);
    return b;
  }
  const n = Number(x);
  const range = INT_RANGE[dtype]!;
  if (n < range[0] || n > range[1]) throw castError(v, dtype, what);
  return n;
}

function toBool(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === 0 || v === 1) return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1') return 1;
    if (t === 'false' || t === '0') return 0;
  }
  throw castError(v, 'bool', what);
}

function toStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The typed-array class each dtype stores its data in when a source column already matches. */
function sameStorage(leaves: ListLike, dtype: TensorDtype): boolean {
  if (dtype === 'str' || dtype === 'bool') return false;
  return dtypeOfStorage(leaves) === dtype;
}

/**
 * Converts leaves to the storage of `dtype`: numbers and numeric strings to numbers (null → NaN
 * for floats), booleans to 0/1, integers checked to be integral and in range, anything to
 * strings for `str`.
 * @throws LablogError 400 INVALID_PARAMETER_VALUE naming the input for a value that cannot be cast.
 */
export function fillStorage<D extends TensorDtype>(leaves: ListLike, dtype: D, what: string): TensorStorage[D] {
  const n = leaves.length;
  if (sameStorage(leaves, dtype)) return (leaves as unknown as { slice(): TensorStorage[D] }).slice();
  if (dtype === 'str') {
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = toStr(leaves[i]);
    return out as TensorStorage[D];
  }
  const out = allocStorage(dtype, n);
  if (dtype === 'float32' || dtype === 'float64') {
    const f = out as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const v = leaves[i];
      f[i] = typeof v === 'number' ? v : toFloat(v, dtype, what);
    }
  } else if (dtype === 'bool') {
    const b = out as Uint8Array;
    for (let i = 0; i < n; i++) b[i] = toBool(leaves[i], what);
  } else if (dtype === 'int64' || dtype === 'uint64') {
    const b = out as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) b[i] = toInteger(leaves[i], dtype, what) as bigint;
  } else {
    const x = out as Int32Array;
    for (let i = 0; i < n; i++) x[i] = toInteger(leaves[i], dtype, what) as number;
  }
  return out as TensorStorage[D];
}

/**
 * The dtype lablog infers for values without a signature: float32 for numbers (and null),
 * bool for booleans, str otherwise. With `fromText` (CSV cells) numeric and true/false text
 * count as numbers and booleans. Typed arrays keep their own dtype.
 */
export function inferDtype(leaves: ListLike, fromText = false): TensorDtype {
  const stored = dtypeOfStorage(leaves);
  if (stored !== undefined) return stored;
  let numbers = true;
  let bools = true;
  let any = false;
  for (let i = 0; i < leaves.length && (numbers || bools); i++) {
    const v = leaves[i];
    if (v === null || v === undefined) continue;
    any = true;
    if (typeof v === 'number' || typeof v === 'bigint') bools = false;
    else if (typeof v === 'boolean') numbers = false;
    else if (fromText && typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') bools = false;
      if (t === '' || (Number.isNaN(Number(t)) && SPECIAL_FLOATS[t] === undefined)) numbers = false;
    } else {
      numbers = false;
      bools = false;
    }
  }
  if (!any || numbers) return 'float32';
  return bools ? 'bool' : 'str';
}

/**
 * The common JSON body `[[n, n, …], …]` (an array of equal-length arrays of numbers) straight
 * into float storage, without the intermediate leaves; null for anything else (the general path
 * then decides, with its errors). The same values as `fillStorage(flattenNested(…))` would give.
 */
function floatMatrix(value: unknown, dtype: 'float32' | 'float64'): Tensor | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const rows = value.length;
  const first: unknown = value[0];
  if (!Array.isArray(first) || first.length === 0) return null;
  const cols = first.length;
  // Every row checked before allocating, so a ragged body cannot make this allocate more than it holds.
  for (let r = 0; r < rows; r++) {
    const row: unknown = value[r];
    if (!Array.isArray(row) || row.length !== cols) return null;
  }
  const data = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    const row = value[r] as unknown[];
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number') return null;
      data[k++] = v;
    }
  }
  return { dtype, shape: [rows, cols], data } as Tensor;
}

/** Builds a tensor from a nested list, of `dtype` (or inferred), without shape checks. */
export function tensorFromNested(value: unknown, dtype: TensorDtype | null, what: string, fromText = false): Tensor {
  if (dtype === 'float32' || dtype === 'float64' || (dtype === null && !fromText)) {
    // Without a dtype, numbers infer float32 (see inferDtype).
    const fast = floatMatrix(value, dtype ?? 'float32');
    if (fast !== null) return fast;
  }
  const { shape, leaves } = flattenNested(value, what);
  const d = dtype ?? inferDtype(leaves, fromText);
  return { dtype: d, shape, data: fillStorage(leaves, d, what) };
}

/**
 * Checks a shape against a TensorSpec shape (`-1` matches any size).
 * @throws LablogError 400 "Shape of input (…) does not match expected shape (…)." (MLflow's wording).
 */
export function checkShape(actual: readonly number[], expected: readonly number[], what: string): void {
  const ok = actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
  if (!ok) throw schemaError(`Shape of input '${what}' ${pyShape(actual)} does not match expected shape ${pyShape(expected)}.`);
}

/**
 * Reshapes a `[rows, …]` tensor to a spec's shape when only the trailing dimensions differ and
 * the element counts agree (a frame column `[n]` for a `[-1, 1]` spec, `[n, 784]` for
 * `[-1, 28, 28]`); otherwise returns it unchanged for {@link checkShape} to reject.
 */
export function fitRows(t: Tensor, expected: readonly number[]): Tensor {
  if (expected.length === 0 || t.shape.length === 0) return t;
  const rows = t.shape[0]!;
  const trailing = expected.slice(1);
  if (trailing.some((d) => d < 0)) return t;
  const per = trailing.reduce((a, b) => a * b, 1);
  if (rows * per !== t.data.length || (t.shape.length === expected.length && t.shape.every((d, i) => i === 0 || d === expected[i]))) return t;
  return { dtype: t.dtype, shape: [rows, ...trailing], data: t.data };
}
