/**
 * Process-wide logging settings: one async logger per store (MLflow keeps one queue per store
 * instance), their shared options, and synchronous mode.
 *
 * Synchronous mode and `MLFLOW_ENABLE_ASYNC_LOGGING`: in MLflow the variable defaults to false
 * (MLflow logs synchronously unless asked). lablog is asynchronous by default, so the mapping is:
 * unset → asynchronous (lablog's default); `true`/`1` → asynchronous; `false`/`0`/`no` →
 * synchronous. An MLflow user who never set it gets lablog's non-blocking behaviour; one who
 * explicitly turned it off keeps blocking calls. {@link setSynchronousLogging} overrides the
 * variable; `synchronous` on a call overrides both.
 */
import type { TrackingStore } from '../store/tracking-store.js';
import { AsyncLogger, type AsyncLoggerOptions } from './async-logger.js';

/** The environment variable read for the default of synchronous mode (see the module comment). */
export const ASYNC_LOGGING_ENV = 'MLFLOW_ENABLE_ASYNC_LOGGING';

const loggers = new Map<TrackingStore, AsyncLogger>();
let options: AsyncLoggerOptions = {};
let synchronousOverride: boolean | undefined;
/** Cached: reading `process.env` costs more than the whole hot path. */
let synchronousFromEnv: boolean | undefined;

/** The async logger of a store, created on first use with the options of {@link configureAsyncLogging}. */
export function asyncLoggerFor(store: TrackingStore): AsyncLogger {
  let logger = loggers.get(store);
  if (!logger) {
    logger = new AsyncLogger(store, options);
    loggers.set(store, logger);
  }
  return logger;
}

/**
 * Sets options for async loggers. `flushIntervalMs` and `reporter` apply to existing loggers too;
 * the rest to loggers created afterwards.
 */
export function configureAsyncLogging(next: AsyncLoggerOptions): void {
  options = { ...options, ...next };
  for (const l of loggers.values()) l.configure(next);
}

/** Turns synchronous logging on or off for the process; `undefined` returns to the environment's default. */
export function setSynchronousLogging(synchronous: boolean | undefined): void {
  synchronousOverride = synchronous;
  synchronousFromEnv = undefined;
}

/**
 * True when log calls without an explicit `synchronous` option wait for the store. The
 * environment is read once (and again after `setSynchronousLogging(undefined)`).
 */
export function isSynchronousLogging(): boolean {
  if (synchronousOverride !== undefined) return synchronousOverride;
  if (synchronousFromEnv === undefined) {
    const v = process.env[ASYNC_LOGGING_ENV]?.trim().toLowerCase();
    synchronousFromEnv = v === 'false' || v === '0' || v === 'no';
  }
  return synchronousFromEnv;
}

/** Writes everything queued in every logger; rejects with the failures not surfaced yet. */
export async function flushAllLoggers(): Promise<void> {
  const results = await Promise.allSettled([...loggers.values()].map((l) => l.flush()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Flushes and closes every logger and forgets them (tests; stores being closed). */
export async function closeAllLoggers(): Promise<void> {
  const all = [...loggers.values()];
  loggers.clear();
  for (const l of all) await l.close();
}
