/**
 * Signature inference from the three places a TypeScript model describes its inputs: a tfjs
 * LayersModel, an ONNX graph, an Arrow schema (tabular data).
 */
import { readFile } from 'node:fs/promises';
import type { Schema as ArrowSchema } from 'apache-arrow';
import { colSpecsFromArrowSchema, invalidParameter } from '@lablog/tracking';
import type { ColumnSpec, ModelSignature, Schema, TensorSpec } from './signature.js';
import type { TensorDtype } from './tensor.js';
import { validateSchema } from './signature-json.js';
import { readOnnxHeader, type OnnxValueInfo } from './onnx/onnx-proto.js';
import { isOnnxModelSource, onnxBytes, type OnnxModelSource } from './onnx/onnx-save.js';
import { tfjsDtype, type TfjsLayersModelLike } from './tfjs/tfjs-flavor.js';

function tfjsSchema(list: TfjsLayersModelLike['inputs'], names: readonly string[]): Schema {
  const named = list.length > 1;
  const specs: TensorSpec[] = list.map((t, i) => ({
    kind: 'tensor',
    dtype: tfjsDtype(t.dtype),
    shape: t.shape.map((d) => (d === null || d === undefined ? -1 : d)),
    ...(named ? { name: names[i] ?? t.name } : {}),
  }));
  const schema: Schema = { kind: 'tensor', specs };
  validateSchema(schema);
  return schema;
}

/**
 * The signature of a tfjs LayersModel: one TensorSpec per model input and output, `null`
 * dimensions (the batch) as `-1`. A single input (or output) is left unnamed, as MLflow's usual
 * tensor signatures are; several are named by the model's `inputNames` / `outputNames`.
 */
export function inferSignatureFromTfjsModel(model: TfjsLayersModelLike): ModelSignature {
  return {
    inputs: tfjsSchema(model.inputs, model.inputNames),
    outputs: tfjsSchema(model.outputs, model.outputNames),
    params: null,
  };
}

/** ONNX `TensorProto.DataType` → TensorSpec dtype (types lablog tensors cannot hold are absent). */
const ONNX_DTYPES: Readonly<Record<number, TensorDtype>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'str', 9: 'bool', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

function onnxSpec(v: OnnxValueInfo): TensorSpec {
  const dtype = ONNX_DTYPES[v.elemType];
  if (dtype === undefined) throw invalidParameter(`ONNX value '${v.name}' has element type ${v.elemType}, which has no TensorSpec dtype in lablog; pass a signature explicitly.`);
  if (v.shape === null) throw invalidParameter(`ONNX value '${v.name}' has no shape in the graph; pass a signature explicitly.`);
  return { kind: 'tensor', name: v.name, dtype, shape: v.shape.map((d) => d.value ?? -1) };
}

/**
 * The signature of an ONNX model: its graph inputs (minus initializers, which older exporters
 * list as inputs) and outputs, named; symbolic or unknown dimensions as `-1`.
 * @param model the serialized model (bytes, `{ onnx: bytes }`) or a path to a `.onnx` file
 */
export async function inferSignatureFromOnnx(model: OnnxModelSource | string): Promise<ModelSignature> {
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : isOnnxModelSource(model) ? onnxBytes(model) : null;
  if (bytes === null) throw invalidParameter('inferSignatureFromOnnx takes ONNX bytes, { onnx: bytes } or a file path');
  const header = readOnnxHeader(bytes);
  const initializers = new Set(header.initializers.map((t) => t.name));
  const inputs: Schema = { kind: 'tensor', specs: header.inputs.filter((i) => !initializers.has(i.name)).map(onnxSpec) };
  const outputs: Schema = { kind: 'tensor', specs: header.outputs.map(onnxSpec) };
  validateSchema(inputs);
  validateSchema(outputs);
  return { inputs, outputs, params: null };
}

function columnSchema(schema: ArrowSchema): Schema {
  const cols = colSpecsFromArrowSchema(schema);
  if (cols === null) {
    const bad = schema.fields.filter((f) => colSpecsFromArrowSchema({ fields: [f] } as unknown as ArrowSchema) === null).map((f) => `'${f.name}' (${String(f.type)})`);
    throw invalidParameter(`Columns ${bad.join(', ')} have Arrow types with no MLflow column type.`);
  }
  const specs: ColumnSpec[] = cols.map((c) => ({ kind: 'column', name: c.name, type: c.type, required: c.required }));
  const out: Schema = { kind: 'column', specs };
  validateSchema(out);
  return out;
}

/**
 * A column-based signature from Arrow schemas (MLflow's `infer_signature` on DataFrames): one
 * ColSpec per field, nullable fields not required. Types follow tracking's
 * `colSpecsFromArrowSchema` (Float64 → double, Int64 → long, Utf8 → string, …).
 * @throws LablogError INVALID_PARAMETER_VALUE for a field type with no column type.
 */
export function inferSignatureFromArrowSchema(inputs: ArrowSchema, outputs?: ArrowSchema): ModelSignature {
  return { inputs: columnSchema(inputs), outputs: outputs === undefined ? null : columnSchema(outputs), params: null };
}
