/** Metric-history endpoints (ref §2.5). */
import type { FastifyInstance } from 'fastify';
import { metricToJSON, type Metric, type TrackingStore } from '@lablog/tracking';
import * as S from '../schemas/metrics.js';
import { responseMessage } from '../plugins/wire.js';
import { getMetricHistoryBulkInterval, type BulkIntervalArgs } from '../metric-sampling.js';

/** A sampler behind `get-history-bulk-interval`: MLflow's, or lablog's min/max-keeping one. */
export type BulkIntervalSampler = (store: TrackingStore, args: BulkIntervalArgs) => Promise<Metric[]>;

/**
 * Registers `GET metrics/get-history-bulk-interval` with MLflow's request and response
 * (ref §2.5), sampled by `sampler`.
 */
export function addBulkIntervalRoute(app: FastifyInstance, sampler: BulkIntervalSampler): void {
  app.get<{ Querystring: S.GetMetricHistoryBulkInterval }>(
    '/metrics/get-history-bulk-interval',
    { schema: { querystring: S.getMetricHistoryBulkInterval } },
    async (req) => {
      const q = req.query;
      const metrics = await sampler(app.trackingStore, {
        runIds: q.run_ids,
        metricKey: q.metric_key,
        startStep: q.start_step,
        endStep: q.end_step,
        maxResults: q.max_results,
      });
      return responseMessage({ metrics: metrics.map(metricToJSON) });
    },
  );
}

/** Registers the metric routes on an API prefix. */
export async function metricRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.get<{ Querystring: S.GetMetricHistory }>('/metrics/get-history', { schema: { querystring: S.getMetricHistory } }, async (req) => {
    const q = req.query;
    const page = await store.getMetricHistory(q.run_id, q.metric_key, { maxResults: q.max_results, pageToken: q.page_token });
    return responseMessage({ metrics: page.items.map(metricToJSON), next_page_token: page.nextPageToken });
  });

  addBulkIntervalRoute(app, getMetricHistoryBulkInterval);
}
