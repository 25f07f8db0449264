/** Request messages of the experiment endpoints (ref §2.2; `service.proto`). */
import { VIEW_TYPES } from '@lablog/tracking';
import { w, type Infer } from './wire-schema.js';

const tag = w.message({ key: w.string(), value: w.string() }, ['key']);

/** POST experiments/create. */
export const createExperiment = w.message({ name: w.string(), artifact_location: w.string(), tags: w.array(tag) }, ['name']);
/** GET experiments/get. */
export const getExperiment = w.message({ experiment_id: w.experimentId() }, ['experiment_id']);
/** GET experiments/get-by-name. */
export const getExperimentByName = w.message({ experiment_name: w.string() }, ['experiment_name']);
/**
 * GET or POST experiments/search. `max_results` is required: MLflow reads an unset value as 0,
 * which its stores reject with 400 (ref §2.2), so clients always send it.
 */
export const searchExperiments = w.message(
  {
    max_results: w.int64(),
    page_token: w.string(),
    filter: w.string(),
    order_by: w.array(w.string()),
    view_type: w.enum(VIEW_TYPES),
  },
  ['max_results'],
);
/** POST experiments/update. */
export const updateExperiment = w.message({ experiment_id: w.experimentId(), new_name: w.string() }, ['experiment_id', 'new_name']);
/** POST experiments/delete and experiments/restore. */
export const experimentIdOnly = w.message({ experiment_id: w.experimentId() }, ['experiment_id']);
/** POST experiments/set-experiment-tag. */
export const setExperimentTag = w.message({ experiment_id: w.experimentId(), key: w.string(), value: w.string() }, ['experiment_id', 'key']);
/** POST experiments/delete-experiment-tag. */
export const deleteExperimentTag = w.message({ experiment_id: w.experimentId(), key: w.string() }, ['experiment_id', 'key']);

export type CreateExperiment = Infer<typeof createExperiment>;
export type GetExperiment = Infer<typeof getExperiment>;
export type GetExperimentByName = Infer<typeof getExperimentByName>;
export type SearchExperiments = Infer<typeof searchExperiments>;
export type UpdateExperiment = Infer<typeof updateExperiment>;
export type ExperimentIdOnly = Infer<typeof experimentIdOnly>;
export type SetExperimentTag = Infer<typeof setExperimentTag>;
export type DeleteExperimentTag = Infer<typeof deleteExperimentTag>;
