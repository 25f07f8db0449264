/**
 * `POST runs/log-model` (ref §2.3): records a logged model's MLmodel (as JSON text) in the run's
 * `mlflow.log-model.history` tag, a JSON list with one element per logged model (ref §13).
 */
import type { FastifyInstance } from 'fastify';
import { MLFLOW_LOGGED_MODELS, MAX_TAG_VAL_LENGTH, invalidParameter } from '@lablog/tracking';
import { w, type Infer } from '../schemas/wire-schema.js';

/** POST runs/log-model. */
export const logModelSchema = w.message({ run_id: w.string(), model_json: w.string() }, ['run_id', 'model_json'], { run_uuid: 'run_id' });
type LogModel = Infer<typeof logModelSchema>;

/** Keys MLflow requires in `model_json` (`_log_model` in mlflow/server/handlers.py). */
const REQUIRED_KEYS = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;

/**
 * The history entry MLflow keeps for a model: its MLmodel dictionary without each flavor's
 * bulky `config` (`Model.get_tags_dict`).
 */
function historyEntry(model: Record<string, unknown>): Record<string, unknown> {
  const flavors = model.flavors as Record<string, Record<string, unknown>>;
  const slim: Record<string, unknown> = {};
  for (const [name, conf] of Object.entries(flavors)) {
    const { config: _dropped, ...rest } = conf ?? {};
    slim[name] = rest;
  }
  return { ...model, flavors: slim };
}

/** Registers `runs/log-model` on an API prefix. */
export async function logModelRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.post<{ Body: LogModel }>('/runs/log-model', { schema: { body: logModelSchema } }, async (req) => {
    const { run_id: runId, model_json: text } = req.body;
    let model: unknown;
    try {
      model = JSON.parse(text);
    } catch {
      throw invalidParameter("Malformed model info. 'model_json' must be the MLmodel as a JSON object.");
    }
    if (typeof model !== 'object' || model === null || Array.isArray(model)) {
      throw invalidParameter("Malformed model info. 'model_json' must be the MLmodel as a JSON object.");
    }
    const m = model as Record<string, unknown>;
    const missing = REQUIRED_KEYS.filter((k) => m[k] === undefined || m[k] === null);
    if (missing.length > 0) throw invalidParameter(`Model json is missing mandatory fields: [${missing.map((k) => `'${k}'`).join(', ')}]`);
    if (typeof m.flavors !== 'object' || Array.isArray(m.flavors)) throw invalidParameter("Malformed model info. 'flavors' must be a map.");
    if (m.run_id !== runId) throw invalidParameter(`Model json run_id '${String(m.run_id)}' does not match the request's run_id '${runId}'.`);

    const run = await store.getRun(runId);
    const current = run.data.tags.find((t) => t.key === MLFLOW_LOGGED_MODELS)?.value;
    let history: unknown[] = [];
    if (current !== undefined) {
      try {
        const parsed: unknown = JSON.parse(current);
        if (Array.isArray(parsed)) history = parsed;
      } catch {
        // A corrupt or truncated history is replaced rather than extended.
      }
    }
    history.push(historyEntry(m));
    const value = JSON.stringify(history);
    if (value.length > MAX_TAG_VAL_LENGTH) {
      throw invalidParameter(
        `The run's ${MLFLOW_LOGGED_MODELS} tag would exceed ${MAX_TAG_VAL_LENGTH} characters; the model artifacts are logged, its history entry is not.`,
      );
    }
    await store.logBatch(runId, { tags: [{ key: MLFLOW_LOGGED_MODELS, value }] });
    return {};
  });
}
