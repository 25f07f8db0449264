/**
 * Search results filtered to what the caller may read (security.md §4; CVE-2026-2734), done
 * as a `preSerialization` step on the four search routes rather than inside them, so the
 * routes stay auth-free: the handler's response object is filtered before it is serialized.
 *
 * Like MLflow's `filter_search_experiments`, a page that lost items is refilled from the store
 * (same filter, order and view, continuing from the page token) until it holds `max_results`
 * readable items or the results end, so a client paging through still sees every readable
 * item exactly once. The refill asks the store for exactly the number still missing, so the
 * returned `next_page_token` stays exact. At most {@link MAX_REFILL_ROUNDS} refills per
 * request; past that the page is returned short, with its token. A request without
 * `max_results` (runs, registry) is only filtered.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { experimentToJSON, modelVersionToJSON, registeredModelToJSON, runToJSON, type PagedList } from '@lablog/tracking';
import { allows, type PermissionName } from './permissions.js';
import type { AfterAction } from './route-permissions.js';

/** Most store calls one search may add to fill its page. */
export const MAX_REFILL_ROUNDS = 20;

type Filter = Extract<AfterAction, `filter-${string}`>;
type Json = Record<string, unknown>;

interface FilterSpec {
  /** Field of the response that holds the items. */
  readonly field: string;
  /** Resource an item belongs to. */
  readonly resource: 'experiment' | 'model';
  /** The item's experiment id or model name. */
  keyOf(item: Json): string;
  /** The next page from the store, as JSON, or null when the request cannot be replayed. */
  fetch(app: FastifyInstance, m: Json, maxResults: number, pageToken: string): Promise<{ items: Json[]; token?: string | undefined }>;
}

function page<T>(p: PagedList<T>, toJSON: (x: T) => unknown): { items: Json[]; token?: string | undefined } {
  return { items: p.items.map((x) => toJSON(x) as Json), token: p.nextPageToken ?? undefined };
}

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const strs = (x: unknown): string[] | undefined => (Array.isArray(x) ? (x as string[]) : undefined);

const SPECS: Readonly<Record<Filter, FilterSpec>> = {
  'filter-experiments': {
    field: 'experiments',
    resource: 'experiment',
    keyOf: (e) => String(e['experiment_id']),
    fetch: async (app, m, maxResults, pageToken) =>
      page(
        await app.trackingStore.searchExperiments({
          maxResults,
          pageToken,
          viewType: m['view_type'] as never,
          filter: str(m['filter']),
          orderBy: strs(m['order_by']),
        }),
        experimentToJSON,
      ),
  },
  'filter-runs': {
    field: 'runs',
    resource: 'experiment',
    keyOf: (r) => String((r['info'] as Json | undefined)?.['experiment_id']),
    fetch: async (app, m, maxResults, pageToken) =>
      page(
        await app.trackingStore.searchRunsPage({
          experimentIds: strs(m['experiment_ids']) ?? [],
          filter: str(m['filter']),
          runViewType: m['run_view_type'] as never,
          maxResults,
          orderBy: strs(m['order_by']),
          pageToken,
        }),
        runToJSON,
      ),
  },
  'filter-registered-models': {
    field: 'registered_models',
    resource: 'model',
    keyOf: (r) => String(r['name']),
    fetch: async (app, m, maxResults, pageToken) =>
      page(
        await app.registryStore.searchRegisteredModels({ filter: str(m['filter']), maxResults, orderBy: strs(m['order_by']), pageToken }),
        registeredModelToJSON,
      ),
  },
  'filter-model-versions': {
    field: 'model_versions',
    resource: 'model',
    keyOf: (v) => String(v['name']),
    fetch: async (app, m, maxResults, pageToken) =>
      page(await app.registryStore.searchModelVersions({ filter: str(m['filter']), maxResults, orderBy: strs(m['order_by']), pageToken }), modelVersionToJSON),
  },
};

/** Who may read what, for one request: the caller's grants, else the default. */
export interface ReadableCheck {
  (resource: 'experiment' | 'model', key: string): boolean;
}

/** A {@link ReadableCheck} from a user's grant lists, loaded once per request. */
export function readableCheck(
  grants: { experiments: ReadonlyMap<string, PermissionName>; models: ReadonlyMap<string, PermissionName> },
  defaultPermission: PermissionName,
): ReadableCheck {
  return (resource, key) => allows((resource === 'experiment' ? grants.experiments : grants.models).get(key) ?? defaultPermission, 'read');
}

/**
 * Filters (and refills) one search response in place for a non-admin caller.
 * @param payload - the handler's response object (`{experiments, next_page_token}`, …).
 */
export async function filterSearchResponse(
  app: FastifyInstance,
  request: FastifyRequest,
  filter: Filter,
  payload: Json,
  readable: ReadableCheck,
): Promise<Json> {
  const spec = SPECS[filter];
  const keep = (items: Json[]) => items.filter((item) => readable(spec.resource, spec.keyOf(item)));
  const items = keep(Array.isArray(payload[spec.field]) ? (payload[spec.field] as Json[]) : []);
  let token = str(payload['next_page_token']);
  const message = ((request.method === 'GET' ? request.query : request.body) ?? {}) as Json;
  const maxResults = typeof message['max_results'] === 'number' ? message['max_results'] : undefined;
  for (let round = 0; maxResults !== undefined && items.length < maxResults && token && round < MAX_REFILL_ROUNDS; round++) {
    const next = await spec.fetch(app, message, maxResults - items.length, token);
    items.push(...keep(next.items));
    token = next.token;
  }
  const out: Json = { ...payload };
  delete out[spec.field];
  delete out['next_page_token'];
  if (items.length > 0) out[spec.field] = items;
  if (token) out['next_page_token'] = token;
  return out;
}
