/**
 * The dialect-independent half of the SQL stores' searches: parse filter and order_by, apply
 * max_results' default and bounds, and turn the page token into an offset. What comes out is
 * the query the SQL builders of this folder take (one row more than a page, to know whether a
 * next page exists), plus the page size and offset to page the result with.
 */
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../search/index.js';
import { decodePageToken } from '../../search/page-token.js';
import {
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  validateSearchMaxResults,
} from '../../validation.js';
import type { SearchExperimentsArgs, SearchRunsArgs } from '../tracking-store.js';
import type { SearchRegistryArgs } from '../registry-store.js';
import type { RunSearchQuery } from './runs-search-sql.js';
import type { ExperimentSearchQuery } from './experiments-search-sql.js';
import type { RegistrySearchQuery } from './registry-search-sql.js';

/** A normalized search: the page size, the page's offset, and the query for one page plus a row. */
export interface SearchArguments<Q> {
  maxResults: number;
  offset: number;
  query: Q;
}

/** max_results (default and bounds checked) and the offset of the page token. */
function pageOf(maxResults: number | undefined, defaultMax: number, threshold: number, pageToken: string | undefined): { maxResults: number; offset: number } {
  const max = maxResults ?? defaultMax;
  validateSearchMaxResults(max, threshold);
  return { maxResults: max, offset: decodePageToken(pageToken) };
}

/** A runs search; the store adds the experiment ids as it stores them. */
export function runSearchArguments(args: SearchRunsArgs): SearchArguments<Omit<RunSearchQuery, 'experimentIds'>> {
  const { maxResults, offset } = pageOf(args.maxResults, SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD, args.pageToken);
  const filter = parseRunFilter(args.filter ?? '');
  const orderBy = parseRunOrderBy(args.orderBy ?? []);
  return { maxResults, offset, query: { viewType: args.runViewType ?? 'ACTIVE_ONLY', filter, orderBy, limit: maxResults + 1, offset } };
}

/** An experiments search. */
export function experimentSearchArguments(args: SearchExperimentsArgs): SearchArguments<ExperimentSearchQuery> {
  const { maxResults, offset } = pageOf(args.maxResults, SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD, args.pageToken);
  const query: ExperimentSearchQuery = {
    viewType: args.viewType ?? 'ACTIVE_ONLY',
    filter: parseExperimentFilter(args.filter ?? ''),
    orderBy: parseExperimentOrderBy(args.orderBy ?? []),
    limit: maxResults + 1,
    offset,
  };
  return { maxResults, offset, query };
}

/** A registered models search. */
export function registeredModelSearchArguments(args: SearchRegistryArgs): SearchArguments<RegistrySearchQuery> {
  const { maxResults, offset } = pageOf(
    args.maxResults,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
    SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
    args.pageToken,
  );
  const filter = parseRegisteredModelFilter(args.filter ?? '');
  return { maxResults, offset, query: { filter, orderBy: parseRegisteredModelOrderBy(args.orderBy ?? []), limit: maxResults + 1, offset } };
}

/** A model versions search. */
export function modelVersionSearchArguments(args: SearchRegistryArgs): SearchArguments<RegistrySearchQuery> {
  const { maxResults, offset } = pageOf(args.maxResults, SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD, args.pageToken);
  const filter = parseModelVersionFilter(args.filter ?? '');
  return { maxResults, offset, query: { filter, orderBy: parseModelVersionOrderBy(args.orderBy ?? []), limit: maxResults + 1, offset } };
}
