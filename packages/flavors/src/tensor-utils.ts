/**
 * Helpers over the framework-neutral {@link Tensor}: build, check, cast, and convert to and from
 * nested JSON lists (numpy's `tolist()` / `np.array(list)`).
 */
import { invalidParameter } from '@lablog/tracking';
import type { Tensor, TensorDtype, TensorStorage } from './tensor.js';
import { PyFloat, type PyJsonValue } from './py-json.js';

type NumericDtype = Exclude<TensorDtype, 'str'>;

const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const;

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The numeric dtype whose storage class `data` is (a `Uint8Array` reads as `uint8`, never
 * `bool`); undefined for anything else.
 */
export function dtypeOfStorage(data: unknown): Exclude<TensorDtype, 'str' | 'bool'> | undefined {
  if (!ArrayBuffer.isView(data)) return undefined;
  for (const [dtype, ctor] of Object.entries(CTORS)) if (dtype !== 'bool' && data.constructor === ctor) return dtype as Exclude<TensorDtype, 'str' | 'bool'>;
  return undefined;
}

/** Allocates zero-filled storage for `size` elements of `dtype`. */
export function allocStorage<D extends TensorDtype>(dtype: D, size: number): TensorStorage[D] {
  if (dtype === 'str') return new Array<string>(size).fill('') as TensorStorage[D];
  return new CTORS[dtype as NumericDtype](size) as TensorStorage[D];
}

/**
 * Builds a tensor, checking that the storage matches the dtype and the shape.
 * @throws LablogError INVALID_PARAMETER_VALUE on a mismatch.
 */
export function makeTensor<D extends TensorDtype>(dtype: D, shape: readonly number[], data: TensorStorage[D]): Tensor<D> {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw invalidParameter(`Invalid tensor shape [${shape.join(', ')}]`);
  const ok = dtype === 'str' ? Array.isArray(data) : data instanceof CTORS[dtype as NumericDtype];
  if (!ok) throw invalidParameter(`Tensor data of dtype ${dtype} must be a ${dtype === 'str' ? 'string[]' : CTORS[dtype as NumericDtype].name}`);
  if (data.length !== shapeSize(shape)) {
    throw invalidParameter(`Tensor data has ${data.length} elements, shape [${shape.join(', ')}] needs ${shapeSize(shape)}`);
  }
  return { dtype, shape: [...shape], data };
}

/** Type guard: a framework-neutral tensor (dtype, shape, data). */
export function isTensor(x: unknown): x is Tensor {
  if (x === null || typeof x !== 'object') return false;
  const t = x as Partial<Tensor>;
  return typeof t.dtype === 'string' && Array.isArray(t.shape) && t.data !== undefined && typeof (t.data as { length?: unknown }).length === 'number';
}

/** Copies a tensor into another dtype (no range checks; callers decide what is safe). */
export function castTensor<D extends TensorDtype>(t: Tensor, dtype: D): Tensor<D> {
  if (t.dtype === dtype) return t as Tensor<D>;
  const out = allocStorage(dtype, t.data.length);
  const src = t.data as ArrayLike<number | bigint | string>;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (dtype === 'str') (out as string[])[i] = String(v);
    else if (dtype === 'int64' || dtype === 'uint64') (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    else if (dtype === 'bool') (out as Uint8Array)[i] = Number(v) !== 0 ? 1 : 0;
    else (out as Float64Array)[i] = Number(v);
  }
  return { dtype, shape: [...t.shape], data: out };
}

function element(t: Tensor, i: number): PyJsonValue {
  const v = t.data[i]!;
  switch (t.dtype) {
    case 'float32':
    case 'float64':
      return Number.isNaN(v as number) ? null : new PyFloat(v as number);
    case 'bool':
      return (v as number) !== 0;
    default:
      return v as number | bigint | string;
  }
}

/**
 * A tensor as nested lists, as numpy's `tolist()` gives it: floats as {@link PyFloat} (written
 * `1.0`), int64 as bigint, booleans as true/false, and NaN as null (MLflow's input examples).
 */
export function tensorToNested(t: Tensor): PyJsonValue {
  if (t.shape.length === 0) return element(t, 0);
  let index = 0;
  const walk = (dim: number): PyJsonValue[] => {
    const out: PyJsonValue[] = [];
    for (let i = 0; i < t.shape[dim]!; i++) out.push(dim === t.shape.length - 1 ? element(t, index++) : walk(dim + 1));
    return out;
  };
  return walk(0);
}

/**
 * A tensor of `dtype` from nested lists (the `inputs` of MLflow's scoring protocol). Ragged
 * lists are refused.
 * @throws LablogError INVALID_PARAMETER_VALUE for ragged lists or values that are not numbers,
 *   booleans or strings as the dtype needs.
 */
export function tensorFromNested<D extends TensorDtype>(value: unknown, dtype: D): Tensor<D> {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: unknown[] = [];
  const walk = (v: unknown, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw invalidParameter('Ragged nested list: every row must have the same shape');
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) throw invalidParameter('Ragged nested list: every row must have the same shape');
    for (const x of v) walk(x, dim + 1);
  };
  walk(value, 0);
  const data = allocStorage(dtype, flat.length);
  flat.forEach((x, i) => {
    if (dtype === 'str') {
      if (typeof x !== 'string') throw invalidParameter(`Expected a string, got ${JSON.stringify(x)}`);
      (data as string[])[i] = x;
    } else if (dtype === 'bool') {
      if (typeof x !== 'boolean' && typeof x !== 'number') throw invalidParameter(`Expected a boolean, got ${JSON.stringify(x)}`);
      (data as Uint8Array)[i] = x ? 1 : 0;
    } else {
      const n = x === null ? NaN : x;
      if (typeof n !== 'number' && typeof n !== 'bigint') throw invalidParameter(`Expected a number, got ${JSON.stringify(x)}`);
      if (dtype === 'int64' || dtype === 'uint64') (data as BigInt64Array)[i] = BigInt(n);
      else (data as Float64Array)[i] = Number(n);
    }
  });
  return makeTensor(dtype, shape, data);
}
