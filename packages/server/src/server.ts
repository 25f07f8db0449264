/**
 * Runs the lablog app on a port: listen, timeouts, graceful close. Nothing else lives here;
 * the app is app.ts, the store comes from backend-store.ts.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { TrackingStore } from '@lablog/tracking';
import { buildApp } from './app.js';
import { authOptionsForServer, type AuthOptions } from './plugins/auth/index.js';
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
  /**
   * `--auth basic`. The database defaults to `basic_auth.db` beside the backend store, the
   * admin to `LABLOG_AUTH_ADMIN_USERNAME` / `LABLOG_AUTH_ADMIN_PASSWORD`; absent: no auth.
   */
  auth?: AuthOptions;
  /**
   * Where the artifact proxy keeps artifacts (`--artifacts-destination`): a directory,
   * `file://…` or `s3://bucket/prefix`; default `./mlartifacts` (MLflow's).
   */
  artifactsDestination?: string;
  /**
   * Serve the artifact proxy (`--serve-artifacts` / `--no-serve-artifacts`); default true. When
   * on and no `defaultArtifactRoot` is given, new experiments default to `mlflow-artifacts:/`.
   */
  serveArtifacts?: boolean;
  /** Largest proxied artifact PUT in bytes; default 5 GiB. */
  maxArtifactUploadBytes?: number;
  /** Extra allowed `Host` header values (`--allowed-hosts`): `name`, `name:port`, `*.example.com`. */
  allowedHosts?: readonly string[];
  /** Allowed CORS origins (`--cors-allowed-origins`); default localhost origins on any port. */
  corsAllowedOrigins?: readonly string[];
  /** Turn the Host and CORS checks off (`--disable-security-middleware`); default false. */
  disableSecurityMiddleware?: boolean;
}

/** MLflow's default `--artifacts-destination`. */
export const DEFAULT_ARTIFACTS_DESTINATION = './mlartifacts';

/** The default artifact root when the server proxies artifacts. */
export const PROXIED_DEFAULT_ARTIFACT_ROOT = 'mlflow-artifacts:/';

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
  const serveArtifacts = options.serveArtifacts ?? true;
  const defaultArtifactRoot = options.defaultArtifactRoot || (serveArtifacts ? PROXIED_DEFAULT_ARTIFACT_ROOT : undefined);
  const stores = openBackendStore({
    backendStoreUri: options.backendStoreUri,
    ...(defaultArtifactRoot ? { defaultArtifactRoot } : {}),
  });
  const store = stores.tracking;
  const app = buildApp({
    trackingStore: store,
    registryStore: stores.registry,
    ...(options.auth ? { auth: authOptionsForServer(options.auth, options.backendStoreUri) } : {}),
    logger: options.logger ?? { level: 'info' },
    requestTimeout: options.requestTimeout ?? 120_000,
    keepAliveTimeout: options.keepAliveTimeout ?? 75_000,
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    artifacts: {
      destination: options.artifactsDestination ?? DEFAULT_ARTIFACTS_DESTINATION,
      serveArtifacts,
      ...(defaultArtifactRoot ? { defaultArtifactRoot } : {}),
      ...(options.maxArtifactUploadBytes !== undefined ? { maxUploadBytes: options.maxArtifactUploadBytes } : {}),
    },
    security: {
      disabled: options.disableSecurityMiddleware ?? false,
      boundHost: options.host ?? '127.0.0.1',
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.corsAllowedOrigins ? { corsAllowedOrigins: options.corsAllowedOrigins } : {}),
    },
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
