/**
 * `saveModel(model, dir)`: a model directory in MLflow's format (ref §8.1), in MLflow's order:
 * the flavor's files, the input example, then `MLmodel` (with `model_size_bytes` of what is
 * there so far, as MLflow measures it), then the Python environment files.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LablogError, invalidParameter } from '@lablog/tracking';
import type { ModelSignature } from './signature.js';
import { newMlmodel, setSignature, writeMlmodel, type Mlmodel } from './mlmodel.js';
import { saveInputExample, type InputExample } from './input-example.js';
import { writePythonEnvFiles } from './env-files.js';
import { inferSignatureFromOnnx, inferSignatureFromTfjsModel } from './infer-signature.js';
import { isOnnxModelSource, saveOnnxFlavor, ONNX_FLAVOR, type OnnxModelSource, type OnnxSaveOptions, type SavedFlavor } from './onnx/onnx-save.js';
import { isTfjsLayersModel, saveTfjsFlavor, TFJS_FLAVOR, type TfjsLayersModelLike } from './tfjs/tfjs-flavor.js';

/** What `saveModel` saves: a tfjs LayersModel, or an ONNX model (bytes or `{ onnx: bytes }`). */
export type SaveableModel = TfjsLayersModelLike | OnnxModelSource;

/** The flavors `saveModel` writes. */
export type SaveFlavor = typeof ONNX_FLAVOR | typeof TFJS_FLAVOR;

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** The flavor (default: detected from the model object). */
  flavor?: SaveFlavor;
  /**
   * The signature, `'infer'` to infer it from the model, or null for none. Default: inferred when
   * an input example is given (as MLflow infers one from the example), none otherwise.
   */
  signature?: ModelSignature | 'infer' | null;
  /** An input example (tensor, tensors by name, Arrow table, JSON). */
  inputExample?: InputExample;
  /** Inference params saved with the input example. */
  inputExampleParams?: Readonly<Record<string, unknown>>;
  /** Free-form `metadata` in MLmodel. */
  metadata?: Record<string, unknown>;
  /** onnx flavor options (providers, session options, onnx_version, python_version). */
  onnx?: OnnxSaveOptions;
  /** Written as `mlflow_version` and pinned in requirements.txt when given. */
  mlflowVersion?: string;
  /** `run_id` in MLmodel (set by `logModel`). */
  runId?: string;
  /** `artifact_path` in MLmodel (set by `logModel`). */
  artifactPath?: string;
}

/** The flavor of a model object, or null when it is neither tfjs nor ONNX. */
export function detectFlavor(model: unknown): SaveFlavor | null {
  if (isTfjsLayersModel(model)) return TFJS_FLAVOR;
  if (isOnnxModelSource(model)) return ONNX_FLAVOR;
  return null;
}

/** Total size in bytes of the files under `dir` (MLflow's `get_total_file_size`). */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

async function prepareDir(dir: string): Promise<void> {
  const existing = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing !== null && existing.length > 0) throw new LablogError(`Path '${dir}' already exists and is not empty`, 'RESOURCE_ALREADY_EXISTS');
  await mkdir(dir, { recursive: true });
}

async function inferSignature(flavor: SaveFlavor, model: SaveableModel): Promise<ModelSignature> {
  return flavor === TFJS_FLAVOR ? inferSignatureFromTfjsModel(model as TfjsLayersModelLike) : inferSignatureFromOnnx(model as OnnxModelSource);
}

/**
 * Saves a model to a new (or empty) directory in MLflow's format and returns its MLmodel.
 * @throws LablogError RESOURCE_ALREADY_EXISTS when `dir` exists and is not empty;
 *   INVALID_PARAMETER_VALUE for an unknown model object, flavor or bad options.
 */
export async function saveModel(model: SaveableModel, dir: string, options: SaveModelOptions = {}): Promise<Mlmodel> {
  const flavor = options.flavor ?? detectFlavor(model);
  if (flavor === null) throw invalidParameter('saveModel takes a tfjs LayersModel or an ONNX model (Uint8Array or { onnx: Uint8Array }); could not detect the flavor.');
  if (flavor !== ONNX_FLAVOR && flavor !== TFJS_FLAVOR) throw invalidParameter(`Unknown flavor '${String(flavor)}'; lablog saves 'onnx' and 'tfjs'.`);
  if (flavor === ONNX_FLAVOR && !isOnnxModelSource(model)) throw invalidParameter("The 'onnx' flavor takes ONNX bytes or { onnx: bytes }.");
  if (flavor === TFJS_FLAVOR && !isTfjsLayersModel(model)) throw invalidParameter("The 'tfjs' flavor takes a tfjs LayersModel.");
  const wanted = options.signature === undefined ? (options.inputExample !== undefined ? 'infer' : null) : options.signature;
  const signature = wanted === 'infer' ? await inferSignature(flavor, model) : wanted;
  await prepareDir(dir);
  const saved: SavedFlavor =
    flavor === ONNX_FLAVOR
      ? await saveOnnxFlavor(model as OnnxModelSource, dir, options.onnx)
      : { flavors: { [TFJS_FLAVOR]: await saveTfjsFlavor(model as TfjsLayersModelLike, dir) } };
  const mlmodel = newMlmodel({
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    ...(options.artifactPath !== undefined ? { artifactPath: options.artifactPath } : {}),
    ...(options.mlflowVersion !== undefined ? { mlflowVersion: options.mlflowVersion } : {}),
  });
  mlmodel.flavors = saved.flavors;
  if (signature !== null) setSignature(mlmodel, signature);
  if (options.inputExample !== undefined) {
    mlmodel.saved_input_example_info = await saveInputExample(dir, options.inputExample, {
      ...(options.inputExampleParams !== undefined ? { params: options.inputExampleParams } : {}),
    });
  }
  if (options.metadata !== undefined) mlmodel.metadata = options.metadata;
  mlmodel.model_size_bytes = await directorySize(dir);
  await writeMlmodel(dir, mlmodel);
  if (saved.pythonEnv) {
    await writePythonEnvFiles(dir, { ...saved.pythonEnv, ...(options.mlflowVersion !== undefined ? { mlflowVersion: options.mlflowVersion } : {}) });
  }
  return mlmodel;
}
