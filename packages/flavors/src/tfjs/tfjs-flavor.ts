/**
 * The `tfjs` flavor: a tfjs LayersModel saved in tfjs' own layers format (`model.json` plus one
 * weight shard, `group1-shard1of1.bin`) under `data/`, as MLflow's Keras flavor keeps its files
 * under `data/`. Saving goes through `tf.io.withSaveHandler` and loading through
 * `tf.io.fromMemory`, so no file-system IO handler (tfjs-node) is needed and any backend works.
 *
 * ```yaml
 * flavors:
 *   tfjs:
 *     code: null
 *     data: data
 *     model_format: layers-model
 *     tfjs_version: 4.22.0
 * ```
 * There is no `python_function` entry: Python cannot run a tfjs model.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { LablogError, invalidParameter } from '@lablog/tracking';
import type { LoadedModel } from '../loaded-model.js';
import type { ModelInput, ModelOutput, Tensor, TensorDtype } from '../tensor.js';
import type { FlavorConfig, Mlmodel } from '../mlmodel.js';
import { getSignature } from '../mlmodel.js';
import { enforceSignature } from '../enforce-signature.js';
import { isTensor } from '../tensor-utils.js';
import { tensorFromTfjs } from './convert.js';
import { loadTfjs } from './load-tfjs.js';

/** Flavor name in MLmodel. */
export const TFJS_FLAVOR = 'tfjs';
/** Directory of the model files inside the model directory. */
export const TFJS_DATA_DIR = 'data';
/** Name of the single weight shard lablog writes (tfjs converter naming). */
export const TFJS_WEIGHTS_FILE = 'group1-shard1of1.bin';

/** The part of a tfjs `LayersModel` lablog uses (structural, so any copy of tfjs fits). */
export interface TfjsLayersModelLike {
  readonly inputs: readonly { readonly name: string; readonly shape: readonly (number | null)[]; readonly dtype: string }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly (number | null)[]; readonly dtype: string }[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  save(handlerOrUrl: unknown, config?: unknown): Promise<unknown>;
  predict(x: unknown, args?: unknown): unknown;
}

/** True for a tfjs LayersModel (duck-typed: inputs, outputs, save, predict). */
export function isTfjsLayersModel(x: unknown): x is TfjsLayersModelLike {
  const m = x as Partial<TfjsLayersModelLike> | null;
  return m !== null && typeof m === 'object' && Array.isArray(m.inputs) && Array.isArray(m.outputs) && typeof m.save === 'function' && typeof m.predict === 'function';
}

function concat(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((b) => new Uint8Array(b)));
}

/**
 * Writes the model into `<dir>/data/` and returns the flavor's MLmodel entry. `tfjs_version` is
 * read from the artifacts' `generatedBy` (`TensorFlow.js tfjs-layers v4.22.0`).
 */
export async function saveTfjsFlavor(model: TfjsLayersModelLike, dir: string): Promise<FlavorConfig> {
  const { core } = await loadTfjs();
  const dataDir = join(dir, TFJS_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  let version = core.version_core;
  await model.save(
    core.io.withSaveHandler(async (artifacts) => {
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.signature != null) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      const weights = concat(artifacts.weightData);
      await writeFile(join(dataDir, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(dataDir, TFJS_WEIGHTS_FILE), weights);
      version = /v(\d+\.\d+\.\d+\S*)/.exec(artifacts.generatedBy ?? '')?.[1] ?? version;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  return { code: null, data: TFJS_DATA_DIR, model_format: 'layers-model', tfjs_version: version };
}

function confined(root: string, rel: string): string {
  const full = resolve(root, rel);
  if (full !== root && !full.startsWith(root + sep)) throw invalidParameter(`Invalid weight path '${rel}' in model.json`);
  return full;
}

function toTfjsData(t: Tensor, dtype: string): { values: Float32Array | Int32Array | Uint8Array | string[]; dtype: 'float32' | 'int32' | 'bool' | 'string' } {
  if (t.dtype === 'str') return { values: t.data as string[], dtype: 'string' };
  const src = t.data as ArrayLike<number | bigint>;
  const nums = (): number[] => Array.from(src, Number);
  if (dtype === 'int32') return { values: Int32Array.from(nums()), dtype: 'int32' };
  if (dtype === 'bool') return { values: Uint8Array.from(nums(), (x) => (x ? 1 : 0)), dtype: 'bool' };
  return { values: t.data instanceof Float32Array ? t.data : Float32Array.from(nums()), dtype: 'float32' };
}

/**
 * Loads a tfjs flavor from a model directory.
 * @throws LablogError INVALID_PARAMETER_VALUE when the flavor or its files are malformed.
 */
export async function loadTfjsFlavor(dir: string, mlmodel: Mlmodel): Promise<LoadedModel> {
  const conf = mlmodel.flavors[TFJS_FLAVOR];
  if (!conf) throw invalidParameter(`Model does not have the "${TFJS_FLAVOR}" flavor`);
  if (conf.model_format !== undefined && conf.model_format !== 'layers-model') {
    throw new LablogError(`tfjs model_format '${String(conf.model_format)}' is not supported (only layers-model)`, 'NOT_IMPLEMENTED');
  }
  const root = resolve(dir);
  const dataDir = confined(root, typeof conf.data === 'string' ? conf.data : TFJS_DATA_DIR);
  const json = JSON.parse(await readFile(join(dataDir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: object[] }[];
    [key: string]: unknown;
  };
  const buffers: Uint8Array[] = [];
  const weightSpecs: object[] = [];
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths) buffers.push(await readFile(confined(dataDir, p)));
    weightSpecs.push(...group.weights);
  }
  const weightData = Buffer.concat(buffers);
  const { core, layers } = await loadTfjs();
  const artifacts = {
    ...json,
    weightSpecs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
  };
  delete (artifacts as { weightsManifest?: unknown }).weightsManifest;
  const model = await layers.loadLayersModel(core.io.fromMemory(artifacts as Parameters<typeof core.io.fromMemory>[0]));
  const signature = getSignature(mlmodel);
  return {
    flavor: TFJS_FLAVOR,
    metadata: mlmodel,
    signature,
    async predict(input: ModelInput): Promise<ModelOutput> {
      const enforced = enforceSignature(input, signature);
      const feeds: Tensor[] = isTensor(enforced)
        ? [enforced]
        : model.inputNames.length === 1 && Object.keys(enforced).length === 1 && !(model.inputNames[0]! in enforced)
          ? [Object.values(enforced)[0]!]
          : model.inputNames.map((n) => {
              const t = (enforced as Record<string, Tensor>)[n];
              if (t === undefined) throw invalidParameter(`Model is missing inputs ['${n}'].`);
              return t;
            });
      if (feeds.length !== model.inputs.length) throw invalidParameter(`The model takes ${model.inputs.length} inputs, got ${feeds.length}.`);
      const outs = core.tidy(() => {
        const xs = feeds.map((t, i) => {
          const { values, dtype } = toTfjsData(t, model.inputs[i]!.dtype);
          return core.tensor(values, [...t.shape], dtype);
        });
        const y = model.predict(xs.length === 1 ? xs[0]! : xs);
        return Array.isArray(y) ? y : [y];
      });
      try {
        const result: ModelOutput = {};
        outs.forEach((o, i) => {
          result[model.outputNames[i] ?? `output_${i}`] = tensorFromTfjs(o);
        });
        return result;
      } finally {
        core.dispose(outs);
      }
    },
    async dispose(): Promise<void> {
      model.dispose();
    },
  };
}

/** The dtypes a tfjs model can take or give, as neutral dtypes (`string` → `str`). */
export function tfjsDtype(dtype: string): TensorDtype {
  switch (dtype) {
    case 'float32':
    case 'int32':
    case 'bool':
      return dtype;
    case 'string':
      return 'str';
    default:
      throw invalidParameter(`tfjs dtype '${dtype}' has no TensorSpec equivalent`);
  }
}
