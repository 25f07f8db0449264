/**
 * The store-independent half of MLflow's `record_logged_model` (`runs/log-model`): parsing and
 * validating the model's MLmodel (as JSON text), building its entry of the run tag
 * `mlflow.log-model.history` (`Model.get_tags_dict`: the flavors without their `config`) and
 * appending it to the tag's current value. Each store wraps {@link appendLoggedModel} in its
 * own atomic read-modify-write of the tag.
 */
import { invalidParameter } from './errors.js';
import { MLFLOW_LOGGED_MODELS } from './tags.js';
import { MAX_TAG_VAL_LENGTH } from './validation.js';
import { pyJsonDumps, type PyJsonValue } from './py-json.js';

/** Keys MLflow requires in `model_json` (`_log_model` in mlflow/server/handlers.py). */
export const LOGGED_MODEL_REQUIRED_KEYS = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;

/** The top-level keys `Model.get_tags_dict` keeps (besides `flavors`). */
const TAGS_DICT_KEYS = new Set(['run_id', 'artifact_path', 'utc_time_created', 'model_uuid']);

const MALFORMED = "Malformed model info. 'model_json' must be the MLmodel as a JSON object.";

/**
 * Parses and validates `model_json` for `runId` and returns the model's history entry.
 * @throws LablogError INVALID_PARAMETER_VALUE for text that is not a JSON object, a missing
 *   mandatory key, `flavors` that is not a map, or a `run_id` other than `runId`.
 */
export function loggedModelEntry(runId: string, modelJson: string): Record<string, PyJsonValue> {
  if (typeof modelJson !== 'string') throw invalidParameter(MALFORMED);
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw invalidParameter(MALFORMED);
  }
  if (typeof model !== 'object' || model === null || Array.isArray(model)) throw invalidParameter(MALFORMED);
  const m = model as Record<string, PyJsonValue>;
  const missing = LOGGED_MODEL_REQUIRED_KEYS.filter((k) => m[k] === undefined || m[k] === null);
  if (missing.length > 0) throw invalidParameter(`Model json is missing mandatory fields: [${missing.map((k) => `'${k}'`).join(', ')}]`);
  if (typeof m.flavors !== 'object' || Array.isArray(m.flavors)) throw invalidParameter("Malformed model info. 'flavors' must be a map.");
  if (m.run_id !== runId) throw invalidParameter(`Model json run_id '${String(m.run_id)}' does not match the request's run_id '${runId}'.`);
  const entry: Record<string, PyJsonValue> = {};
  for (const [k, v] of Object.entries(m)) if (TAGS_DICT_KEYS.has(k)) entry[k] = v;
  const flavors: Record<string, PyJsonValue> = {};
  for (const [name, conf] of Object.entries(m.flavors as Record<string, PyJsonValue>)) {
    if (conf !== null && typeof conf === 'object' && !Array.isArray(conf)) {
      const { config: _dropped, ...rest } = conf as Record<string, PyJsonValue>;
      flavors[name] = rest;
    } else {
      flavors[name] = conf;
    }
  }
  entry.flavors = flavors;
  return entry;
}

/**
 * The tag value after appending `entry` to `current` (the tag's value, `undefined` when unset),
 * written as Python's `json.dumps` writes it. A current value that is not a JSON list is
 * replaced rather than extended.
 * @throws LablogError INVALID_PARAMETER_VALUE when the value would exceed MAX_TAG_VAL_LENGTH.
 */
export function appendLoggedModel(current: string | undefined, entry: Record<string, PyJsonValue>): string {
  let history: PyJsonValue[] = [];
  if (current !== undefined) {
    try {
      const parsed: unknown = JSON.parse(current);
      if (Array.isArray(parsed)) history = parsed as PyJsonValue[];
    } catch {
      // A corrupt or truncated history is replaced rather than extended.
    }
  }
  const value = pyJsonDumps([...history, entry]);
  if (value.length > MAX_TAG_VAL_LENGTH) {
    throw invalidParameter(
      `The run's ${MLFLOW_LOGGED_MODELS} tag would be ${value.length} characters, over the ${MAX_TAG_VAL_LENGTH} limit of a tag value; the model's history entry is not recorded.`,
    );
  }
  return value;
}
