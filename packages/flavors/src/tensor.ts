/**
 * Framework-neutral tensors: what `predict` takes and returns, whatever the flavor (tfjs,
 * onnxruntime). A flavor converts these to and from its own tensor type.
 */

/** Element types, named as MLflow's TensorSpec names them (numpy dtype names). */
export type TensorDtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'str';

/** The typed storage of each dtype. */
export interface TensorStorage {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
  str: string[];
}

/** A dense, row-major tensor. `data.length` equals the product of `shape`. */
export interface Tensor<D extends TensorDtype = TensorDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TensorStorage[D];
}

/**
 * What `predict` accepts: one tensor (models with a single input) or tensors by input name.
 * Column-based models (ColSpec signatures) take named 1-D tensors, one per column.
 */
export type ModelInput = Tensor | Readonly<Record<string, Tensor>>;

/** What `predict` returns: tensors by output name. */
export type ModelOutput = Record<string, Tensor>;

/** Inference parameters (`params` of MLflow's scoring protocol), checked against the ParamSpec schema. */
export type InferenceParams = Readonly<Record<string, unknown>>;
