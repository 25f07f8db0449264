/**
 * Loading the `onnx` flavor with onnxruntime-node (an optional peer, imported on first use):
 * the flavor's `providers` are tried in order, and when one cannot be used here (not built
 * into onnxruntime-node, or its libraries missing, e.g. CUDA without a GPU stack) lablog falls
 * back to the next, with one warning per load. `predict` converts neutral tensors to and from
 * `ort.Tensor`, and casts float64 to float32 for float inputs as MLflow's onnx wrapper does.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { LablogError, invalidParameter } from '@lablog/tracking';
import type * as Ort from 'onnxruntime-node';
import type { LoadedModel } from '../loaded-model.js';
import type { ModelInput, ModelOutput, Tensor, TensorDtype } from '../tensor.js';
import type { Mlmodel } from '../mlmodel.js';
import { getSignature } from '../mlmodel.js';
import { enforceSignature } from '../enforce-signature.js';
import { castTensor, isTensor } from '../tensor-utils.js';
import { readOnnxHeader } from './onnx-proto.js';
import { DEFAULT_ONNX_PROVIDERS, ONNX_FLAVOR, ONNX_MODEL_FILE } from './onnx-save.js';
import { loadOrt, type OrtModule } from './load-ort.js';

/** MLflow (Python onnxruntime) provider names → onnxruntime-node execution provider names. */
export const ORT_PROVIDER_NAMES: Readonly<Record<string, string>> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  TensorrtExecutionProvider: 'tensorrt',
  DmlExecutionProvider: 'dml',
  CoreMLExecutionProvider: 'coreml',
  WebGpuExecutionProvider: 'webgpu',
  XnnpackExecutionProvider: 'xnnpack',
  QNNExecutionProvider: 'qnn',
};

const ORT_TYPE: Readonly<Record<TensorDtype, string>> = {
  float32: 'float32', float64: 'float64', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool', str: 'string',
};

function fromOrt(t: Ort.Tensor, name: string): Tensor {
  const dtype = (t.type === 'string' ? 'str' : t.type) as TensorDtype;
  if (!(dtype in ORT_TYPE)) throw new LablogError(`Output '${name}' has type ${t.type}, which lablog tensors do not support`, 'INVALID_PARAMETER_VALUE');
  return { dtype, shape: [...t.dims], data: t.data as Tensor['data'] };
}

/** Session options from MLflow's snake_case `onnx_session_options` (unknown keys are reported). */
function ortSessionOptions(options: Readonly<Record<string, unknown>> | null | undefined): { options: Ort.InferenceSession.SessionOptions; ignored: string[] } {
  const out: Record<string, unknown> = {};
  const ignored: string[] = [];
  const levels: Record<number, string> = { 0: 'disabled', 1: 'basic', 2: 'extended', 99: 'all' };
  const direct: Record<string, string> = {
    enable_cpu_mem_arena: 'enableCpuMemArena', enable_mem_pattern: 'enableMemPattern', enable_profiling: 'enableProfiling',
    profile_file_prefix: 'profileFilePrefix', inter_op_num_threads: 'interOpNumThreads', intra_op_num_threads: 'intraOpNumThreads',
    log_severity_level: 'logSeverityLevel', log_verbosity_level: 'logVerbosityLevel', logid: 'logId', optimized_model_filepath: 'optimizedModelFilePath',
  };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (direct[key]) out[direct[key]] = value;
    else if (key === 'execution_mode') out.executionMode = String(value).toLowerCase();
    else if (key === 'graph_optimization_level') out.graphOptimizationLevel = levels[value as number];
    else if (key === 'extra_session_config') out.extra = { ...(value as object) };
    else ignored.push(key);
  }
  return { options: out as Ort.InferenceSession.SessionOptions, ignored };
}

/** Options of {@link loadOnnxFlavor}. */
export interface LoadOnnxOptions {
  /** Providers to try instead of the flavor's (MLflow names, e.g. `CPUExecutionProvider`). */
  providers?: readonly string[];
}

/**
 * Whether onnxruntime-node's shared provider library (needed by non-bundled providers such as
 * CUDA and TensorRT) is installed next to its binding: false when it is surely missing, true
 * when present or unknown. Checking first avoids onnxruntime's own error log on every load.
 */
function providerLibraryPresent(): boolean {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_shared.dll' : 'libonnxruntime_providers_shared.so';
    const bin = join(root, 'bin');
    for (const napi of readdirSync(bin)) {
      const dir = join(bin, napi, process.platform, process.arch);
      if (existsSync(join(dir, 'onnxruntime_binding.node'))) return existsSync(join(dir, lib));
    }
  } catch {
    // layout unknown: let onnxruntime decide
  }
  return true;
}

async function createSession(ort: OrtModule, path: string, providers: readonly string[], base: Ort.InferenceSession.SessionOptions) {
  const backends = ort.listSupportedBackends?.() ?? [];
  const supported = new Map(backends.map((b) => [b.name, b.bundled]));
  const skipped: string[] = [];
  let candidates: { mlflow: string; ort: string }[] = [];
  for (const p of providers) {
    const name = ORT_PROVIDER_NAMES[p] ?? p.toLowerCase();
    if (!ORT_PROVIDER_NAMES[p] || (supported.size > 0 && !supported.has(name))) skipped.push(`${p} (not available in onnxruntime-node here)`);
    else if (supported.get(name) === false && !providerLibraryPresent()) skipped.push(`${p} (its onnxruntime provider libraries are not installed)`);
    else candidates.push({ mlflow: p, ort: name });
  }
  if (candidates.length === 0) candidates = [{ mlflow: 'CPUExecutionProvider', ort: 'cpu' }];
  for (;;) {
    try {
      const session = await ort.InferenceSession.create(path, { ...base, executionProviders: candidates.map((c) => c.ort) });
      return { session, skipped, used: candidates.map((c) => c.mlflow) };
    } catch (e) {
      const first = candidates.shift()!;
      if (candidates.length === 0) {
        if (first.ort === 'cpu') throw e;
        candidates = [{ mlflow: 'CPUExecutionProvider', ort: 'cpu' }];
      }
      skipped.push(`${first.mlflow} (${String((e as Error).message).split('\n')[0]})`);
    }
  }
}

/**
 * Loads an onnx flavor from a model directory into an onnxruntime-node session.
 * @throws LablogError INVALID_PARAMETER_VALUE when the flavor is malformed; NOT_IMPLEMENTED
 *   without onnxruntime-node.
 */
export async function loadOnnxFlavor(dir: string, mlmodel: Mlmodel, options: LoadOnnxOptions = {}): Promise<LoadedModel> {
  const conf = mlmodel.flavors[ONNX_FLAVOR];
  if (!conf) throw invalidParameter(`Model does not have the "${ONNX_FLAVOR}" flavor`);
  const root = resolve(dir);
  const path = resolve(root, typeof conf.data === 'string' ? conf.data : ONNX_MODEL_FILE);
  if (!path.startsWith(root + sep)) throw invalidParameter(`Invalid onnx data path '${String(conf.data)}'`);
  const ort = await loadOrt();
  const providers = options.providers ?? (Array.isArray(conf.providers) ? (conf.providers as string[]) : DEFAULT_ONNX_PROVIDERS);
  const { options: sessOptions, ignored } = ortSessionOptions(conf.onnx_session_options as Record<string, unknown> | null);
  const { session, skipped, used } = await createSession(ort, path, providers, sessOptions);
  if (skipped.length > 0 || ignored.length > 0) {
    const parts: string[] = [];
    if (skipped.length > 0) parts.push(`execution provider(s) ${skipped.join(', ')} unavailable; using ${used.join(', ')}`);
    if (ignored.length > 0) parts.push(`session options ${ignored.join(', ')} are not supported by onnxruntime-node and were ignored`);
    console.warn(`lablog: loading ONNX model ${path}: ${parts.join('; ')}.`);
  }
  // Inputs of type tensor(float): from the session (onnxruntime-node ≥ 1.22), else from the graph.
  const meta = (session as { inputMetadata?: readonly Ort.InferenceSession.ValueMetadata[] }).inputMetadata;
  const floatInputs = new Set(
    meta
      ? meta.filter((m) => m.isTensor && m.type === 'float32').map((m) => m.name)
      : readOnnxHeader(await readFile(path)).inputs.filter((i) => i.elemType === 1).map((i) => i.name),
  );
  const signature = getSignature(mlmodel);
  return {
    flavor: ONNX_FLAVOR,
    metadata: mlmodel,
    signature,
    async predict(input: ModelInput): Promise<ModelOutput> {
      const enforced = enforceSignature(input, signature);
      let byName: Record<string, Tensor>;
      if (isTensor(enforced)) {
        if (session.inputNames.length !== 1) {
          throw invalidParameter(`The model has ${session.inputNames.length} inputs [${session.inputNames.map((n) => `'${n}'`).join(', ')}]; pass the tensors by input name.`);
        }
        byName = { [session.inputNames[0]!]: enforced };
      } else if (session.inputNames.length === 1 && Object.keys(enforced).length === 1 && !(session.inputNames[0]! in enforced)) {
        byName = { [session.inputNames[0]!]: Object.values(enforced)[0]! };
      } else {
        byName = enforced as Record<string, Tensor>;
      }
      const missing = session.inputNames.filter((n) => !(n in byName));
      if (missing.length > 0) throw invalidParameter(`Model is missing inputs [${missing.map((n) => `'${n}'`).join(', ')}].`);
      const feeds: Record<string, Ort.Tensor> = {};
      for (const name of session.inputNames) {
        let t = byName[name]!;
        if (t.dtype === 'float64' && floatInputs.has(name)) t = castTensor(t, 'float32');
        feeds[name] = new ort.Tensor(ORT_TYPE[t.dtype] as 'float32', t.data as Float32Array, [...t.shape]);
      }
      const results = await session.run(feeds);
      const out: ModelOutput = {};
      for (const name of session.outputNames) out[name] = fromOrt(results[name]!, name);
      return out;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
