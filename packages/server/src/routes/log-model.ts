/**
 * `POST runs/log-model` (ref §2.3): records a logged model's MLmodel (as JSON text) in the run's
 * `mlflow.log-model.history` tag, a JSON list with one element per logged model (ref §13).
 * Validation, the history entry and the atomic append live in the store
 * (`TrackingStore.recordLoggedModel`, packages/tracking/src/logged-model-history.ts).
 */
import type { FastifyInstance } from 'fastify';
import { w, type Infer } from '../schemas/wire-schema.js';

/** POST runs/log-model. */
export const logModelSchema = w.message({ run_id: w.string(), model_json: w.string() }, ['run_id', 'model_json'], { run_uuid: 'run_id' });
type LogModel = Infer<typeof logModelSchema>;

/** Registers `runs/log-model` on an API prefix. */
export async function logModelRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.post<{ Body: LogModel }>('/runs/log-model', { schema: { body: logModelSchema } }, async (req) => {
    await store.recordLoggedModel(req.body.run_id, req.body.model_json);
    return {};
  });
}
