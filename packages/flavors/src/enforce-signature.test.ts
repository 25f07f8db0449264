import { describe, expect, it } from 'vitest';
import { LablogError } from '@lablog/tracking';
import { canCastSafely, enforceSignature } from './enforce-signature.js';
import type { ModelSignature } from './signature.js';
import type { Tensor } from './tensor.js';

const named: ModelSignature = {
  inputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'x', dtype: 'float32', shape: [-1, 3] }, { kind: 'tensor', name: 'ids', dtype: 'int64', shape: [-1] }] },
  outputs: null,
  params: null,
};
const x = (dtype: 'float32' | 'float64' | 'int32' | 'int64' = 'float32', shape = [2, 3]): Tensor => ({
  dtype,
  shape,
  data: dtype === 'int64' ? new BigInt64Array(shape[0]! * shape[1]!) : dtype === 'float64' ? new Float64Array(shape[0]! * shape[1]!) : dtype === 'int32' ? new Int32Array(shape[0]! * shape[1]!) : new Float32Array(shape[0]! * shape[1]!),
});
const ids: Tensor = { dtype: 'int64', shape: [2], data: BigInt64Array.from([1n, 2n]) };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as LablogError).errorCode}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('enforceSignature', () => {
  it('names the missing input', () => {
    expect(code(() => enforceSignature({ x: x() }, named))).toBe("INVALID_PARAMETER_VALUE: Model is missing inputs ['ids'].");
  });

  it('names the input with a wrong dtype or shape', () => {
    expect(code(() => enforceSignature({ x: x('int64'), ids }, named))).toMatch(/^INVALID_PARAMETER_VALUE: .*input 'x': dtype int64 does not match expected dtype float32/);
    expect(code(() => enforceSignature({ x: x('float32', [2, 4]), ids }, named))).toMatch(/^INVALID_PARAMETER_VALUE: .*input 'x': shape \[2, 4\] does not match expected shape \[-1, 3\]/);
    expect(code(() => enforceSignature({ x: x('float32', [6]), ids }, named))).toMatch(/input 'x': shape \[6\]/);
  });

  it('casts float64 to float32 and widens ints; drops extra inputs', () => {
    const out = enforceSignature({ x: x('float64'), ids: { dtype: 'int32', shape: [2], data: Int32Array.from([1, 2]) }, extra: ids }, named) as Record<string, Tensor>;
    expect(out.x!.dtype).toBe('float32');
    expect(out.x!.data).toBeInstanceOf(Float32Array);
    expect(out.ids!.dtype).toBe('int64');
    expect(Array.from(out.ids!.data as BigInt64Array)).toEqual([1n, 2n]);
    expect(Object.keys(out)).toEqual(['x', 'ids']);
    expect(canCastSafely('int16', 'float32')).toBe(true);
    expect(canCastSafely('int32', 'float32')).toBe(false);
    expect(canCastSafely('int64', 'float64')).toBe(false);
    expect(canCastSafely('float32', 'int32')).toBe(false);
  });

  it('accepts a single tensor for a one-input schema, named or not', () => {
    const one: ModelSignature = { inputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 3] }] }, outputs: null, params: null };
    expect((enforceSignature(x('float64'), one) as Tensor).dtype).toBe('float32');
    const oneNamed: ModelSignature = { inputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'in', dtype: 'float32', shape: [-1, 3] }] }, outputs: null, params: null };
    expect(Object.keys(enforceSignature(x(), oneNamed))).toEqual(['in']);
    expect(code(() => enforceSignature(x(), named))).toMatch(/pass the tensors by input name/);
  });

  it('checks column inputs: required columns, 1-D, compatible types', () => {
    const cols: ModelSignature = {
      inputs: { kind: 'column', specs: [{ kind: 'column', name: 'a', type: 'double', required: true }, { kind: 'column', name: 'b', type: 'string', required: false }] },
      outputs: null,
      params: null,
    };
    const a: Tensor = { dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) };
    expect((enforceSignature({ a }, cols) as Record<string, Tensor>).a!.dtype).toBe('float64');
    expect(code(() => enforceSignature({ b: { dtype: 'str', shape: [1], data: ['x'] } }, cols))).toBe("INVALID_PARAMETER_VALUE: Model is missing inputs ['a'].");
    expect(code(() => enforceSignature({ a: { dtype: 'str', shape: [1], data: ['x'] } }, cols))).toMatch(/column 'a': dtype str is incompatible with column type double/);
  });
});
