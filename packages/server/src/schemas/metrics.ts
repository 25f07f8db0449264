/** Request messages of the metric-history endpoints (ref §2.5). */
import { w, type Infer } from './wire-schema.js';

/** GET metrics/get-history. */
export const getMetricHistory = w.message(
  { run_id: w.string(), metric_key: w.string(), page_token: w.string(), max_results: w.int32() },
  ['run_id', 'metric_key'],
  { run_uuid: 'run_id' },
);
/** GET metrics/get-history-bulk-interval. Ranges are checked with MLflow's messages in metric-sampling.ts. */
export const getMetricHistoryBulkInterval = w.message(
  { run_ids: w.array(w.string()), metric_key: w.string(), start_step: w.int64(), end_step: w.int64(), max_results: w.int32() },
  ['run_ids', 'metric_key'],
);

export type GetMetricHistory = Infer<typeof getMetricHistory>;
export type GetMetricHistoryBulkInterval = Infer<typeof getMetricHistoryBulkInterval>;
