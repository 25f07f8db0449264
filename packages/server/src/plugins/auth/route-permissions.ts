/**
 * The one default-deny table of what every route needs when `--auth basic` is on. A route the
 * app registers without an entry here is refused with 403 for everybody (admins included, so
 * the gap is noticed), and `route-permissions.test.ts` fails listing it: a new route cannot
 * ship unguarded (the lesson of security.md §2.8: CVE-2025-15381, -0545, -2651, -2734, …).
 *
 * Keys are `METHOD URL` exactly as Fastify registers the route (prefix included, `*` for a
 * wildcard); MLflow routes are entered once and expanded to `/api/2.0/mlflow` and the
 * `/ajax-api/2.0/mlflow` mirror. A HEAD request uses its GET entry.
 *
 * How a resource is found ({@link ResourceCheck}): the named fields are read from the decoded
 * query string, the decoded body and the route params, and the UNION of every value found is
 * checked (a handler that could read either source cannot be steered around the check).
 * Finding no value at all is a refusal. Experiment ids are canonicalized through the tracking
 * store, run ids are mapped to their experiment, proxied artifact paths are decoded until
 * stable and their first segment must be an existing experiment's exact id.
 *
 * Required capability per route follows MLflow's `BEFORE_REQUEST_HANDLERS` (security.md §4):
 * creating an experiment or a registered model needs only a login; reads need `read`; writes
 * `update`; delete/restore `delete`; grants `manage`; user administration `admin`. Where
 * lablog is stricter than MLflow the entry says so.
 */
import type { Capability } from './permissions.js';

/** A resource a route acts on, where to find its id, and what the caller needs on it. */
export type ResourceCheck =
  /** Experiment ids in the named fields. */
  | { readonly kind: 'experiment'; readonly need: Capability; readonly fields: readonly string[] }
  /** Experiment names in the named fields (get-by-name). */
  | { readonly kind: 'experiment-name'; readonly need: Capability; readonly fields: readonly string[] }
  /** Run ids in the named fields, checked on each run's experiment. */
  | { readonly kind: 'run'; readonly need: Capability; readonly fields: readonly string[] }
  /** Registered model names in the named fields. */
  | { readonly kind: 'model'; readonly need: Capability; readonly fields: readonly string[] }
  /**
   * A proxied artifact path (route wildcard `*`, or `?path=` of the listing): its first segment
   * names the experiment. The store root is always refused; an experiment root is refused for
   * writes (`write` true) so `DELETE …/artifacts/12/.` cannot empty a whole experiment.
   */
  | { readonly kind: 'artifact-path'; readonly need: Capability; readonly write: boolean }
  /** model-versions/create: read access to what `source` / `run_id` point at (stricter than MLflow). */
  | { readonly kind: 'model-version-source' };

/** Actions after a successful response. */
export type AfterAction =
  | 'grant-experiment-creator'
  | 'grant-model-creator'
  | 'rename-model-permissions'
  | 'delete-model-permissions'
  | 'filter-experiments'
  | 'filter-runs'
  | 'filter-registered-models'
  | 'filter-model-versions';

/** What one route needs. */
export type RouteRule =
  /** No login (`/health`, `/version`, CORS preflight). */
  | { readonly access: 'public' }
  /** Any logged-in user; `after` may filter or record. */
  | { readonly access: 'authenticated'; readonly after?: AfterAction }
  /** Admins only. */
  | { readonly access: 'admin' }
  /** The `username` the request names must be the caller (or the caller an admin). */
  | { readonly access: 'self' }
  /** Every check must pass. */
  | { readonly access: 'resource'; readonly checks: readonly ResourceCheck[]; readonly after?: AfterAction };

/** Prefixes MLflow's REST routes are served under (app.ts MLFLOW_API_PREFIXES). */
const MLFLOW = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'] as const;
/** Prefixes of the proxied artifact service (routes/artifact-proxy.ts). */
const ARTIFACTS = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'] as const;
/** lablog's own API (routes/lablog-metrics.ts). */
const LABLOG = '/api/2.0/lablog';

const EXPERIMENT_ID = ['experiment_id'];
const RUN_ID = ['run_id', 'run_uuid'];
const NAME = ['name'];

const experiment = (need: Capability, fields: readonly string[] = EXPERIMENT_ID): RouteRule => ({
  access: 'resource',
  checks: [{ kind: 'experiment', need, fields }],
});
const run = (need: Capability, fields: readonly string[] = RUN_ID): RouteRule => ({ access: 'resource', checks: [{ kind: 'run', need, fields }] });
const model = (need: Capability): RouteRule => ({ access: 'resource', checks: [{ kind: 'model', need, fields: NAME }] });
const artifactPath = (need: Capability, write: boolean): RouteRule => ({ access: 'resource', checks: [{ kind: 'artifact-path', need, write }] });
const loggedIn = (after?: AfterAction): RouteRule => (after ? { access: 'authenticated', after } : { access: 'authenticated' });

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
type Entry = readonly [Method, string, RouteRule];

/** MLflow tracking and registry routes, paths relative to each prefix in {@link MLFLOW}. */
const MLFLOW_ROUTES: readonly Entry[] = [
  // experiments (routes/experiments.ts)
  ['POST', 'experiments/create', loggedIn('grant-experiment-creator')],
  ['GET', 'experiments/get', experiment('read')],
  ['GET', 'experiments/get-by-name', { access: 'resource', checks: [{ kind: 'experiment-name', need: 'read', fields: ['experiment_name'] }] }],
  ['GET', 'experiments/search', loggedIn('filter-experiments')],
  ['POST', 'experiments/search', loggedIn('filter-experiments')],
  ['POST', 'experiments/update', experiment('update')],
  ['POST', 'experiments/delete', experiment('delete')],
  ['POST', 'experiments/restore', experiment('delete')],
  ['POST', 'experiments/set-experiment-tag', experiment('update')],
  ['POST', 'experiments/delete-experiment-tag', experiment('update')],
  // runs (routes/runs.ts)
  ['POST', 'runs/create', experiment('update')],
  ['POST', 'runs/update', run('update')],
  ['POST', 'runs/delete', run('delete')],
  ['POST', 'runs/restore', run('delete')],
  ['GET', 'runs/get', run('read')],
  ['POST', 'runs/search', loggedIn('filter-runs')],
  ['POST', 'runs/log-metric', run('update')],
  ['POST', 'runs/log-parameter', run('update')],
  ['POST', 'runs/set-tag', run('update')],
  ['POST', 'runs/delete-tag', run('update')],
  ['POST', 'runs/log-batch', run('update')],
  ['POST', 'runs/log-inputs', run('update')],
  ['POST', 'runs/log-model', run('update')],
  ['POST', 'runs/outputs', run('update')],
  // metrics and artifact listing (routes/metrics.ts, routes/artifacts-list.ts)
  ['GET', 'metrics/get-history', run('read')],
  ['GET', 'metrics/get-history-bulk-interval', run('read', ['run_ids', ...RUN_ID])],
  ['GET', 'metrics/get-history-bulk', run('read', ['run_ids', ...RUN_ID])],
  ['GET', 'artifacts/list', run('read')],
  // registered models (routes/registered-models.ts)
  ['POST', 'registered-models/create', loggedIn('grant-model-creator')],
  ['GET', 'registered-models/get', model('read')],
  ['POST', 'registered-models/rename', { ...model('update'), after: 'rename-model-permissions' } as RouteRule],
  ['PATCH', 'registered-models/update', model('update')],
  ['DELETE', 'registered-models/delete', { ...model('delete'), after: 'delete-model-permissions' } as RouteRule],
  ['GET', 'registered-models/search', loggedIn('filter-registered-models')],
  ['POST', 'registered-models/get-latest-versions', model('read')],
  ['GET', 'registered-models/get-latest-versions', model('read')],
  ['POST', 'registered-models/set-tag', model('update')],
  ['DELETE', 'registered-models/delete-tag', model('update')],
  ['POST', 'registered-models/alias', model('update')],
  ['DELETE', 'registered-models/alias', model('delete')],
  ['GET', 'registered-models/alias', model('read')],
  // model versions (routes/model-versions.ts)
  ['POST', 'model-versions/create', { access: 'resource', checks: [{ kind: 'model', need: 'update', fields: NAME }, { kind: 'model-version-source' }] }],
  ['GET', 'model-versions/get', model('read')],
  ['PATCH', 'model-versions/update', model('update')],
  ['DELETE', 'model-versions/delete', model('delete')],
  ['GET', 'model-versions/search', loggedIn('filter-model-versions')],
  ['POST', 'model-versions/transition-stage', model('update')],
  ['GET', 'model-versions/get-download-uri', model('read')],
  ['POST', 'model-versions/set-tag', model('update')],
  ['DELETE', 'model-versions/delete-tag', model('delete')],
  // users (routes/auth-users.ts)
  ['POST', 'users/create', { access: 'admin' }],
  ['GET', 'users/get', { access: 'self' }],
  ['PATCH', 'users/update-password', { access: 'self' }],
  ['PATCH', 'users/update-admin', { access: 'admin' }],
  ['DELETE', 'users/delete', { access: 'admin' }],
  // permissions (routes/auth-permissions.ts)
  ['POST', 'experiments/permissions/create', experiment('manage')],
  ['GET', 'experiments/permissions/get', experiment('manage')],
  ['PATCH', 'experiments/permissions/update', experiment('manage')],
  ['DELETE', 'experiments/permissions/delete', experiment('manage')],
  ['POST', 'registered-models/permissions/create', model('manage')],
  ['GET', 'registered-models/permissions/get', model('manage')],
  ['PATCH', 'registered-models/permissions/update', model('manage')],
  ['DELETE', 'registered-models/permissions/delete', model('manage')],
];

/** Routes outside the MLflow prefixes, with their full URL. */
const OTHER_ROUTES: readonly Entry[] = [
  // routes/misc.ts
  ['GET', '/health', { access: 'public' }],
  ['GET', '/version', { access: 'public' }],
  // @fastify/cors preflight (plugins/security.ts); carries no data
  ['OPTIONS', '*', { access: 'public' }],
  // routes/run-artifacts.ts
  ['GET', '/get-artifact', run('read')],
  ['POST', '/ajax-api/2.0/mlflow/upload-artifact', run('update')],
  // routes/model-version-artifacts.ts (CVE-2026-33866: the download needs read on the model)
  ['GET', '/model-versions/get-artifact', model('read')],
  // routes/lablog-metrics.ts
  ['GET', `${LABLOG}/metrics/get-history-arrow`, run('read')],
  ['GET', `${LABLOG}/metrics/get-history-bulk-interval`, run('read', ['run_ids', ...RUN_ID])],
  // routes/artifact-proxy.ts, under each prefix in ARTIFACTS
  ...ARTIFACTS.flatMap((p): Entry[] => [
    ['GET', `${p}/artifacts`, artifactPath('read', false)],
    ['GET', `${p}/artifacts/*`, artifactPath('read', false)],
    ['PUT', `${p}/artifacts/*`, artifactPath('update', true)],
    // CVE-2024-4263: deleting through the proxy needs MANAGE, not EDIT.
    ['DELETE', `${p}/artifacts/*`, artifactPath('manage', true)],
    // CVE-2026-2651: multipart uploads write like PUT.
    ['POST', `${p}/mpu/create/*`, artifactPath('update', true)],
    ['POST', `${p}/mpu/complete/*`, artifactPath('update', true)],
    ['POST', `${p}/mpu/abort/*`, artifactPath('update', true)],
  ]),
];

/** `METHOD URL` → rule, for {@link ruleFor}. */
function buildTable(): ReadonlyMap<string, RouteRule> {
  const table = new Map<string, RouteRule>();
  const add = (method: Method, url: string, rule: RouteRule) => {
    const key = `${method} ${url}`;
    if (table.has(key)) throw new Error(`Duplicate route permission entry: ${key}`);
    table.set(key, rule);
  };
  for (const [method, path, rule] of MLFLOW_ROUTES) for (const prefix of MLFLOW) add(method, `${prefix}/${path}`, rule);
  for (const [method, url, rule] of OTHER_ROUTES) add(method, url, rule);
  return table;
}

/** Every entry, keyed `METHOD URL` (e.g. `POST /api/2.0/mlflow/runs/log-batch`). */
export const ROUTE_PERMISSIONS: ReadonlyMap<string, RouteRule> = buildTable();

/**
 * The rule of a registered route, or undefined (refused: default deny). HEAD uses GET's entry
 * (Fastify adds a HEAD route for every GET).
 */
export function ruleFor(method: string, url: string): RouteRule | undefined {
  const m = method.toUpperCase();
  return ROUTE_PERMISSIONS.get(`${m} ${url}`) ?? (m === 'HEAD' ? ROUTE_PERMISSIONS.get(`GET ${url}`) : undefined);
}
