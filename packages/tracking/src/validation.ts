/**
 * MLflow's validation rules and limits (mlflow/utils/validation.py), in one module that every
 * persisting store calls at the start of each write. Message builders take a JSON path
 * (`metrics[3].value`) so the server can reuse them with MLflow's wording.
 */
import { LablogError, invalidParameter } from './errors.js';
import type { Metric } from './entities/metric.js';
import type { Param } from './entities/param.js';
import type { Tag } from './entities/tag.js';
import type { DatasetInput } from './entities/dataset.js';

// ---------------------------------------------------------------------------------------------
// Limits (ref §5.1)

export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
export const MAX_EXPERIMENT_TAG_VAL_LENGTH = 5000;
export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 100_000;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
export const MAX_DATASETS_PER_BATCH = 1000;
export const MAX_DATASET_NAME_SIZE = 500;
export const MAX_DATASET_DIGEST_SIZE = 36;
export const MAX_DATASET_SOURCE_SIZE = 65_535;
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
export const MAX_INPUT_TAG_KEY_SIZE = 255;
export const MAX_INPUT_TAG_VALUE_SIZE = 500;
export const MAX_ARTIFACT_LOCATION_LENGTH = 2048;
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;
export const GET_METRIC_HISTORY_MAX_RESULTS = 25_000;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT = 100;
export const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD = 1000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT = 10_000;
export const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD = 200_000;

// ---------------------------------------------------------------------------------------------
// Message builders

/** "Invalid value X for parameter 'path' supplied." plus an optional hint. */
export function invalidValueMessage(path: string, value: unknown, hint = ''): string {
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return `Invalid value ${shown} for parameter '${path}' supplied.${hint ? ' ' + hint : ''}`;
}

/** MLflow's wording for a missing required field. */
export function missingValueMessage(path: string): string {
  return `Missing value for required parameter '${path}'. See the API docs for more information about request parameters.`;
}

/** An INVALID_PARAMETER_VALUE error for a bad value. */
export function invalidValue(path: string, value: unknown, hint = ''): LablogError {
  return invalidParameter(invalidValueMessage(path, value, hint));
}

/** An INVALID_PARAMETER_VALUE error for a missing value. */
export function missingValue(path: string): LablogError {
  return invalidParameter(missingValueMessage(path));
}

// ---------------------------------------------------------------------------------------------
// Policy: what to do with over-long param and tag values

/** How over-long param/tag values are handled: MLflow truncates with a warning by default. */
export interface ValidationPolicy {
  /** true: truncate with a warning (MLflow's default); false: reject. */
  truncateLongValues: boolean;
  /** Where truncation warnings go. */
  warn: (message: string) => void;
}

function envTruncate(): boolean {
  const v = typeof process !== 'undefined' ? process.env?.MLFLOW_TRUNCATE_LONG_VALUES : undefined;
  return v === undefined ? true : !['false', '0', 'no'].includes(v.toLowerCase());
}

/** The policy from `MLFLOW_TRUNCATE_LONG_VALUES` (default true), warnings to console.warn. */
export function defaultValidationPolicy(): ValidationPolicy {
  return { truncateLongValues: envTruncate(), warn: (m) => console.warn(`lablog: ${m}`) };
}

// ---------------------------------------------------------------------------------------------
// Keys

const BAD_CHARACTERS_MESSAGE =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
const KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

/** POSIX `normpath`, as Python's posixpath does it (needed to reject keys that alias others). */
export function posixNormpath(path: string): string {
  if (path === '') return '.';
  const initialSlashes = path.startsWith('/') ? (path.startsWith('//') && !path.startsWith('///') ? 2 : 1) : 0;
  const out: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (initialSlashes === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined || '.';
}

const validatedKeys = new Set<string>();

/**
 * Checks a metric, param or tag key: present, at most 250 characters, MLflow's character set,
 * and a path that normalises to itself. Valid keys are remembered, so the hot path of
 * `logMetric` pays for a Set lookup only.
 */
export function validateKey(key: unknown, kind: 'metric' | 'param' | 'tag', path = 'key'): asserts key is string {
  if (typeof key === 'string' && validatedKeys.has(key)) return;
  if (key === undefined || key === null) throw invalidParameter('A key name must be provided.');
  if (typeof key !== 'string') throw invalidValue(path, key, `Expected a string ${kind} name.`);
  if (!KEY_CHARS.test(key)) throw invalidParameter(`Invalid ${kind} name: '${key}'. ${BAD_CHARACTERS_MESSAGE}`);
  const norm = posixNormpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    );
  }
  if (key.length > MAX_ENTITY_KEY_LENGTH) {
    throw invalidParameter(`${capital(kind)} name '${key}' had length ${key.length}, which exceeded length limit of ${MAX_ENTITY_KEY_LENGTH}`);
  }
  if (validatedKeys.size < 100_000) validatedKeys.add(key);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Metrics, params, tags

/** Checks one metric point: key, a real number value (NaN/±Inf allowed), timestamp ≥ 0, integer step. */
export function validateMetric(m: Metric, path = 'metrics'): void {
  validateKey(m.key, 'metric', `${path}.key`);
  if (typeof m.value !== 'number') {
    throw invalidParameter(`Got invalid value ${String(m.value)} for metric '${m.key}' (timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`);
  }
  if (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp) || m.timestamp < 0 || !Number.isInteger(m.timestamp)) {
    throw invalidParameter(`Got invalid timestamp ${String(m.timestamp)} for metric '${m.key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer) `);
  }
  if (typeof m.step !== 'number' || !Number.isInteger(m.step)) {
    throw invalidParameter(`Got invalid step ${String(m.step)} for metric '${m.key}' (value=${m.value}). Step must be a valid long (64-bit integer).`);
  }
}

/** Checks a param and returns it, with its value truncated to 6000 characters when the policy allows. */
export function validateParam(p: Param, policy: ValidationPolicy, path = 'params'): Param {
  validateKey(p.key, 'param', `${path}.key`);
  if (typeof p.value !== 'string') throw invalidValue(`${path}.value`, p.value, 'Param values must be strings.');
  return { key: p.key, value: limitValue(p.value, MAX_PARAM_VAL_LENGTH, `Param value for key '${p.key}'`, policy) };
}

/** Checks a run tag and returns it, with its value truncated to 8000 characters when the policy allows. */
export function validateRunTag(t: Tag, policy: ValidationPolicy, path = 'tags'): Tag {
  validateKey(t.key, 'tag', `${path}.key`);
  if (typeof t.value !== 'string') throw invalidValue(`${path}.value`, t.value, 'Tag values must be strings.');
  return { key: t.key, value: limitValue(t.value, MAX_TAG_VAL_LENGTH, `Tag value for key '${t.key}'`, policy) };
}

function limitValue(value: string, max: number, what: string, policy: ValidationPolicy): string {
  if (value.length <= max) return value;
  if (!policy.truncateLongValues) {
    throw invalidParameter(`${what} had length ${value.length}, which exceeded length limit of ${max}`);
  }
  policy.warn(`${what} had length ${value.length}, which exceeded length limit of ${max}; truncated to ${max} characters.`);
  return value.slice(0, max);
}

/** The pieces of a `logBatch`, checked and with values truncated per policy. */
export interface ValidatedBatch {
  metrics: Metric[];
  params: Param[];
  tags: Tag[];
}

/**
 * Checks a batch against MLflow's limits (1000 metrics, 100 params, 100 tags, 1000 in all),
 * each entry, and duplicate param keys. Throws before anything is written.
 */
export function validateBatch(
  batch: { metrics?: readonly Metric[]; params?: readonly Param[]; tags?: readonly Tag[] },
  policy: ValidationPolicy,
): ValidatedBatch {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  if (metrics.length > MAX_METRICS_PER_BATCH) {
    throw invalidParameter(`A batch logging request can contain at most ${MAX_METRICS_PER_BATCH} metrics. Got ${metrics.length} metrics. Please split up metrics across multiple requests and try again.`);
  }
  if (params.length > MAX_PARAMS_TAGS_PER_BATCH) {
    throw invalidParameter(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} params. Got ${params.length} params. Please split up params across multiple requests and try again.`);
  }
  if (tags.length > MAX_PARAMS_TAGS_PER_BATCH) {
    throw invalidParameter(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} tags. Got ${tags.length} tags. Please split up tags across multiple requests and try again.`);
  }
  const total = metrics.length + params.length + tags.length;
  if (total > MAX_ENTITIES_PER_BATCH) {
    throw invalidParameter(`A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params and tags in total. Got ${total} entities.`);
  }
  for (let i = 0; i < metrics.length; i++) validateMetric(metrics[i]!, `metrics[${i}]`);
  const outParams = params.map((p, i) => validateParam(p, policy, `params[${i}]`));
  const seen = new Set<string>();
  for (const p of outParams) {
    if (seen.has(p.key)) {
      throw invalidParameter(`Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`);
    }
    seen.add(p.key);
  }
  const outTags = tags.map((t, i) => validateRunTag(t, policy, `tags[${i}]`));
  return { metrics: metrics as Metric[], params: outParams, tags: outTags };
}

/** MLflow's message when a param is logged again with another value. */
export function paramChangedMessage(key: string, oldValue: string, newValue: string, runId: string): string {
  return `Changing param values is not allowed. Param with key='${key}' was already logged with value='${oldValue}' for run ID='${runId}'. Attempted logging new value '${newValue}'.`;
}

// ---------------------------------------------------------------------------------------------
// Ids, names, experiments

const RUN_ID_RE = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID_RE = /^[a-zA-Z0-9][\w-]{0,63}$/;

/** Run ids: `^[a-zA-Z0-9][\w\-]{0,255}$`. */
export function validateRunId(runId: unknown, path = 'run_id'): asserts runId is string {
  if (runId === undefined || runId === null || runId === '') throw missingValue(path);
  if (typeof runId !== 'string' || !RUN_ID_RE.test(runId)) throw invalidParameter(`Invalid run ID: '${String(runId)}'`);
}

/** Experiment ids: `^[a-zA-Z0-9][\w\-]{0,63}$`. */
export function validateExperimentId(id: unknown, path = 'experiment_id'): asserts id is string {
  if (id === undefined || id === null || id === '') throw missingValue(path);
  if (typeof id !== 'string' || !EXPERIMENT_ID_RE.test(id)) throw invalidParameter(`Invalid experiment ID: '${String(id)}'`);
}

/** Experiment names: non-empty strings of at most 500 characters. */
export function validateExperimentName(name: unknown): asserts name is string {
  if (name === undefined || name === null || name === '') throw invalidParameter('Invalid experiment name: ' + JSON.stringify(name ?? null));
  if (typeof name !== 'string') throw invalidParameter(`Invalid experiment name: ${JSON.stringify(name)}. Expects a string.`);
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) {
    throw invalidParameter(`Experiment name exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH} characters`);
  }
}

/** Experiment tags: key rules, value at most 5000 (no truncation). */
export function validateExperimentTag(t: Tag): void {
  validateKey(t.key, 'tag');
  if (t.key.length > MAX_EXPERIMENT_TAG_KEY_LENGTH) throw invalidParameter(`Experiment tag key '${t.key}' exceeds the maximum length of ${MAX_EXPERIMENT_TAG_KEY_LENGTH}`);
  if (typeof t.value !== 'string') throw invalidValue('value', t.value, 'Tag values must be strings.');
  if (t.value.length > MAX_EXPERIMENT_TAG_VAL_LENGTH) {
    throw invalidParameter(`Experiment tag value for key '${t.key}' had length ${t.value.length}, which exceeded length limit of ${MAX_EXPERIMENT_TAG_VAL_LENGTH}`);
  }
}

/**
 * Experiment artifact locations: no URL fragment or `;params`, not a `runs:/` URI, bounded length.
 */
export function validateArtifactLocation(location: string): void {
  if (location.length > MAX_ARTIFACT_LOCATION_LENGTH) {
    throw invalidParameter(`Invalid artifact location: exceeds the maximum length of ${MAX_ARTIFACT_LOCATION_LENGTH}`);
  }
  if (/^runs:\//i.test(location)) throw invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  if (location.includes('#') || /;[^/]*$/.test(location.split('?')[0] ?? '') || location.includes('\0')) {
    throw invalidParameter(`'artifact_location' URL can't include fragments or params. Given: '${location}'`);
  }
}

/** `max_results` for runs and experiments search: 1..50 000. */
export function validateSearchMaxResults(n: number, max = SEARCH_MAX_RESULTS_THRESHOLD, path = 'max_results'): void {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw invalidParameter(`Invalid value ${n} for parameter '${path}' supplied. It must be at most ${max}, and at least 1.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Datasets

/** Checks dataset inputs against MLflow's field limits. */
export function validateDatasetInputs(inputs: readonly DatasetInput[]): void {
  if (inputs.length > MAX_DATASETS_PER_BATCH) {
    throw invalidParameter(`A batch logging request can contain at most ${MAX_DATASETS_PER_BATCH} datasets. Got ${inputs.length} datasets.`);
  }
  inputs.forEach((input, i) => {
    const d = input.dataset;
    const p = `datasets[${i}].dataset`;
    for (const [field, value] of [['name', d.name], ['digest', d.digest], ['source_type', d.sourceType], ['source', d.source]] as const) {
      if (typeof value !== 'string' || value === '') throw missingValue(`${p}.${field}`);
    }
    checkSize(`${p}.name`, d.name, MAX_DATASET_NAME_SIZE);
    checkSize(`${p}.digest`, d.digest, MAX_DATASET_DIGEST_SIZE);
    checkSize(`${p}.source`, d.source, MAX_DATASET_SOURCE_SIZE);
    if (d.schema !== undefined) checkSize(`${p}.schema`, d.schema, MAX_DATASET_SCHEMA_SIZE);
    if (d.profile !== undefined) checkSize(`${p}.profile`, d.profile, MAX_DATASET_PROFILE_SIZE);
    input.tags.forEach((t, j) => {
      if (typeof t.key !== 'string' || t.key === '') throw missingValue(`datasets[${i}].tags[${j}].key`);
      checkSize(`datasets[${i}].tags[${j}].key`, t.key, MAX_INPUT_TAG_KEY_SIZE);
      checkSize(`datasets[${i}].tags[${j}].value`, t.value, MAX_INPUT_TAG_VALUE_SIZE);
    });
  });
}

function checkSize(path: string, value: string, max: number): void {
  if (value.length > max) throw invalidParameter(`'${path}' exceeds the maximum length of ${max}`);
}

// ---------------------------------------------------------------------------------------------
// Registry

/** Registered-model names: non-empty, no path separator, no `%`. */
export function validateRegisteredModelName(name: unknown, path = 'name'): asserts name is string {
  if (name === undefined || name === null || name === '') throw missingValue(path);
  if (typeof name !== 'string') throw invalidValue(path, name);
  if (name.includes('/') || name.includes('\\') || name.includes('%') || name.includes('\0')) {
    throw invalidParameter(`Invalid name: '${name}'. Registered model names cannot contain '/', '\\' or '%'.`);
  }
  if (name.length > MAX_EXPERIMENT_NAME_LENGTH) throw invalidParameter(`Registered model name exceeds the maximum length of ${MAX_EXPERIMENT_NAME_LENGTH}`);
}

/** Registry tags: key rules, key ≤ 250, value ≤ 100 000. */
export function validateRegistryTag(t: Tag): void {
  validateKey(t.key, 'tag');
  if (typeof t.value !== 'string') throw invalidValue('value', t.value, 'Tag values must be strings.');
  if (t.value.length > MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH) {
    throw invalidParameter(`Registered model tag value for key '${t.key}' had length ${t.value.length}, which exceeded length limit of ${MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH}`);
  }
}

/** Version numbers: positive integers, as strings or numbers. Returns the number. */
export function validateModelVersion(version: unknown, path = 'version'): number {
  if (version === undefined || version === null || version === '') throw missingValue(path);
  const s = String(version);
  if (!/^\d+$/.test(s) || Number(s) < 1) throw invalidParameter(`Parameter 'version' must be an integer, got '${s}'.`);
  return Number(s);
}

/** Alias names: `^[\w\-]*$`, non-empty, ≤ 255, not `latest` (any case), not `v<digits>`. */
export function validateAlias(alias: unknown): asserts alias is string {
  if (alias === undefined || alias === null || alias === '') throw missingValue('alias');
  if (typeof alias !== 'string' || !/^[\w-]*$/.test(alias)) {
    throw invalidParameter(`Invalid alias name: '${String(alias)}'. Alias names may only contain alphanumerics, underscores (_) and dashes (-).`);
  }
  if (alias.length > MAX_REGISTERED_MODEL_ALIAS_LENGTH) {
    throw invalidParameter(`Alias name '${alias}' exceeds the maximum length of ${MAX_REGISTERED_MODEL_ALIAS_LENGTH}`);
  }
  if (alias.toLowerCase() === 'latest') throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (/^[vV]\d+$/.test(alias)) throw invalidParameter(`Version alias name '${alias}' is reserved.`);
}
