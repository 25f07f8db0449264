/**
 * Runs the lablog app on a port: listen, timeouts, graceful close. Nothing else lives here;
 * the app is app.ts, the store comes from backend-store.ts.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { TrackingStore } from '@lablog/tracking';
import { buildApp } from './app.js';
import { openBackendStore } from './backend-store.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Interface to bind; default `127.0.0.1` (MLflow's). */
  host?: string;
  /** Port; default 5000 (MLflow's). 0 picks a free port. */
  port?: number;
  /** Where runs live: `sqlite:///path.db`, `file:///dir` or a bare path. */
  backendStoreUri: string;
  /** Artifact root for new experiments; default the store's own. */
  defaultArtifactRoot?: string;
  /** Largest request body in bytes; default 10 MB. */
  bodyLimit?: number;
  /** Milliseconds a request may take before it is aborted; default 120 000. */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection is kept; default 75 000 (above common proxies' 60 s). */
  keepAliveTimeout?: number;
  /** Milliseconds `close()` waits for in-flight requests before cutting connections; default 10 000. */
  closeGraceMs?: number;
  /** Fastify/pino logger options; default `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger'];
  /** Close gracefully on SIGINT and SIGTERM; default false (the CLI turns it on). */
  handleSignals?: boolean;
}

/** A running server. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: TrackingStore;
  /** e.g. `http://127.0.0.1:5000`. */
  readonly url: string;
  /** Stops accepting connections, lets in-flight requests finish (up to the grace period), closes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the backend store, builds the app and listens.
 * @throws LablogError for a backend store URI lablog cannot open; the listen error (EADDRINUSE…) otherwise.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const stores = openBackendStore({
    backendStoreUri: options.backendStoreUri,
    ...(options.defaultArtifactRoot ? { defaultArtifactRoot: options.defaultArtifactRoot } : {}),
  });
  const store = stores.tracking;
  const app = buildApp({
    trackingStore: store,
    registryStore: stores.registry,
    logger: options.logger ?? { level: 'info' },
    requestTimeout: options.requestTimeout ?? 120_000,
    keepAliveTimeout: options.keepAliveTimeout ?? 75_000,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
  });
  let url: string;
  try {
    url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 5000 });
  } catch (e) {
    await app.close().catch(() => undefined);
    await store.close();
    throw e;
  }

  const graceMs = options.closeGraceMs ?? 10_000;
  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (options.handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        await store.close();
      }
    })();
    return closing;
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { app, store, url, close };
}
