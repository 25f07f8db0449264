/** Request messages of the run endpoints (ref §2.3; `service.proto`). */
import { RUN_STATUSES, VIEW_TYPES } from '@lablog/tracking';
import { w, type Infer } from './wire-schema.js';

/** `run_uuid` is MLflow's deprecated alias of `run_id`. */
const RUN_UUID = { run_uuid: 'run_id' } as const;

const tag = w.message({ key: w.string(), value: w.string() }, ['key']);
const param = w.message({ key: w.string(), value: w.string() }, ['key']);
const metric = w.message(
  {
    key: w.string(),
    value: w.double(),
    timestamp: w.int64(),
    step: w.int64(),
    model_id: w.string(),
    dataset_name: w.string(),
    dataset_digest: w.string(),
  },
  ['key', 'value', 'timestamp'],
);
const dataset = w.message(
  {
    name: w.string(),
    digest: w.string(),
    source_type: w.string(),
    source: w.string(),
    schema: w.string(),
    profile: w.string(),
  },
  ['name', 'digest', 'source_type', 'source'],
);
const datasetInput = w.message({ tags: w.array(tag), dataset }, ['dataset']);

/** POST runs/create. */
export const createRun = w.message({
  experiment_id: w.experimentId(),
  user_id: w.string(),
  run_name: w.string(),
  start_time: w.int64(),
  tags: w.array(tag),
});
/** POST runs/update. */
export const updateRun = w.message(
  { run_id: w.string(), status: w.enum(RUN_STATUSES), end_time: w.int64(), run_name: w.string() },
  ['run_id'],
  RUN_UUID,
);
/** POST runs/delete, runs/restore; GET runs/get. */
export const runIdOnly = w.message({ run_id: w.string() }, ['run_id'], RUN_UUID);
/** POST runs/search. */
export const searchRuns = w.message({
  experiment_ids: w.array(w.experimentId()),
  filter: w.string(),
  run_view_type: w.enum(VIEW_TYPES),
  max_results: w.int32(),
  order_by: w.array(w.string()),
  page_token: w.string(),
});
/** POST runs/log-metric. */
export const logMetric = w.message(
  {
    run_id: w.string(),
   
    key: w.string(),
    value: w.double(),
    timestamp: w.int64(),
    step: w.int64(),
    model_id: w.string(),
    dataset_name: w.string(),
    dataset_digest: w.string(),
  },
  ['run_id', 'key', 'value', 'timestamp'],
  RUN_UUID,
);
/** POST runs/log-parameter and runs/set-tag (`value` defaults to ""). */
export const keyValue = w.message({ run_id: w.string(), key: w.string(), value: w.string() }, ['run_id', 'key'], RUN_UUID);
/** POST runs/delete-tag. */
export const deleteTag = w.message({ run_id: w.string(), key: w.string() }, ['run_id', 'key']);
/** POST runs/log-batch. */
export const logBatch = w.message(
  { run_id: w.string(), metrics: w.array(metric), params: w.array(param), tags: w.array(tag) },
  ['run_id'],
);
/** POST runs/log-inputs. MLflow 3's `models` (LoggedModel inputs) is not read yet. */
export const logInputs = w.message({ run_id: w.string(), datasets: w.array(datasetInput) }, ['run_id']);

export type CreateRun = Infer<typeof createRun>;
export type UpdateRun = Infer<typeof updateRun>;
export type RunIdOnly = Infer<typeof runIdOnly>;
export type SearchRuns = Infer<typeof searchRuns>;
export type LogMetric = Infer<typeof logMetric>;
export type KeyValue = Infer<typeof keyValue>;
export type DeleteTag = Infer<typeof deleteTag>;
export type LogBatch = Infer<typeof logBatch>;
export type LogInputs = Infer<typeof logInputs>;
