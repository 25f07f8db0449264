/**
 * Model signatures as MLflow writes them in `MLmodel` (ref §8.3): each of `inputs`, `outputs`
 * and `params` is a JSON **string** made by Python's `json.dumps`, with MLflow's key order:
 * TensorSpec `{"name"?, "type": "tensor", "tensor-spec": {"dtype", "shape"}}`, ColSpec
 * `{"type", "name"?, "required"}`, ParamSpec `{"name", "type", "default", "shape"}`.
 */
import { LablogError, invalidParameter } from '@lablog/tracking';
import type { ColSpecType } from '@lablog/tracking';
import type { ColumnSpec, ModelSignature, ParamSpec, Schema, TensorSpec } from './signature.js';
import type { TensorDtype } from './tensor.js';
import { PyFloat, pyJsonDumps, type PyJsonValue } from './py-json.js';

/** The `signature` entry of MLmodel: JSON strings, `null` where absent. */
export interface SignatureDict {
  inputs: string | null;
  outputs: string | null;
  params: string | null;
}

/** The tensor dtypes a TensorSpec may name. */
export const TENSOR_DTYPES: readonly TensorDtype[] = [
  'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'str',
];

/** The ColSpec types lablog reads and writes (MLflow's `DataType` names). */
export const COLUMN_TYPES: readonly ColSpecType[] = ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'];

/** numpy spellings MLflow may write for a string tensor. */
const STR_DTYPE_ALIASES = new Set(['str', '<U0', 'unicode', 'object', 'O', '|O']);

/**
 * Checks MLflow's `Schema` rules: not empty; names all present or all absent; at most one
 * unnamed TensorSpec; no duplicate names; known dtypes and types.
 * @throws LablogError INVALID_PARAMETER_VALUE naming the broken rule.
 */
export function validateSchema(schema: Schema): void {
  const specs = schema.specs as readonly (TensorSpec | ColumnSpec)[];
  if (specs.length === 0) throw invalidParameter('Creating Schema with empty inputs is not allowed.');
  for (const s of specs) {
    if (s.kind !== schema.kind) {
      throw invalidParameter('Creating Schema with a combination of ColSpec and TensorSpec is not supported. Please choose one of ColSpec or TensorSpec.');
    }
  }
  const named = specs.filter((s) => s.name !== undefined);
  if (named.length !== 0 && named.length !== specs.length) {
    throw invalidParameter('Creating Schema with a combination of named and unnamed inputs is not allowed. Got input names ' +
      `[${specs.map((s) => (s.name === undefined ? 'None' : `'${s.name}'`)).join(', ')}]`);
  }
  if (schema.kind === 'tensor' && specs.length > 1 && named.length === 0) {
    throw invalidParameter('Creating Schema with multiple unnamed TensorSpecs is not supported. Please provide names for each TensorSpec.');
  }
  const names = new Set<string>();
  for (const s of named) {
    if (names.has(s.name!)) throw invalidParameter(`Duplicated name '${s.name}' in schema.`);
    names.add(s.name!);
  }
  for (const s of specs) {
    if (s.kind === 'tensor') {
      if (!TENSOR_DTYPES.includes(s.dtype)) throw invalidParameter(`Unsupported tensor dtype '${String(s.dtype)}'.`);
      if (!s.shape.every((d) => Number.isInteger(d) && d >= -1)) throw invalidParameter(`Invalid tensor shape [${s.shape.join(', ')}].`);
    } else if (!COLUMN_TYPES.includes(s.type)) {
      throw invalidParameter(`Unsupported column type '${String(s.type)}'.`);
    }
  }
}

function specToDict(s: TensorSpec | ColumnSpec): PyJsonValue {
  if (s.kind === 'tensor') {
    const body = { type: 'tensor', 'tensor-spec': { dtype: s.dtype, shape: [...s.shape] } };
    return s.name === undefined ? body : { name: s.name, ...body };
  }
  return s.name === undefined ? { type: s.type, required: s.required } : { type: s.type, name: s.name, required: s.required };
}

/** A schema as MLflow's `Schema.to_json()`: `json.dumps` of the list of spec dicts. */
export function schemaToJson(schema: Schema): string {
  validateSchema(schema);
  return pyJsonDumps((schema.specs as readonly (TensorSpec | ColumnSpec)[]).map(specToDict));
}

function parseDtype(raw: unknown, where: string): TensorDtype {
  if (typeof raw === 'string') {
    if ((TENSOR_DTYPES as readonly string[]).includes(raw)) return raw as TensorDtype;
    if (STR_DTYPE_ALIASES.has(raw)) return 'str';
  }
  throw invalidParameter(`Unsupported tensor dtype ${JSON.stringify(raw)} in ${where}; lablog supports ${TENSOR_DTYPES.join(', ')}.`);
}

function specFromDict(raw: unknown, where: string): TensorSpec | ColumnSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter(`Invalid schema element in ${where}: ${JSON.stringify(raw)}`);
  const d = raw as Record<string, unknown>;
  const name = d.name === undefined || d.name === null ? undefined : String(d.name);
  if (d.type === 'tensor') {
    const ts = d['tensor-spec'] as { dtype?: unknown; shape?: unknown } | undefined;
    if (!ts || !Array.isArray(ts.shape)) throw invalidParameter(`Invalid tensor spec in ${where}: ${JSON.stringify(raw)}`);
    const spec: TensorSpec = { kind: 'tensor', dtype: parseDtype(ts.dtype, where), shape: ts.shape.map(Number), ...(name !== undefined ? { name } : {}) };
    return spec;
  }
  if (typeof d.type !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(d.type)) {
    throw invalidParameter(`Unsupported column type ${JSON.stringify(d.type)} in ${where}; lablog supports ${COLUMN_TYPES.join(', ')}.`);
  }
  const spec: ColumnSpec = { kind: 'column', type: d.type as ColSpecType, required: d.required === undefined ? true : Boolean(d.required), ...(name !== undefined ? { name } : {}) };
  return spec;
}

/**
 * Parses a schema JSON string (MLflow's `Schema.from_json`).
 * @throws LablogError INVALID_PARAMETER_VALUE for malformed JSON, unknown types or broken rules.
 */
export function schemaFromJson(json: string, where = 'signature'): Schema {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch (e) {
    throw invalidParameter(`Invalid ${where} JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(list)) throw invalidParameter(`Invalid ${where}: expected a JSON list, got ${json.slice(0, 100)}`);
  const specs = list.map((x) => specFromDict(x, where));
  const kind = specs[0]?.kind ?? 'tensor';
  const schema = { kind, specs } as Schema;
  validateSchema(schema);
  return schema;
}

function paramDefault(p: ParamSpec): PyJsonValue {
  const floaty = p.type === 'float' || p.type === 'double';
  const one = (v: unknown): PyJsonValue => {
    if (v instanceof Date) return v.toISOString().replace('Z', '');
    if (floaty && typeof v === 'number') return new PyFloat(v);
    return v as PyJsonValue;
  };
  return Array.isArray(p.default) ? p.default.map(one) : one(p.default);
}

/** A params schema as MLflow's `ParamSchema.to_json()`. */
export function paramsToJson(params: readonly ParamSpec[]): string {
  const names = new Set<string>();
  for (const p of params) {
    if (names.has(p.name)) throw invalidParameter(`Duplicated parameters found in schema: ['${p.name}']`);
    names.add(p.name);
  }
  return pyJsonDumps(params.map((p) => ({ name: p.name, type: p.type, default: paramDefault(p), shape: p.shape === null ? null : [...p.shape] })));
}

/** Parses a params schema JSON string (MLflow's `ParamSchema.from_json`). */
export function paramsFromJson(json: string): ParamSpec[] {
  const list = JSON.parse(json) as unknown;
  if (!Array.isArray(list)) throw invalidParameter('Invalid params schema: expected a JSON list');
  return list.map((raw: Record<string, unknown>) => {
    if (typeof raw.name !== 'string' || !(COLUMN_TYPES as readonly string[]).includes(String(raw.type))) {
      throw invalidParameter(`Invalid param spec ${JSON.stringify(raw)}`);
    }
    return { name: raw.name, type: raw.type as ColSpecType, default: raw.default ?? null, shape: Array.isArray(raw.shape) ? raw.shape.map(Number) : null };
  });
}

/** A signature as the `signature` entry of MLmodel (MLflow's `ModelSignature.to_dict`). */
export function signatureToDict(signature: ModelSignature): SignatureDict {
  return {
    inputs: schemaToJson(signature.inputs),
    outputs: signature.outputs === null ? null : schemaToJson(signature.outputs),
    params: signature.params === null || signature.params.length === 0 ? null : paramsToJson(signature.params),
  };
}

/**
 * Reads the `signature` entry of MLmodel (MLflow's `ModelSignature.from_dict`).
 * @throws LablogError INVALID_PARAMETER_VALUE when it is malformed or uses types lablog lacks.
 */
export function signatureFromDict(dict: unknown): ModelSignature {
  if (dict === null || typeof dict !== 'object') throw invalidParameter('Invalid signature: expected a mapping with inputs, outputs and params');
  const d = dict as Record<string, unknown>;
  if (typeof d.inputs !== 'string') throw new LablogError('Invalid signature: `inputs` must be a JSON string', 'INVALID_PARAMETER_VALUE');
  return {
    inputs: schemaFromJson(d.inputs, 'signature inputs'),
    outputs: typeof d.outputs === 'string' ? schemaFromJson(d.outputs, 'signature outputs') : null,
    params: typeof d.params === 'string' ? paramsFromJson(d.params) : null,
  };
}
