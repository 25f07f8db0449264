/**
 * lablog's metric endpoints, mounted under `/api/2.0/lablog` (lablog additions, not MLflow's):
 *
 * - `GET metrics/get-history-arrow?run_id=&metric_key=`: the full history of one metric as an
 *   Arrow IPC stream (`application/vnd.apache.arrow.stream`), the table of tracking's
 *   `metricHistoryToArrow` (columns key, step Int64, timestamp ms UTC, value Float64). An
 *   unknown key gives a stream with the schema and no rows; an unknown run a 404 JSON error.
 * - `GET metrics/get-history-bulk-interval`: MLflow's request and response, sampled so spikes
 *   survive (metric-minmax-sampling.ts).
 */
import type { FastifyInstance } from 'fastify';
import { tableToIPC } from 'apache-arrow';
import { metricHistoryToArrow } from '@lablog/tracking';
import * as L from '../schemas/lablog.js';
import { addBulkIntervalRoute } from './metrics.js';
import { getMetricHistoryBulkIntervalMinMax } from '../metric-minmax-sampling.js';

/** Prefix of lablog's own API. */
export const LABLOG_API_PREFIX = '/api/2.0/lablog';

/** Media type of an Arrow IPC stream. */
export const ARROW_STREAM_CONTENT_TYPE = 'application/vnd.apache.arrow.stream';

/** Registers lablog's metric routes (under {@link LABLOG_API_PREFIX}). */
export async function lablogMetricRoutes(app: FastifyInstance): Promise<void> {
  const store = app.trackingStore;

  app.get<{ Querystring: L.GetMetricHistoryArrow }>(
    '/metrics/get-history-arrow',
    { schema: { querystring: L.getMetricHistoryArrow } },
    async (req, reply) => {
      const history = await store.getMetricHistory(req.query.run_id, req.query.metric_key);
      const bytes = tableToIPC(metricHistoryToArrow(history.items), 'stream');
      return reply.type(ARROW_STREAM_CONTENT_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  addBulkIntervalRoute(app, getMetricHistoryBulkIntervalMinMax);
}
