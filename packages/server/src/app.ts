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
import { metricRoutes } from './routes/metrics.js';
import { artifactListRoutes } from './routes/artifacts-list.js';
import { miscRoutes } from './routes/misc.js';

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

const routeGroups: readonly FastifyPluginAsync[] = [experimentRoutes, runRoutes, metricRoutes, artifactListRoutes];

async function app(instance: FastifyInstance, options: LablogAppOptions): Promise<void> {
  await instance.register(storePlugin, {
    trackingStore: options.trackingStore,
    registryStore: options.registryStore ?? null,
    closeOnShutdown: options.closeStoreOnClose ?? false,
  });
  await instance.register(errorHandlerPlugin);
  // [security plugin: host check, CORS, response headers]
  // [auth plugin]
  await instance.register(wirePlugin);
  await instance.register(miscRoutes);
  for (const prefix of MLFLOW_API_PREFIXES) {
    for (const group of routeGroups) await instance.register(group, { prefix });
    // [registry route groups]
  }
  // [artifact proxy routes: /api/2.0/mlflow-artifacts, /get-artifact, /model-versions/get-artifact]
  // [lablog additions under /api/2.0/lablog]
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
    ...(options.keepAliveTimeout !== undefined ? { keepAliveTimeout: options.keepAliveTimeout } : {}),
    // Errors raised before routing (malformed URLs) answer in MLflow's error JSON too.
    frameworkErrors: frameworkErrorHandler,
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
  });
  return instance;
}
