import type { Table } from 'apache-arrow';
import type { Run } from '../entities/run.js';
import type { ViewType } from '../entities/enums.js';
import type { PagedList } from '../entities/paged-list.js';
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from '../validation.js';
import { runsToArrow } from '../arrow/index.js';
import { MetricsClient } from './metrics.js';

/** Options of {@link SearchClient.searchRuns}. */
export interface SearchRunsOptions {
  /** MLflow filter (`metrics.acc > 0.9 and params.lr = '0.1'`); AND only. */
  filter?: string;
  /** ACTIVE_ONLY (default), DELETED_ONLY or ALL. */
  runViewType?: ViewType;
  /** Most runs returned; default: every matching run. */
  maxResults?: number;
  /** e.g. `['metrics.acc DESC', 'start_time']`. */
  orderBy?: readonly string[];
  /** Runs fetched per store call (default 1000, at most 50 000). */
  pageSize?: number;
  /** Start from this page (as returned by {@link SearchClient.searchRunsPage}). */
  pageToken?: string;
}

/** Run search calls of {@link TrackingClient}: the one place where paging happens, for every store. */
export class SearchClient extends MetricsClient {
  /**
   * Every run matching the search, in order, following the store's pages (MLflow's
   * `search_runs` around `_search_runs`) until `maxResults` runs or the last page.
   */
  async searchRuns(experimentIds: string | readonly string[], options: SearchRunsOptions = {}): Promise<Run[]> {
    const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
    const pageSize = Math.min(options.pageSize ?? SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD);
    const out: Run[] = [];
    let pageToken = options.pageToken;
    while (out.length < limit) {
      const page = await this.searchRunsPage(experimentIds, { ...options, pageToken, maxResults: Math.min(pageSize, limit - out.length) });
      for (const r of page.items) out.push(r);
      if (!page.nextPageToken || page.items.length === 0) break;
      pageToken = page.nextPageToken;
    }
    return out;
  }

  /** One page of a run search (`maxResults` per page, default 1000). */
  searchRunsPage(experimentIds: string | readonly string[], options: SearchRunsOptions = {}): Promise<PagedList<Run>> {
    return this.store.searchRunsPage({
      experimentIds: typeof experimentIds === 'string' ? [experimentIds] : experimentIds,
      filter: options.filter,
      runViewType: options.runViewType,
      maxResults: options.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
      orderBy: options.orderBy,
      pageToken: options.pageToken,
    });
  }

  /** {@link searchRuns} as an Arrow table, one row per run (see `runsToArrow`). */
  async searchRunsArrow(experimentIds: string | readonly string[], options: SearchRunsOptions = {}): Promise<Table> {
    return runsToArrow(await this.searchRuns(experimentIds, options));
  }
}
