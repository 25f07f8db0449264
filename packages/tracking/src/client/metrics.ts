import type { Metric } from '../entities/metric.js';
import { GET_METRIC_HISTORY_MAX_RESULTS } from '../validation.js';
import { RunsClient } from './runs.js';

/** Metric history calls of {@link TrackingClient}. */
export class MetricsClient extends RunsClient {
  /** Every point of one metric of a run, in logged order (following pages when the store pages). */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    let page = await this.store.getMetricHistory(runId, key);
    if (!page.nextPageToken) return page.items;
    const out = page.items.slice();
    while (page.nextPageToken && page.items.length > 0) {
      page = await this.store.getMetricHistory(runId, key, { pageToken: page.nextPageToken, maxResults: GET_METRIC_HISTORY_MAX_RESULTS });
      for (const m of page.items) out.push(m);
    }
    return out;
  }
}
