/**
 * The `MLmodel` file (ref §8.2), read and written as MLflow does: YAML from `yaml.safe_dump`
 * (sorted keys, block style, `utc_time_created` a quoted `'YYYY-MM-DD HH:MM:SS.ffffff'`),
 * `model_uuid` a uuid4 hex, `signature` as JSON strings. Keys lablog does not know are kept
 * on a read → write round trip, as MLflow's `Model(**dict)` keeps them.
 *
 * `mlflow_version` is written only when asked ({@link NewMlmodelOptions.mlflowVersion}): lablog is
 * not MLflow and has no MLflow version to claim, and Python's `Model.load` fills a missing
 * `mlflow_version` itself, so a model without it loads.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { invalidParameter } from '@lablog/tracking';
import type { ModelSignature } from './signature.js';
import { signatureFromDict, signatureToDict, type SignatureDict } from './signature-json.js';
import { pyYamlDump, type PyYamlValue } from './py-yaml.js';

/** The file name of the model metadata, `MLmodel`. */
export const MLMODEL_FILE_NAME = 'MLmodel';

/** One flavor's configuration map, e.g. `{ data: 'model.onnx', onnx_version: '1.17.0', … }`. */
export type FlavorConfig = Record<string, unknown>;

/** `saved_input_example_info` (ref §8.4). */
export interface SavedInputExampleInfo {
  artifact_path: string;
  type: 'dataframe' | 'ndarray' | 'json_object' | 'sparse_matrix_csr' | 'sparse_matrix_csc';
  pandas_orient?: 'split' | 'values';
  serving_input_path?: string;
  params?: 'true';
  [key: string]: unknown;
}

/** The content of an `MLmodel` file, with MLflow's (snake_case) keys; unknown keys are kept. */
export interface Mlmodel {
  flavors: Record<string, FlavorConfig>;
  utc_time_created: string;
  model_uuid: string;
  run_id?: string;
  artifact_path?: string;
  mlflow_version?: string;
  signature?: SignatureDict;
  saved_input_example_info?: SavedInputExampleInfo;
  model_size_bytes?: number;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Options of {@link newMlmodel}. */
export interface NewMlmodelOptions {
  runId?: string;
  artifactPath?: string;
  /** Written as `mlflow_version` when given (see the module comment). */
  mlflowVersion?: string;
  /** Creation time (default: now). */
  now?: Date;
  /** Free-form user metadata (`metadata`). */
  metadata?: Record<string, unknown>;
}

/**
 * `str(datetime.utcnow())` for a time: `YYYY-MM-DD HH:MM:SS.ffffff`; like Python, the fraction
 * is left out when the microseconds are 0. `micros` adds sub-millisecond precision (0–999).
 */
export function formatUtcTimeCreated(date: Date, micros = 0): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(date.getUTCFullYear(), 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
  const us = date.getUTCMilliseconds() * 1000 + micros;
  return us === 0 ? base : `${base}.${p(us, 6)}`;
}

/** A new model description: time created, uuid4 hex, and the given run, path and metadata. */
export function newMlmodel(options: NewMlmodelOptions = {}): Mlmodel {
  let now = options.now;
  let micros = 0;
  if (now === undefined) {
    const t = performance.timeOrigin + performance.now();
    now = new Date(Math.floor(t));
    micros = Math.floor((t - Math.floor(t)) * 1000);
  }
  const model: Mlmodel = {
    flavors: {},
    utc_time_created: formatUtcTimeCreated(now, micros),
    model_uuid: randomUUID().replace(/-/g, ''),
  };
  if (options.runId !== undefined) model.run_id = options.runId;
  if (options.artifactPath !== undefined) model.artifact_path = options.artifactPath;
  if (options.mlflowVersion !== undefined) model.mlflow_version = options.mlflowVersion;
  if (options.metadata !== undefined) model.metadata = options.metadata;
  return model;
}

/** Sets (or clears, with null) the signature of a model description. */
export function setSignature(model: Mlmodel, signature: ModelSignature | null): void {
  if (signature === null) delete model.signature;
  else model.signature = signatureToDict(signature);
}

/** The signature of a model description, or null when it has none. */
export function getSignature(model: Mlmodel): ModelSignature | null {
  return model.signature === undefined || model.signature === null ? null : signatureFromDict(model.signature);
}

/** `MLmodel` text for a model description, byte-identical to `yaml.safe_dump(model.to_dict(), default_flow_style=False)`. */
export function mlmodelToYaml(model: Mlmodel): string {
  return pyYamlDump(model as unknown as PyYamlValue);
}

/**
 * Parses `MLmodel` text.
 * @throws LablogError INVALID_PARAMETER_VALUE when it is not a mapping with a `flavors` mapping.
 */
export function mlmodelFromYaml(text: string): Mlmodel {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw invalidParameter(`Invalid MLmodel file: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalidParameter('Invalid MLmodel file: expected a YAML mapping');
  const model = doc as Mlmodel;
  if (model.flavors === null || typeof model.flavors !== 'object' || Array.isArray(model.flavors)) {
    throw invalidParameter('Invalid MLmodel file: missing `flavors` mapping');
  }
  return model;
}

/** Reads `<dir>/MLmodel`. */
export async function readMlmodel(dir: string): Promise<Mlmodel> {
  let text: string;
  try {
    text = await readFile(join(dir, MLMODEL_FILE_NAME), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw invalidParameter(`Could not find an "${MLMODEL_FILE_NAME}" configuration file at "${dir}"`);
    }
    throw e;
  }
  return mlmodelFromYaml(text);
}

/** Writes `<dir>/MLmodel`. */
export async function writeMlmodel(dir: string, model: Mlmodel): Promise<void> {
  await writeFile(join(dir, MLMODEL_FILE_NAME), mlmodelToYaml(model), 'utf8');
}

/**
 * What MLflow records for a logged model in the run tag `mlflow.log-model.history` (its
 * `Model.get_tags_dict`): run_id, artifact_path, utc_time_created, model_uuid, then the flavors
 * without their `config` entries.
 */
export function mlmodelTagsDict(model: Mlmodel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['run_id', 'artifact_path', 'utc_time_created', 'model_uuid'] as const) {
    if (model[key] !== undefined) out[key] = model[key];
  }
  out.flavors = Object.fromEntries(
    Object.entries(model.flavors).map(([name, conf]) => [
      name,
      conf !== null && typeof conf === 'object' ? Object.fromEntries(Object.entries(conf).filter(([k]) => k !== 'config')) : conf,
    ]),
  );
  return out;
}
