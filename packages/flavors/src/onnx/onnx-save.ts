/**
 * Saving the `onnx` flavor with MLflow's keys (ref §8.5), so Python's `mlflow.onnx.load_model`
 * and `mlflow.pyfunc.load_model` accept the directory:
 *
 * ```yaml
 * flavors:
 *   onnx: {code: null, data: model.onnx, onnx_session_options: null, onnx_version: 1.17.0,
 *          providers: [CUDAExecutionProvider, CPUExecutionProvider]}
 *   python_function: {data: model.onnx, env: {conda: conda.yaml, virtualenv: python_env.yaml},
 *                     loader_module: mlflow.onnx, python_version: 3.11.9}
 * ```
 *
 * `onnx_version`: MLflow writes the version of the Python `onnx` package that saved the model.
 * lablog has none, so it writes the oldest release at or after {@link DEFAULT_ONNX_VERSION} whose
 * IR version and default-domain opset cover the model's (see {@link onnxVersionFor}); the same
 * version is pinned in requirements.txt, so a rebuilt Python environment can read the model.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { invalidParameter } from '@lablog/tracking';
import type { FlavorConfig } from '../mlmodel.js';
import type { PythonEnvSpec } from '../env-files.js';
import { CONDA_ENV_FILE, DEFAULT_PYTHON_VERSION, PYTHON_ENV_FILE } from '../env-files.js';
import { readOnnxHeader, type OnnxModelHeader } from './onnx-proto.js';

/** Flavor name in MLmodel. */
export const ONNX_FLAVOR = 'onnx';
/** File name of the model in the model directory (MLflow's `_MODEL_DATA_SUBPATH`). */
export const ONNX_MODEL_FILE = 'model.onnx';
/** MLflow's default `ONNX_EXECUTION_PROVIDERS`. */
export const DEFAULT_ONNX_PROVIDERS: readonly string[] = ['CUDAExecutionProvider', 'CPUExecutionProvider'];
/** The `onnx_version` written for models any onnx ≥ 1.17 reads (IR ≤ 10, opset ≤ 22). */
export const DEFAULT_ONNX_VERSION = '1.17.0';

// onnx release → newest IR version and ai.onnx opset it reads (onnx's docs/Versioning.md).
const ONNX_RELEASES: readonly [string, number, number][] = [
  ['1.17.0', 10, 22],
  ['1.18.0', 11, 23],
];

/** `onnxruntime.SessionOptions` attributes MLflow accepts in `onnx_session_options`. */
export const ONNX_SESSION_OPTION_KEYS: readonly string[] = [
  'enable_cpu_mem_arena', 'enable_mem_pattern', 'enable_mem_reuse', 'enable_profiling', 'execution_mode', 'execution_order',
  'graph_optimization_level', 'inter_op_num_threads', 'intra_op_num_threads', 'log_severity_level', 'log_verbosity_level',
  'logid', 'optimized_model_filepath', 'profile_file_prefix', 'use_deterministic_compute', 'extra_session_config',
];

/** What the onnx flavor saves: the serialized ModelProto, or an object carrying it. */
export type OnnxModelSource = Uint8Array | ArrayBuffer | { readonly onnx: Uint8Array | ArrayBuffer };

/** Options of the onnx flavor. */
export interface OnnxSaveOptions {
  /** Execution providers in priority order, MLflow's names (default CUDA then CPU). */
  providers?: readonly string[];
  /** `onnxruntime.SessionOptions` attributes, snake_case as in Python (checked as MLflow checks them). */
  sessionOptions?: Readonly<Record<string, unknown>> | null;
  /** Overrides the `onnx_version` lablog picks. */
  onnxVersion?: string;
  /** `python_version` of the pyfunc flavor (default {@link DEFAULT_PYTHON_VERSION}). */
  pythonVersion?: string;
}

/** True for ONNX model bytes or `{ onnx: bytes }`. */
export function isOnnxModelSource(x: unknown): x is OnnxModelSource {
  if (x instanceof Uint8Array || x instanceof ArrayBuffer) return true;
  const o = x as { onnx?: unknown } | null;
  return o !== null && typeof o === 'object' && (o.onnx instanceof Uint8Array || o.onnx instanceof ArrayBuffer);
}

/** The bytes of an {@link OnnxModelSource}. */
export function onnxBytes(source: OnnxModelSource): Uint8Array {
  const raw = source instanceof Uint8Array || source instanceof ArrayBuffer ? source : source.onnx;
  return raw instanceof Uint8Array ? raw : new Uint8Array(raw);
}

/** The `onnx_version` for a model: the first known release reading its IR and opset, at least 1.17.0. */
export function onnxVersionFor(header: Pick<OnnxModelHeader, 'irVersion' | 'opsets'>): string {
  const opset = header.opsets[''] ?? header.opsets['ai.onnx'] ?? 0;
  const release = ONNX_RELEASES.find(([, ir, op]) => header.irVersion <= ir && opset <= op);
  return release?.[0] ?? '1.19.0';
}

/**
 * Checks session options as MLflow's `_validate_onnx_session_options` does.
 * @throws LablogError INVALID_PARAMETER_VALUE for unknown keys or bad values.
 */
export function validateOnnxSessionOptions(options: Readonly<Record<string, unknown>> | null | undefined): void {
  if (options === null || options === undefined) return;
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidParameter('onnx sessionOptions should be a mapping');
  for (const [key, value] of Object.entries(options)) {
    if (!ONNX_SESSION_OPTION_KEYS.includes(key)) throw invalidParameter(`Key ${key} in onnx_session_options is not a valid ONNX Runtime session options key`);
    if (key === 'extra_session_config' && value && (typeof value !== 'object' || Array.isArray(value))) {
      throw invalidParameter(`Value for key ${key} in onnx_session_options should be a mapping, not ${typeof value}`);
    }
    if (key === 'execution_mode' && !['PARALLEL', 'SEQUENTIAL'].includes(String(value).toUpperCase())) {
      throw invalidParameter(`Value for key ${key} in onnx_session_options should be 'parallel' or 'sequential', not ${String(value)}`);
    }
    if (key === 'graph_optimization_level' && ![0, 1, 2, 99].includes(value as number)) {
      throw invalidParameter(`Value for key ${key} in onnx_session_options should be 0, 1, 2, or 99, not ${String(value)}`);
    }
  }
}

function installedOrtVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('onnxruntime-node/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** What saving a flavor produced: flavor entries in MLflow's insertion order, and the Python environment. */
export interface SavedFlavor {
  readonly flavors: Record<string, FlavorConfig>;
  readonly pythonEnv?: PythonEnvSpec;
}

/**
 * Writes `<dir>/model.onnx` (the bytes as given, never re-encoded) and returns the
 * `python_function` and `onnx` flavor entries.
 * @throws LablogError INVALID_PARAMETER_VALUE when the bytes are not an ONNX model or the options are invalid.
 */
export async function saveOnnxFlavor(source: OnnxModelSource, dir: string, options: OnnxSaveOptions = {}): Promise<SavedFlavor> {
  const bytes = onnxBytes(source);
  let header: OnnxModelHeader;
  try {
    header = readOnnxHeader(bytes);
  } catch (e) {
    throw invalidParameter(`Not an ONNX model: ${(e as Error).message}`);
  }
  if (header.irVersion === 0 || header.inputs.length === 0) throw invalidParameter('Not an ONNX model: no IR version or no graph inputs');
  validateOnnxSessionOptions(options.sessionOptions);
  await writeFile(join(dir, ONNX_MODEL_FILE), bytes);
  const onnxVersion = options.onnxVersion ?? onnxVersionFor(header);
  const ortVersion = installedOrtVersion();
  const pythonVersion = options.pythonVersion ?? DEFAULT_PYTHON_VERSION;
  return {
    flavors: {
      python_function: {
        loader_module: 'mlflow.onnx',
        python_version: pythonVersion,
        data: ONNX_MODEL_FILE,
        env: { conda: CONDA_ENV_FILE, virtualenv: PYTHON_ENV_FILE },
      },
      [ONNX_FLAVOR]: {
        onnx_version: onnxVersion,
        data: ONNX_MODEL_FILE,
        providers: [...(options.providers ?? DEFAULT_ONNX_PROVIDERS)],
        onnx_session_options: options.sessionOptions ?? null,
        code: null,
      },
    },
    pythonEnv: {
      pythonVersion,
      requirements: [`onnx==${onnxVersion}`, ortVersion ? `onnxruntime==${ortVersion}` : 'onnxruntime'],
    },
  };
}
