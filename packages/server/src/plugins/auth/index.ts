/**
 * `--auth basic`: MLflow's basic-auth app for lablog (security.md §2.8, §4), as one Fastify
 * plugin registered before every route (app.ts), so its hooks cover all of them:
 *
 * - `onRoute` records every route the app registers (the every-route test reads the record);
 * - `onRequest` authenticates (HTTP Basic; 401 `UNAUTHENTICATED` with
 *   `WWW-Authenticate: Basic realm="lablog"`) unless the route is public, and refuses a route
 *   missing from {@link ROUTE_PERMISSIONS} with 403 (default deny);
 * - `preHandler` authorizes non-admins against the route's rule, on the decoded request the
 *   handler will read (403 `PERMISSION_DENIED`);
 * - `preSerialization` grants MANAGE to the creator of an experiment or registered model,
 *   moves or drops model grants on rename/delete, and filters search results (search-filter.ts).
 *
 * It also serves MLflow's user and permission endpoints (routes/auth-users.ts,
 * routes/auth-permissions.ts) under both MLflow prefixes, and bootstraps the admin user.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LablogError } from '@lablog/tracking';
import type { AuthStore, AuthUser } from './auth-store.js';
import { SqliteAuthStore } from './sqlite-auth-store.js';
import { Authenticator, parseBasicAuthorization } from './credentials.js';
import { hashPassword, type ScryptParams } from './passwords.js';
import type { PermissionName } from './permissions.js';
import { ROUTE_PERMISSIONS, ruleFor, type RouteRule } from './route-permissions.js';
import { PermissionResolver, permissionDenied } from './authorize.js';
import { filterSearchResponse, readableCheck } from './search-filter.js';
import { AUTH_REALM, resolveAuthOptions, type AuthOptions, type ResolvedAuthOptions } from './options.js';
import { wirePlugin } from '../wire.js';
import { authUserRoutes } from '../../routes/auth-users.js';
import { authPermissionRoutes } from '../../routes/auth-permissions.js';

/** The 401 message (the same for a missing header, an unknown user and a wrong password). */
export const UNAUTHENTICATED_MESSAGE = 'You are not authenticated. Please provide a valid username and password with HTTP Basic authentication.';

/** One route as Fastify registered it. */
export interface RecordedRoute {
  readonly method: string;
  readonly url: string;
}

/** What the auth plugin shares with its routes (decorated as `app.auth`). */
export interface AuthService {
  readonly store: AuthStore;
  readonly authenticator: Authenticator;
  readonly resolver: PermissionResolver;
  readonly defaultPermission: PermissionName;
  readonly scrypt: ScryptParams | undefined;
  /** Every route registered after the plugin, in order. */
  readonly routes: readonly RecordedRoute[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Present only when `--auth basic` is on. */
    auth: AuthService;
  }
  interface FastifyRequest {
    /** The authenticated caller; null on public routes (and with auth off). */
    authUser: AuthUser | null;
  }
}

/** MLflow's REST prefixes (app.ts MLFLOW_API_PREFIXES; not imported, app.ts imports this). */
const MLFLOW_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'] as const;

/** Routes among `routes` that {@link ROUTE_PERMISSIONS} does not cover, as `METHOD URL`. */
export function routesMissingPermissions(routes: readonly RecordedRoute[]): string[] {
  const missing = new Set<string>();
  for (const r of routes) if (ruleFor(r.method, r.url) === undefined) missing.add(`${r.method} ${r.url}`);
  return [...missing].sort();
}

/** Creates the bootstrap admin, or makes sure it is still an admin; its password is not reset. */
export async function bootstrapAdmin(store: AuthStore, options: Pick<ResolvedAuthOptions, 'adminUsername' | 'adminPassword' | 'scrypt'>): Promise<AuthUser> {
  const existing = store.findUser(options.adminUsername);
  if (!existing) return store.createUser(options.adminUsername, await hashPassword(options.adminPassword, options.scrypt), true);
  if (!existing.isAdmin) store.updateAdmin(options.adminUsername, true);
  return store.getUser(options.adminUsername);
}

function ruleOf(request: FastifyRequest): RouteRule | undefined {
  const url = request.routeOptions.url;
  return url === undefined ? undefined : ruleFor(request.method, url);
}

function afterOf(rule: RouteRule | undefined): string | undefined {
  return rule && 'after' in rule ? rule.after : undefined;
}

type Json = Record<string, unknown>;

async function auth(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const resolved = resolveAuthOptions(options);
  const store = resolved.store ?? new SqliteAuthStore(resolved.dbUri!);
  try {
    await bootstrapAdmin(store, resolved);
  } catch (e) {
    if (!resolved.store) store.close();
    throw e;
  }
  if (!resolved.store) app.addHook('onClose', async () => store.close());

  const routes: RecordedRoute[] = [];
  const service: AuthService = {
    store,
    authenticator: new Authenticator(store, {
      ttlSeconds: resolved.credentialCacheTtlSeconds,
      ...(resolved.scrypt ? { scrypt: resolved.scrypt } : {}),
    }),
    resolver: new PermissionResolver(app, store, resolved.defaultPermission),
    defaultPermission: resolved.defaultPermission,
    scrypt: resolved.scrypt,
    routes,
  };
  app.decorate('auth', service);
  app.decorateRequest('authUser', null);

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? route.path });
  });
  app.addHook('onReady', async () => {
    const missing = routesMissingPermissions(routes);
    if (missing.length > 0) app.log.warn({ routes: missing }, 'routes without an auth rule: refused for everybody');
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.is404) return;
    const rule = ruleOf(request);
    if (rule?.access === 'public') return;
    const credentials = parseBasicAuthorization(request.headers.authorization);
    const user = credentials ? await service.authenticator.authenticate(credentials) : null;
    if (!user) {
      void reply.header('www-authenticate', `Basic realm="${AUTH_REALM}"`);
      throw new LablogError(UNAUTHENTICATED_MESSAGE, 'UNAUTHENTICATED');
    }
    request.authUser = user;
    if (!rule) throw permissionDenied(`no permission rule for ${request.method} ${request.routeOptions.url ?? ''}`);
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const user = request.authUser;
    if (!user || user.isAdmin) return;
    const rule = ruleOf(request);
    if (!rule) throw permissionDenied();
    await service.resolver.authorize(request, user, rule);
  });

  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const user = request.authUser;
    const after = afterOf(ruleOf(request));
    if (!user || !after || reply.statusCode >= 300 || typeof payload !== 'object' || payload === null) return payload;
    const body = payload as Json;
    switch (after) {
      case 'grant-experiment-creator':
        if (typeof body['experiment_id'] === 'string') store.upsertExperimentPermission(body['experiment_id'], user.id, 'MANAGE');
        return payload;
      case 'grant-model-creator': {
        const name = (body['registered_model'] as Json | undefined)?.['name'];
        if (typeof name === 'string') store.upsertRegisteredModelPermission(name, user.id, 'MANAGE');
        return payload;
      }
      case 'rename-model-permissions': {
        const oldName = (request.body as Json | undefined)?.['name'];
        const newName = (body['registered_model'] as Json | undefined)?.['name'];
        if (typeof oldName === 'string' && typeof newName === 'string') store.renameRegisteredModelPermissions(oldName, newName);
        return payload;
      }
      case 'delete-model-permissions': {
        const name = (request.body as Json | undefined)?.['name'];
        if (typeof name === 'string') store.deleteRegisteredModelPermissions(name);
        return payload;
      }
      case 'filter-experiments':
      case 'filter-runs':
      case 'filter-registered-models':
      case 'filter-model-versions': {
        if (user.isAdmin) return payload;
        const readable = readableCheck(
          {
            experiments: new Map(store.listExperimentPermissions(user.id).map((p) => [p.experimentId, p.permission])),
            models: new Map(store.listRegisteredModelPermissions(user.id).map((p) => [p.name, p.permission])),
          },
          resolved.defaultPermission,
        );
        return filterSearchResponse(app, request, after, body, readable);
      }
      default:
        return payload;
    }
  });

  // The user and permission endpoints, with the app's wire format (content type, JSON bodies,
  // proto decoding): this context is created before app.ts registers the wire plugin at the
  // root, so it registers its own copy.
  await app.register(async (routesContext) => {
    await routesContext.register(wirePlugin);
    for (const prefix of MLFLOW_PREFIXES) {
      await routesContext.register(authUserRoutes, { prefix });
      await routesContext.register(authPermissionRoutes, { prefix });
    }
  });
}

/**
 * The auth plugin (fastify-plugin: its hooks cover the whole app). Register it before any
 * route; startup fails (at `ready`/`listen`) when the options are unsafe.
 */
export const authPlugin = fp(auth, { name: 'lablog-auth', fastify: '5.x', dependencies: ['lablog-store', 'lablog-error-handler'] });

export { ROUTE_PERMISSIONS, ruleFor } from './route-permissions.js';
export type { RouteRule, ResourceCheck, AfterAction } from './route-permissions.js';
export type { AuthOptions } from './options.js';
export { ADMIN_PASSWORD_ENV, ADMIN_USERNAME_ENV, adminFromEnv, authOptionsForServer, defaultAuthDbUri } from './options.js';
export type { AuthStore, AuthUser } from './auth-store.js';
export { SqliteAuthStore } from './sqlite-auth-store.js';
export { PERMISSION_NAMES, type PermissionName } from './permissions.js';
