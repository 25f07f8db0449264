/**
 * Input checks at predict time, as MLflow's `_enforce_schema`: every required input present,
 * dtypes and shapes matching the signature (`-1` matches any size), extra inputs dropped.
 *
 * Casts are applied only where no information is lost, plus MLflow's one exception:
 * - float64 → float32 for float32 inputs (MLflow's onnx wrapper and JSON parsing do it);
 * - integer widening (int8 → int16/int32/int64, uint8 → uint16/…/int16/…, int32 → int64…);
 * - integers to floats that hold them exactly (int8/int16/uint8/uint16 → float32,
 *   int32/uint32 and smaller → float64); float32 → float64.
 * int64/uint64 → float64 (numpy's "safe", but lossy above 2^53) is refused.
 */
import { invalidParameter, type ColSpecType } from '@lablog/tracking';
import type { ModelInput, Tensor, TensorDtype } from './tensor.js';
import type { ColumnSpec, ModelSignature, Schema, TensorSpec } from './signature.js';
import { castTensor, isTensor } from './tensor-utils.js';

const SAFE_CASTS: Readonly<Record<TensorDtype, readonly TensorDtype[]>> = {
  bool: [],
  str: [],
  int8: ['int16', 'int32', 'int64', 'float32', 'float64'],
  int16: ['int32', 'int64', 'float32', 'float64'],
  int32: ['int64', 'float64'],
  int64: [],
  uint8: ['uint16', 'uint32', 'uint64', 'int16', 'int32', 'int64', 'float32', 'float64'],
  uint16: ['uint32', 'uint64', 'int32', 'int64', 'float32', 'float64'],
  uint32: ['uint64', 'int64', 'float64'],
  uint64: [],
  float32: ['float64'],
  float64: ['float32'],
};

/** True when a `from` tensor may be cast to `to` at predict time (see the module comment). */
export function canCastSafely(from: TensorDtype, to: TensorDtype): boolean {
  return from === to || SAFE_CASTS[from].includes(to);
}

/** The tensor dtype each column type is fed as, and the other dtypes it accepts as they are. */
const COLUMN_DTYPE: Readonly<Record<ColSpecType, { dtype: TensorDtype; accepts: readonly TensorDtype[] }>> = {
  boolean: { dtype: 'bool', accepts: [] },
  integer: { dtype: 'int32', accepts: [] },
  long: { dtype: 'int64', accepts: [] },
  float: { dtype: 'float32', accepts: [] },
  double: { dtype: 'float64', accepts: [] },
  string: { dtype: 'str', accepts: [] },
  binary: { dtype: 'str', accepts: [] },
  datetime: { dtype: 'str', accepts: ['int64'] },
};

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function enforceTensor(name: string, t: Tensor, spec: TensorSpec): Tensor {
  if (!isTensor(t)) throw invalidParameter(`Input '${name}' is not a tensor (expected {dtype, shape, data}).`);
  const shapeOk = t.shape.length === spec.shape.length && spec.shape.every((d, i) => d === -1 || d === t.shape[i]);
  if (!shapeOk) {
    throw invalidParameter(`Failed to enforce schema of input '${name}': shape ${fmtShape(t.shape)} does not match expected shape ${fmtShape(spec.shape)}.`);
  }
  if (t.dtype === spec.dtype) return t;
  if (!canCastSafely(t.dtype, spec.dtype)) {
    throw invalidParameter(`Failed to enforce schema of input '${name}': dtype ${t.dtype} does not match expected dtype ${spec.dtype} and cannot be cast safely.`);
  }
  return castTensor(t, spec.dtype);
}

function enforceColumn(name: string, t: Tensor, spec: ColumnSpec): Tensor {
  if (!isTensor(t)) throw invalidParameter(`Input '${name}' is not a tensor (expected {dtype, shape, data}).`);
  if (t.shape.length !== 1) {
    throw invalidParameter(`Failed to enforce schema of column '${name}': expected a 1-D tensor (one value per row), got shape ${fmtShape(t.shape)}.`);
  }
  const target = COLUMN_DTYPE[spec.type];
  if (t.dtype === target.dtype || target.accepts.includes(t.dtype)) return t;
  if (!canCastSafely(t.dtype, target.dtype)) {
    throw invalidParameter(`Failed to enforce schema of column '${name}': dtype ${t.dtype} is incompatible with column type ${spec.type} (${target.dtype}).`);
  }
  return castTensor(t, target.dtype);
}

function named(schema: Schema): boolean {
  return schema.specs.length > 0 && schema.specs[0]!.name !== undefined;
}

/**
 * Checks `input` against the signature's inputs and returns what the model should be fed:
 * tensors by input name for a named schema (extra inputs dropped), the single tensor for an
 * unnamed one. Without a signature the input is returned as is.
 *
 * A single tensor is accepted for a schema with exactly one input; tensors by name are
 * accepted for an unnamed single-tensor schema when there is exactly one.
 * @throws LablogError INVALID_PARAMETER_VALUE naming the missing or mismatching input.
 */
export function enforceSignature(input: ModelInput, signature: ModelSignature | null): ModelInput {
  if (signature === null) return input;
  const schema = signature.inputs;
  const single = isTensor(input);
  if (!named(schema)) {
    if (schema.kind === 'column') return input; // positional columns: passed through unchecked
    let t: Tensor;
    if (single) t = input;
    else {
      const values = Object.values(input);
      if (values.length !== 1) throw invalidParameter(`The model takes one unnamed tensor input; got inputs [${Object.keys(input).map((k) => `'${k}'`).join(', ')}].`);
      t = values[0]!;
    }
    return enforceTensor('input', t, schema.specs[0] as TensorSpec);
  }
  const specs = schema.specs as readonly (TensorSpec | ColumnSpec)[];
  let byName: Readonly<Record<string, Tensor>>;
  if (single) {
    if (specs.length !== 1) {
      throw invalidParameter(`The model has ${specs.length} inputs [${specs.map((s) => `'${s.name}'`).join(', ')}]; pass the tensors by input name.`);
    }
    byName = { [specs[0]!.name!]: input };
  } else {
    byName = input;
  }
  const required = specs.filter((s) => s.kind === 'tensor' || s.required);
  const missing = required.filter((s) => !Object.prototype.hasOwnProperty.call(byName, s.name!)).map((s) => `'${s.name}'`);
  if (missing.length > 0) throw invalidParameter(`Model is missing inputs [${missing.join(', ')}].`);
  const out: Record<string, Tensor> = {};
  let rows: number | undefined;
  for (const spec of specs) {
    const name = spec.name!;
    if (!Object.prototype.hasOwnProperty.call(byName, name)) continue;
    const t = byName[name]!;
    if (spec.kind === 'tensor') out[name] = enforceTensor(name, t, spec);
    else {
      out[name] = enforceColumn(name, t, spec);
      if (rows !== undefined && out[name].shape[0] !== rows) {
        throw invalidParameter(`Failed to enforce schema of column '${name}': it has ${out[name].shape[0]} rows, other columns have ${rows}.`);
      }
      rows = out[name].shape[0];
    }
  }
  return out;
}
