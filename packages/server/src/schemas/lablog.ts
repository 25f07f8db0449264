/** Request messages of lablog's own endpoints under `/api/2.0/lablog` (not MLflow's). */
import { w, type Infer } from './wire-schema.js';

/** GET lablog/metrics/get-history-arrow: one metric's full history, as Arrow. */
export const getMetricHistoryArrow = w.message({ run_id: w.string(), metric_key: w.string() }, ['run_id', 'metric_key'], {
  run_uuid: 'run_id',
});

export type GetMetricHistoryArrow = Infer<typeof getMetricHistoryArrow>;
