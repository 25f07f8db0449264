/**
 * Runs the scoring app on a port (`lablog models serve`): loads the model, listens, closes
 * gracefully; with `workers > 1`, forks that many processes (node:cluster) that share the port.
 *
 * Workers: each worker is a full scoring server with its own copy of the model (memory × N) and
 * its own micro-batcher; the primary only accepts connections and hands them round-robin to the
 * workers (cluster's default scheduling on Linux and macOS). onnxruntime runs `session.run` on the
 * JavaScript thread of its process, so workers are how one host uses several cores for
 * independent requests; keep workers × onnxruntime intra-op threads ≤ cores. A worker that dies
 * is replaced. Workers run the compiled `dist/serving/worker-entry.js`, so they need the built
 * package (`npm run build`).
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyServerOptions } from 'fastify';
import { LablogError } from '@lablog/tracking';
import type { LoadedModel } from '@lablog/flavors';
import { buildScoringApp, type ScoringApp } from './app.js';

/** Options of {@link startScoringServer}. */
export interface StartScoringServerOptions {
  /** The model: a local path, `runs:/…`, `models:/…` — anything `loadModel` of @lablog/flavors takes. */
  modelUri: string;
  /** Tracking URI for `runs:/` and `models:/` model URIs (default: the current one). */
  trackingUri?: string;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Port; default 5001. 0 picks a free port (shared by all workers). */
  port?: number;
  /** Processes serving the port (node:cluster); default 1 (this process). */
  workers?: number;
  /** See {@link ScoringAppOptions.maxBatchSize}. */
  maxBatchSize?: number;
  /** See {@link ScoringAppOptions.maxBatchWaitMs}. */
  maxBatchWaitMs?: number;
  /** See {@link ScoringAppOptions.requestTimeoutMs}. */
  requestTimeoutMs?: number;
  /** See {@link ScoringAppOptions.bodyLimit}. */
  bodyLimit?: number;
  /** Milliseconds `close()` waits for in-flight requests; default 10 000. */
  closeGraceMs?: number;
  /** Fastify/pino logger options; default `{ level: 'info' }`. Workers get `{ level: 'info' }` or false. */
  logger?: FastifyServerOptions['logger'];
  /** Close gracefully on SIGINT and SIGTERM; default false (the CLI turns it on). */
  handleSignals?: boolean;
  /** Loads the model; default `loadModel` of @lablog/flavors (imported when first needed). Single-process only. */
  load?: (uri: string) => Promise<LoadedModel>;
}

/** A running scoring server. */
export interface RunningScoringServer {
  /** e.g. `http://127.0.0.1:5001`. */
  readonly url: string;
  /** The app, in single-process mode; null when workers serve. */
  readonly app: ScoringApp | null;
  /** The loaded model, in single-process mode. */
  readonly model: LoadedModel | null;
  /** Worker processes serving (0 in single-process mode). */
  readonly workers: number;
  /** Stops accepting connections, lets in-flight requests finish, frees the model. Idempotent. */
  close(): Promise<void>;
}

/** The environment variable carrying options from the primary to its workers. */
export const WORKER_OPTIONS_ENV = 'LABLOG_SCORING_WORKER_OPTIONS';

/**
 * Loads a model for serving with `loadModel` of @lablog/flavors, imported on first use so that
 * the tracking server never loads onnxruntime.
 */
export async function loadScoringModel(uri: string, trackingUri?: string): Promise<LoadedModel> {
  const { loadModel } = await import('@lablog/flavors');
  return loadModel(uri, trackingUri !== undefined ? { trackingUri } : {});
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function onSignals(close: () => Promise<void>): () => void {
  const handler = () => void close().finally(() => process.exit(0));
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Loads the model and serves it. Resolves once listening (every worker listening, with workers).
 * @throws LablogError when the model cannot be loaded; the listen error (EADDRINUSE…) otherwise.
 */
export async function startScoringServer(options: StartScoringServerOptions): Promise<RunningScoringServer> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new LablogError(`workers must be a positive integer, got ${workers}`, 'INVALID_PARAMETER_VALUE');
  if (workers > 1 && cluster.isPrimary) return startPrimary(options, workers);
  return startSingle(options);
}

async function startSingle(options: StartScoringServerOptions): Promise<RunningScoringServer> {
  const host = options.host ?? '127.0.0.1';
  const model = await (options.load ?? ((uri: string) => loadScoringModel(uri, options.trackingUri)))(options.modelUri);
  const app = buildScoringApp({
    model,
    logger: options.logger ?? { level: 'info' },
    ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
    ...(options.maxBatchWaitMs !== undefined ? { maxBatchWaitMs: options.maxBatchWaitMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
  });
  let port: number;
  try {
    await app.listen({ host, port: options.port ?? 5001 });
    const address = app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 5001);
  } catch (e) {
    await app.close().catch(() => undefined);
    await model.dispose().catch(() => undefined);
    throw e;
  }
  let closing: Promise<void> | null = null;
  let offSignals = () => {};
  const close = () =>
    (closing ??= (async () => {
      offSignals();
      const grace = options.closeGraceMs ?? 10_000;
      const timer = setTimeout(() => app.server.closeAllConnections(), grace);
      app.server.closeIdleConnections();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        await model.dispose().catch(() => undefined);
      }
    })());
  if (options.handleSignals) offSignals = onSignals(close);
  return { url: urlOf(host, port), app, model, workers: 0, close };
}

/**
 * The compiled worker entry: beside this file in dist/, or — when this module runs from source
 * (tests) — the package's built dist/serving/worker-entry.js.
 */
export function workerEntryPath(): string | null {
  for (const candidate of ['./worker-entry.js', '../../dist/serving/worker-entry.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

function workerEntry(): string {
  const path = workerEntryPath();
  if (path === null) throw new LablogError('--workers needs the built @lablog/server (dist/serving/worker-entry.js is missing); run npm run build.', 'INVALID_STATE');
  return path;
}

async function startPrimary(options: StartScoringServerOptions, count: number): Promise<RunningScoringServer> {
  if (options.load) throw new LablogError('A custom load function cannot be used with workers.', 'INVALID_PARAMETER_VALUE');
  const host = options.host ?? '127.0.0.1';
  const { load: _load, handleSignals: _signals, logger, ...rest } = options;
  const env = { [WORKER_OPTIONS_ENV]: JSON.stringify({ ...rest, host, workers: 1, logger: logger === false ? false : { level: 'info' } }) };
  cluster.setupPrimary({ exec: workerEntry(), args: [] });
  const live = new Set<Worker>();
  let closing = false;
  let port = options.port ?? 5001;

  const fork = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(env);
      live.add(worker);
      let listening = false;
      worker.once('listening', (address) => {
        listening = true;
        resolve(address.port);
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        if (!listening) return reject(new LablogError(`A scoring worker exited before listening (code ${code}, signal ${signal}); see its log above.`, 'INTERNAL_ERROR'));
        if (!closing) {
          process.stderr.write(`lablog: scoring worker ${worker.process.pid} exited (code ${code}, signal ${signal}); starting another\n`);
          setTimeout(() => void fork().catch((e: unknown) => process.stderr.write(`lablog: ${String(e)}\n`)), 500);
        }
      });
    });

  const close = async () => {
    if (closing) return;
    closing = true;
    await Promise.all(
      [...live].map(
        (w) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => w.kill('SIGKILL'), options.closeGraceMs ?? 10_000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    // Workers asking for the same host and port share one listening handle in the primary; for
    // port 0 that handle's random port is the same for all of them.
    port = await fork();
    await Promise.all(Array.from({ length: count - 1 }, fork));
  } catch (e) {
    await close();
    throw e;
  }
  let offSignals = () => {};
  const closeAll = async () => {
    offSignals();
    await close();
  };
  if (options.handleSignals) offSignals = onSignals(closeAll);
  return { url: urlOf(host, port), app: null, model: null, workers: count, close: closeAll };
}
