/**
 * Where runs are tracked: the tracking URI, as MLflow resolves it
 * (mlflow/tracking/_tracking_service/utils.py).
 *
 * Precedence, highest first:
 * 1. a URI set in code with {@link setTrackingUri} (as MLflow's `set_tracking_uri`);
 * 2. the `MLFLOW_TRACKING_URI` environment variable, so existing MLflow setups just work;
 * 3. the default: an embedded SQLite store in `./lablog/` (see {@link defaultTrackingUri}).
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Environment variable naming the tracking URI (MLflow's). */
export const TRACKING_URI_ENV = 'MLFLOW_TRACKING_URI';

/** Directory of the default store, relative to the working directory. */
export const DEFAULT_STORE_DIR = 'lablog';

let explicitUri: string | undefined;

/**
 * Sets the tracking URI for this process; it wins over `MLFLOW_TRACKING_URI`. `undefined`
 * (or an empty string) clears it, so the environment and then the default apply again.
 * A bare path or `file:` URI selects the file store; `sqlite:///path` the SQLite store.
 * Relative paths are resolved against the working directory now, as MLflow does.
 */
export function setTrackingUri(uri: string | URL | undefined): void {
  const text = uri === undefined ? '' : String(uri).trim();
  explicitUri = text === '' ? undefined : absolutizeUri(text);
}

/** The tracking URI in effect: set in code, else `MLFLOW_TRACKING_URI`, else the default. */
export function getTrackingUri(): string {
  if (explicitUri !== undefined) return explicitUri;
  const env = process.env[TRACKING_URI_ENV]?.trim();
  if (env) return absolutizeUri(env);
  return defaultTrackingUri();
}

/** True when a tracking URI was set in code or in `MLFLOW_TRACKING_URI`. */
export function isTrackingUriSet(): boolean {
  return explicitUri !== undefined || Boolean(process.env[TRACKING_URI_ENV]?.trim());
}

/**
 * The URI used when nothing is configured: `sqlite:///<cwd>/lablog/lablog.db`. Its artifacts
 * go to `<cwd>/lablog/artifacts/` (see `defaultArtifactRootFor` in the store registry).
 */
export function defaultTrackingUri(): string {
  return sqliteUriForPath(resolvePath(DEFAULT_STORE_DIR, 'lablog.db'));
}

/** `sqlite:///` followed by an absolute path (SQLAlchemy's form: four slashes on POSIX). */
export function sqliteUriForPath(absPath: string): string {
  return `sqlite:///${absPath}`;
}

/** A local path as a `file://` URI (absolute, percent-encoded). */
export function fileUriForPath(path: string): string {
  return pathToFileURL(resolvePath(path)).href;
}

/**
 * The scheme of a URI, lower-cased, or `''` for a bare path (including Windows drive paths
 * such as `C:\runs`, which look like a one-letter scheme).
 */
export function uriScheme(uri: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri);
  if (!m || m[1]!.length === 1) return '';
  return m[1]!.toLowerCase();
}

/**
 * Makes the local parts of a URI absolute, so one store is cached per location whatever the
 * working directory was: bare paths and `sqlite:///relative.db` (SQLAlchemy: three slashes
 * and a relative path) are resolved; remote URIs are returned unchanged.
 */
export function absolutizeUri(uri: string): string {
  const scheme = uriScheme(uri);
  if (scheme === '') return resolvePath(uri);
  if (scheme === 'sqlite') {
    const path = sqlitePathOf(uri);
    return path === ':memory:' ? 'sqlite:///:memory:' : sqliteUriForPath(resolvePath(path));
  }
  return uri;
}

/**
 * The database path of a `sqlite:` URI: `sqlite:///rel.db` → `rel.db`,
 * `sqlite:////abs/x.db` → `/abs/x.db`, `sqlite:///:memory:` (or `sqlite://`) → `:memory:`.
 * Query strings are ignored.
 */
export function sqlitePathOf(uri: string): string {
  const rest = uri.replace(/^sqlite:\/\//i, '').split('?')[0]!;
  if (rest === '' || rest === '/' || rest === '/:memory:' || rest === ':memory:') return ':memory:';
  if (!rest.startsWith('/')) return decodeURIComponent(rest); // sqlite://relative (lenient)
  return decodeURIComponent(rest.slice(1));
}
