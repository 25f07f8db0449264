/**
 * Logging calls of the fluent API. Non-blocking by default: a call queues its item in the
 * active run's {@link RunQueue} and returns undefined; with `synchronous: true` (per call, or
 * `setSynchronousLogging(true)`) it returns a promise that settles when the store has the item,
 * after everything queued before it. `await` works on both, so code can always `await` a log call.
 *
 * Timestamps are taken at call time. Logging with no active run starts one, as MLflow does.
 */
import { isSynchronousLogging } from '../logging/config.js';
import { flushAllLoggers } from '../logging/config.js';
import type { Metric } from '../entities/metric.js';
import { activeOrStartedRun } from './runs.js';
import type { ActiveRun } from './active-run.js';

/** What a log call returns: undefined when queued, a promise when synchronous (or under back-pressure). */
export type LogResult = Promise<void> | undefined;

/** Options shared by every log call. */
export interface LogOptions {
  /** Wait for the store (default: `setSynchronousLogging` / `MLFLOW_ENABLE_ASYNC_LOGGING`, else false). */
  synchronous?: boolean;
}

/** Options of {@link logMetric} and {@link logMetrics}. */
export interface LogMetricOptions extends LogOptions {
  /** Default 0. */
  step?: number;
  /** Milliseconds since the epoch; default: now (at call time). */
  timestamp?: number;
}

/**
 * Logs one metric point to the active run. The hot path costs about as much as an array push
 * (see the logging benchmark); when the queue is over half full, the returned promise lets an
 * `await`ing loop wait for room.
 */
export function logMetric(key: string, value: number, options?: LogMetricOptions): LogResult {
  const run = activeOrStartedRun();
  const timestamp = options?.timestamp ?? Date.now();
  const step = options?.step ?? 0;
  if (options?.synchronous ?? isSynchronousLogging()) {
    return run.logger.logBatchNow(run.queue, { metrics: [{ key, value, timestamp, step }] });
  }
  return run.queue.logMetric(key, value, timestamp, step);
}

/** Logs several metrics at one step and one timestamp. */
export function logMetrics(metrics: Readonly<Record<string, number>>, options?: LogMetricOptions): LogResult {
  const run = activeOrStartedRun();
  const timestamp = options?.timestamp ?? Date.now();
  const step = options?.step ?? 0;
  if (options?.synchronous ?? isSynchronousLogging()) {
    const list: Metric[] = Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp, step }));
    return run.logger.logBatchNow(run.queue, { metrics: list });
  }
  let result: LogResult;
  for (const key in metrics) result = run.queue.logMetric(key, metrics[key]!, timestamp, step) ?? result;
  return result;
}

/** Logs a param (write-once; values are stored as strings). A conflicting value surfaces on flush/endRun. */
export function logParam(key: string, value: unknown, options?: LogOptions): LogResult {
  return logParamsOrTags(0, [[key, value]], options);
}

/** Logs several params. */
export function logParams(params: Readonly<Record<string, unknown>>, options?: LogOptions): LogResult {
  return logParamsOrTags(0, Object.entries(params), options);
}

/** Sets a tag on the active run (tags overwrite). */
export function setTag(key: string, value: unknown, options?: LogOptions): LogResult {
  return logParamsOrTags(1, [[key, value]], options);
}

/** Sets several tags. */
export function setTags(tags: Readonly<Record<string, unknown>>, options?: LogOptions): LogResult {
  return logParamsOrTags(1, Object.entries(tags), options);
}

/** Deletes a tag of the active run, after everything queued before (it always waits for the store). */
export function deleteTag(key: string): Promise<void> {
  const run = activeOrStartedRun();
  return run.logger.afterQueued(run.queue, (runId) => run.client.deleteTag(runId, key));
}

/**
 * Waits until everything logged so far, in every run, is in its store; rejects with the failures
 * not surfaced yet (one `LablogError`, or an `AsyncLoggingError` holding several).
 */
export function flush(): Promise<void> {
  return flushAllLoggers();
}

function logParamsOrTags(kind: 0 | 1, entries: readonly (readonly [string, unknown])[], options: LogOptions | undefined): LogResult {
  const run: ActiveRun = activeOrStartedRun();
  if (options?.synchronous ?? isSynchronousLogging()) {
    const items = entries.map(([key, value]) => ({ key, value: stringify(value) }));
    return run.logger.logBatchNow(run.queue, kind === 0 ? { params: items } : { tags: items });
  }
  for (const [key, value] of entries) run.queue.logParamOrTag(kind, key, stringify(value));
  return undefined;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
