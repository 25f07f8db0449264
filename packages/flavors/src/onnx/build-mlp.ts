/**
 * A small ONNX graph builder for dense networks (multi-layer perceptrons): each layer is
 * `MatMul(x, W) + b` followed by an optional `Relu` or `Softmax`. Weights are row-major
 * `[inDim, outDim]`, the layout of a tfjs Dense layer's kernel, so a tfjs model's weights can be
 * copied over as they are.
 */
import { invalidParameter } from '@lablog/tracking';
import { encodeOnnxModel } from './onnx-proto.js';

/** ONNX `TensorProto.DataType` codes. */
export const ONNX_ELEM_TYPES = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, str: 8, bool: 9, float16: 10, float64: 11, uint32: 12, uint64: 13,
} as const;

/** One dense layer. */
export interface MlpLayer {
  /** `inDim * outDim` values, row-major `[inDim, outDim]`. */
  readonly weights: Float32Array;
  /** `outDim` values. */
  readonly bias: Float32Array;
  readonly inDim: number;
  readonly outDim: number;
  readonly activation: 'relu' | 'none' | 'softmax';
}

/** Options of {@link buildMlpOnnx}. */
export interface BuildMlpOptions {
  readonly layers: readonly MlpLayer[];
  /** Graph input name (default `input`). */
  readonly inputName?: string;
  /** Graph output name (default `output`). */
  readonly outputName?: string;
  /** Default-domain opset (default 17; at least 13, where Softmax works on one axis). */
  readonly opset?: number;
  /** IR version (default 8, which onnx ≥ 1.10 and every onnxruntime since 1.10 read). */
  readonly irVersion?: number;
  /** Name of the symbolic batch dimension (default `batch`). */
  readonly batchDim?: string;
}

function floatTensor(name: string, dims: number[], values: Float32Array): Record<string, unknown> {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: ONNX_ELEM_TYPES.float32, rawData: raw };
}

function valueInfo(name: string, batch: string, dim: number): Record<string, unknown> {
  return { name, type: { tensorType: { elemType: ONNX_ELEM_TYPES.float32, shape: { dim: [{ dimParam: batch }, { dimValue: dim }] } } } };
}

/**
 * Builds a serialized ONNX model (ModelProto) for a dense network taking `[batch, inDim]` float32
 * and returning `[batch, outDim]` float32.
 * @throws LablogError INVALID_PARAMETER_VALUE when sizes do not chain or arrays have the wrong length.
 */
export function buildMlpOnnx(options: BuildMlpOptions): Uint8Array {
  const { layers } = options;
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const opset = options.opset ?? 17;
  const batch = options.batchDim ?? 'batch';
  if (layers.length === 0) throw invalidParameter('buildMlpOnnx needs at least one layer');
  if (opset < 13) throw invalidParameter('buildMlpOnnx needs opset 13 or later');
  const nodes: Record<string, unknown>[] = [];
  const initializers: Record<string, unknown>[] = [];
  let current = inputName;
  layers.forEach((layer, i) => {
    if (i > 0 && layer.inDim !== layers[i - 1]!.outDim) throw invalidParameter(`Layer ${i} takes ${layer.inDim} inputs but layer ${i - 1} gives ${layers[i - 1]!.outDim}`);
    if (layer.weights.length !== layer.inDim * layer.outDim) throw invalidParameter(`Layer ${i}: weights must have inDim * outDim = ${layer.inDim * layer.outDim} values`);
    if (layer.bias.length !== layer.outDim) throw invalidParameter(`Layer ${i}: bias must have outDim = ${layer.outDim} values`);
    const w = `layer${i}.weight`;
    const b = `layer${i}.bias`;
    initializers.push(floatTensor(w, [layer.inDim, layer.outDim], layer.weights), floatTensor(b, [layer.outDim], layer.bias));
    const last = i === layers.length - 1;
    const mm = `layer${i}.matmul`;
    const added = last && layer.activation === 'none' ? outputName : `layer${i}.add`;
    nodes.push({ input: [current, w], output: [mm], name: `MatMul_${i}`, opType: 'MatMul' });
    nodes.push({ input: [mm, b], output: [added], name: `Add_${i}`, opType: 'Add' });
    current = added;
    if (layer.activation !== 'none') {
      const out = last ? outputName : `layer${i}.act`;
      const op = layer.activation === 'relu' ? 'Relu' : 'Softmax';
      const attribute = op === 'Softmax' ? [{ name: 'axis', i: -1, type: 2 }] : [];
      nodes.push({ input: [current], output: [out], name: `${op}_${i}`, opType: op, attribute });
      current = out;
    }
  });
  return encodeOnnxModel({
    irVersion: options.irVersion ?? 8,
    producerName: 'lablog',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'mlp',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, batch, layers[0]!.inDim)],
      output: [valueInfo(outputName, batch, layers[layers.length - 1]!.outDim)],
    },
  });
}
