/**
 * Configuration of `--auth basic`: the options type, where they come from (CLI flags and the
 * environment), and the checks that refuse to start a server that would be unsafe.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LablogError } from '@lablog/tracking';
import type { AuthStore } from './auth-store.js';
import { MIN_PASSWORD_LENGTH, validateUsername, type ScryptParams } from './passwords.js';
import { parsePermission, type PermissionName } from './permissions.js';

/** Environment variable naming the bootstrap admin (default `admin`). */
export const ADMIN_USERNAME_ENV = 'LABLOG_AUTH_ADMIN_USERNAME';
/** Environment variable holding the bootstrap admin's password (required, ≥ 12 characters). */
export const ADMIN_PASSWORD_ENV = 'LABLOG_AUTH_ADMIN_PASSWORD';
/** File name of the auth database next to the tracking store. */
export const DEFAULT_AUTH_DB_FILE = 'basic_auth.db';
/** Realm of the `WWW-Authenticate` challenge. */
export const AUTH_REALM = 'lablog';

/** Options of the auth plugin (`--auth basic`). */
export interface AuthOptions {
  /** The only scheme: HTTP Basic against users in the auth database. */
  type?: 'basic';
  /** Auth database: `sqlite:///path.db` or a path (`--auth-db-uri`). Required unless `store` is given. */
  dbUri?: string;
  /** A ready store instead of `dbUri` (tests, or another backend); not closed by the plugin. */
  store?: AuthStore;
  /** Level of users without a grant on a resource (`--auth-default-permission`); default READ. */
  defaultPermission?: PermissionName;
  /** Bootstrap admin's name; default `admin` ({@link ADMIN_USERNAME_ENV}). */
  adminUsername?: string;
  /** Bootstrap admin's password ({@link ADMIN_PASSWORD_ENV}); required, at least 12 characters. */
  adminPassword?: string;
  /** Seconds a verified login is cached; 0 (default, as MLflow's `auth_cache_ttl_seconds`) turns the cache off. */
  credentialCacheTtlSeconds?: number;
  /** scrypt cost of new password hashes; default `DEFAULT_SCRYPT_PARAMS` (tests lower it). */
  scrypt?: ScryptParams;
}

/** Options with defaults applied and checked. */
export interface ResolvedAuthOptions {
  readonly dbUri: string | undefined;
  readonly store: AuthStore | undefined;
  readonly defaultPermission: PermissionName;
  readonly adminUsername: string;
  readonly adminPassword: string;
  readonly credentialCacheTtlSeconds: number;
  readonly scrypt: ScryptParams | undefined;
}

function configError(message: string): LablogError {
  return new LablogError(message, 'INVALID_PARAMETER_VALUE');
}

/**
 * Applies defaults and refuses unsafe configurations: no admin password, one shorter than
 * {@link MIN_PASSWORD_LENGTH}, an unknown default permission, no database.
 * @throws LablogError INVALID_PARAMETER_VALUE saying what to set.
 */
export function resolveAuthOptions(options: AuthOptions): ResolvedAuthOptions {
  if (options.type !== undefined && options.type !== 'basic') throw configError(`Unknown auth type '${String(options.type)}': only 'basic' is supported.`);
  const password = options.adminPassword;
  if (password === undefined || password === '') {
    throw configError(`Authentication is on but no admin password is set: set ${ADMIN_PASSWORD_ENV} (at least ${MIN_PASSWORD_LENGTH} characters).`);
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw configError(`${ADMIN_PASSWORD_ENV} is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  let adminUsername: string;
  try {
    adminUsername = validateUsername(options.adminUsername ?? 'admin');
  } catch (e) {
    throw configError(`${ADMIN_USERNAME_ENV}: ${(e as Error).message}`);
  }
  if (options.store === undefined && (options.dbUri === undefined || options.dbUri === '')) throw configError('Authentication is on but no auth database URI is set.');
  const ttl = options.credentialCacheTtlSeconds ?? 0;
  if (!Number.isFinite(ttl) || ttl < 0) throw configError('The credential cache TTL must be a number of seconds ≥ 0.');
  return {
    dbUri: options.dbUri,
    store: options.store,
    defaultPermission: parsePermission(options.defaultPermission ?? 'READ'),
    adminUsername,
    adminPassword: password,
    credentialCacheTtlSeconds: ttl,
    scrypt: options.scrypt,
  };
}

/** The admin settings from the environment ({@link ADMIN_USERNAME_ENV}, {@link ADMIN_PASSWORD_ENV}). */
export function adminFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AuthOptions, 'adminUsername' | 'adminPassword'> {
  const out: Pick<AuthOptions, 'adminUsername' | 'adminPassword'> = {};
  if (env[ADMIN_USERNAME_ENV]) out.adminUsername = env[ADMIN_USERNAME_ENV];
  if (env[ADMIN_PASSWORD_ENV] !== undefined) out.adminPassword = env[ADMIN_PASSWORD_ENV];
  return out;
}

/**
 * The default auth database for a backend store: `basic_auth.db` in the SQLite file's
 * directory, or in a file store's directory; `./basic_auth.db` (as MLflow) for other backends.
 */
export function defaultAuthDbUri(backendStoreUri: string): string {
  let dir: string;
  if (backendStoreUri.startsWith('sqlite:///')) {
    const path = decodeURIComponent(backendStoreUri.slice('sqlite://'.length));
    dir = path === '/:memory:' ? resolve('.') : dirname(path);
  } else if (backendStoreUri.startsWith('file:')) {
    dir = fileURLToPath(backendStoreUri);
  } else if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(backendStoreUri)) {
    dir = resolve(backendStoreUri);
  } else {
    dir = resolve('.');
  }
  return join(dir, DEFAULT_AUTH_DB_FILE);
}

/**
 * What `startServer` passes to the app: `options` with the database defaulted next to the
 * backend store ({@link defaultAuthDbUri}) and the admin taken from the environment where
 * `options` leaves them unset.
 */
export function authOptionsForServer(options: AuthOptions, backendStoreUri: string, env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const fromEnv = adminFromEnv(env);
  const out: AuthOptions = { ...options };
  if (out.store === undefined && !out.dbUri) out.dbUri = defaultAuthDbUri(backendStoreUri);
  if (out.adminUsername === undefined && fromEnv.adminUsername !== undefined) out.adminUsername = fromEnv.adminUsername;
  if (out.adminPassword === undefined && fromEnv.adminPassword !== undefined) out.adminPassword = fromEnv.adminPassword;
  return out;
}
