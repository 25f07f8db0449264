/**
 * TensorFlow.js glue that needs no tfjs import: tfjs tensors → neutral tensors (duck-typed).
 */
import { LablogError } from '@lablog/tracking';
import type { Tensor } from '../tensor.js';

/** The part of a tfjs `Tensor` lablog reads. */
export interface TfjsTensorLike {
  readonly dtype: string;
  readonly shape: readonly number[];
  dataSync(): ArrayLike<number> | ArrayLike<Uint8Array>;
}

/** True for a tfjs tensor (any copy of tfjs): it has `dtype`, `shape` and `dataSync()`. */
export function isTfjsTensorLike(x: unknown): x is TfjsTensorLike {
  const t = x as Partial<TfjsTensorLike> | null;
  return t !== null && typeof t === 'object' && typeof t.dataSync === 'function' && Array.isArray(t.shape) && typeof t.dtype === 'string';
}

/** Copies a tfjs tensor into a neutral tensor (float32, int32, bool or string). */
export function tensorFromTfjs(t: TfjsTensorLike): Tensor {
  const shape = [...t.shape];
  const data = t.dataSync();
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'float32', shape, data: Float32Array.from(data as ArrayLike<number>) };
    case 'int32':
      return { dtype: 'int32', shape, data: Int32Array.from(data as ArrayLike<number>) };
    case 'bool':
      return { dtype: 'bool', shape, data: Uint8Array.from(data as ArrayLike<number>) };
    case 'string': {
      const dec = new TextDecoder();
      return { dtype: 'str', shape, data: Array.from(data as ArrayLike<Uint8Array>, (b) => dec.decode(b)) };
    }
    default:
      throw new LablogError(`tfjs tensors of dtype ${t.dtype} are not supported`, 'INVALID_PARAMETER_VALUE');
  }
}
