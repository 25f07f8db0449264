/**
 * The lablog server as a Fastify app: plugins (store, error handler, wire format), then the
 * route groups, each mounted under `/api/2.0/mlflow` and under the `/ajax-api/2.0/mlflow`
 * mirror MLflow's web UI uses. The app never listens; server.ts does, and tests `inject`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { RegistryStore, TrackingStore } from '@lablog/tracking';
import { storePlugin } from './plugins/store.js';
import { errorHandlerPlugin, frameworkErrorHandler } from './plugins/error-handler.js';
import { wirePlugin } from './plugins/wire.js';
import { experimentRoutes } from './routes/experiments.js';
import { runRoutes } from './routes/runs.js';
import { logModelRoutes } from './routes/log-model.js';
import { metricRoutes } from './routes/metrics.js';
import { artifactListRoutes } from './routes/artifacts-list.js';
import { miscRoutes } from './routes/misc.js';
import { securityHeaders, securityPlugin, type SecurityOptions } from './plugins/security.js';
import { authPlugin, type AuthOptions } from './plugins/auth/index.js';
import { artifactsPlugin, type ArtifactServingOptions } from './plugins/artifacts.js';
import { ARTIFACT_PROXY_PREFIXES, artifactProxyRoutes } from './routes/artifact-proxy.js';
import { runArtifactRoutes } from './routes/run-artifacts.js';
import { registeredModelRoutes } from './routes/registered-models.js';
import { modelVersionRoutes } from './routes/model-versions.js';
import { modelVersionArtifactRoutes } from './routes/model-version-artifacts.js';
import { LABLOG_API_PREFIX, lablogMetricRoutes } from './routes/lablog-metrics.js';

/** Prefixes every MLflow route group is served under (ref §0: identical behaviour on both). */
export const MLFLOW_API_PREFIXES: readonly string[] = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow'];

/** Default request body limit: 10 MB (MLflow's UI upload cap; log-batch bodies are ≤ 1 MB). */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** Options of the {@link lablogApp} plugin. */
export interface LablogAppOptions {
  /** The store every tracking route reads and writes. */
  trackingStore: TrackingStore;
  /** The model registry (usually the same object as the tracking store); absent: registry routes answer 501. */
  registryStore?: RegistryStore | null;
  /** Close the store when the app closes (default false: the caller owns it). */
  closeStoreOnClose?: boolean;
  /**
   * Artifact roots this server serves (URIs or absolute paths): a model version `source` must
   * lie inside one of them or inside its run's artifact root. Default: the default artifact root
   * (`artifacts.defaultArtifactRoot`, else the tracking store's when it exposes one), else none.
   */
  artifactRoots?: readonly string[];
  /**
   * Artifact proxy destination, `--serve-artifacts`, upload limit, and the default artifact root
   * the experiment `artifact_location` policy allows (default: the store's, when it exposes
   * one). Absent: no proxy (its routes answer 503).
   */
  artifacts?: ArtifactServingOptions;
  /** Host check, CORS and security headers; default on, localhost-only. */
  security?: SecurityOptions;
  /** `--auth basic`: users, grants and the default-deny route table (plugins/auth). Absent: no authentication. */
  auth?: AuthOptions;
}

/** Options of {@link buildApp}: the app's, plus the Fastify server options lablog sets. */
export interface BuildAppOptions extends LablogAppOptions {
  /** Fastify/pino logger options, or false (the default) for none. */
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body in bytes; default {@link DEFAULT_BODY_LIMIT}. */
  bodyLimit?: number;
  /** Milliseconds a whole request may take (Fastify `requestTimeout`); 0 = none (default). */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (Fastify `keepAliveTimeout`). */
  keepAliveTimeout?: number;
  /** Milliseconds a socket may stay idle (Fastify `connectionTimeout`); 0 = none (default). */
  connectionTimeout?: number;
}

const routeGroups: readonly FastifyPluginAsync[] = [experimentRoutes, runRoutes, logModelRoutes, metricRoutes, artifactListRoutes];

/** The artifact roots of {@link LablogAppOptions.artifactRoots}: given, else the default artifact root. */
function artifactRootsOf(options: LablogAppOptions): readonly string[] {
  if (options.artifactRoots) return options.artifactRoots;
  const root = artifactOptionsOf(options).defaultArtifactRoot;
  return root ? [root] : [];
}

/** The artifact options, with the default artifact root taken from the store when not given. */
function artifactOptionsOf(options: LablogAppOptions): ArtifactServingOptions {
  const given = options.artifacts ?? {};
  if (given.defaultArtifactRoot !== undefined) return given;
  const root = (options.trackingStore as { defaultArtifactRoot?: unknown }).defaultArtifactRoot;
  return typeof root === 'string' && root !== '' ? { ...given, defaultArtifactRoot: root } : given;
}

/** The message of the 503 a request gets while the server is shutting down. */
export const SHUTTING_DOWN_MESSAGE = 'The server is shutting down; retry the request.';

/**
 * Requests that arrive while the app is closing (on a kept-alive or pipelined connection;
 * new connections are already refused) get MLflow's error JSON,
 * `503 {"error_code":"TEMPORARILY_UNAVAILABLE",…}` with `Retry-After: 1`, instead of running
 * the route: clients such as RestStore retry it against the restarted server. Fastify's own
 * shutdown 503 (`return503OnClosing`, on by default) has neither field, so {@link buildApp}
 * turns it off; Fastify still adds `Connection: close`. Registered first, so it runs before
 * any other `onRequest` hook (auth, content-type checks).
 */
async function closingGuard(instance: FastifyInstance): Promise<void> {
  let closing = false;
  instance.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  instance.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    void reply
      .code(503)
      .header('retry-after', '1')
      .type('application/json; charset=utf-8')
      .send({ error_code: 'TEMPORARILY_UNAVAILABLE', message: SHUTTING_DOWN_MESSAGE });
  });
}

async function app(instance: FastifyInstance, options: LablogAppOptions): Promise<void> {
  const artifactRoots = artifactRootsOf(options);
  await instance.register(fp(closingGuard, { name: 'lablog-closing-guard', fastify: '5.x' }));
  await instance.register(storePlugin, {
    trackingStore: options.trackingStore,
    registryStore: options.registryStore ?? null,
    closeOnShutdown: options.closeStoreOnClose ?? false,
  });
  await instance.register(errorHandlerPlugin);
  await instance.register(securityPlugin, options.security ?? {});
  await instance.register(artifactsPlugin, artifactOptionsOf(options));
  if (options.auth) await instance.register(authPlugin, options.auth);
  await instance.register(wirePlugin);
  await instance.register(miscRoutes);
  for (const prefix of MLFLOW_API_PREFIXES) {
    for (const group of routeGroups) await instance.register(group, { prefix });
    await instance.register(registeredModelRoutes, { prefix });
    await instance.register(modelVersionRoutes, { prefix, artifactRoots });
  }
  for (const prefix of ARTIFACT_PROXY_PREFIXES) await instance.register(artifactProxyRoutes, { prefix });
  await instance.register(runArtifactRoutes);
  await instance.register(modelVersionArtifactRoutes, { artifactRoots });
  await instance.register(lablogMetricRoutes, { prefix: LABLOG_API_PREFIX });
}

/**
 * The lablog app as a plugin (fastify-plugin, so its error handler covers the whole server).
 * Register it on any Fastify instance; {@link buildApp} does so on a fresh one, and also sets
 * the server options the plugin cannot (body limit, timeouts, `frameworkErrors`).
 */
export const lablogApp = fp(app, { name: 'lablog-app', fastify: '5.x' });

/**
 * Builds the app on a new Fastify instance, ready for `inject` or `listen`.
 *
 * @example
 * const app = buildApp({ trackingStore: new SqliteStore({ path, defaultArtifactRoot }) });
 * const res = await app.inject({ method: 'GET', url: '/health' });
 */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const instance = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    requestTimeout: options.requestTimeout ?? 0,
    connectionTimeout: options.connectionTimeout ?? 0,
    // While closing, the app's own guard answers in MLflow's error JSON with Retry-After.
    return503OnClosing: false,
    ...(options.keepAliveTimeout !== undefined ? { keepAliveTimeout: options.keepAliveTimeout } : {}),
    // Errors raised before routing (malformed URLs) answer in MLflow's error JSON too.
    frameworkErrors: (error, request, reply) => {
      void reply.headers(securityHeaders(options.security));
      frameworkErrorHandler(error, request, reply);
    },
    // Fastify's own request logging writes two info lines per request; lablog writes one, at
    // debug level, below (a busy training fleet must not flood the server's log).
    logController: new LogController({ disableRequestLogging: true }),
  });
  instance.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  void instance.register(lablogApp, {
    trackingStore: options.trackingStore,
    registryStore: options.registryStore ?? null,
    closeStoreOnClose: options.closeStoreOnClose ?? false,
    ...(options.artifactRoots ? { artifactRoots: options.artifactRoots } : {}),
    ...(options.artifacts ? { artifacts: options.artifacts } : {}),
    ...(options.security ? { security: options.security } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  return instance;
}
