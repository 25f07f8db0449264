/** The async logger: bounded per-run queues merged into `logBatch` calls, drained at exit. */
export { AsyncLogger, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_MAX_QUEUED_POINTS } from './async-logger.js';
export type { AsyncLoggerOptions } from './async-logger.js';
export { RunQueue } from './run-queue.js';
export type { MetricColumns, QueueOwner } from './run-queue.js';
export { AsyncLoggingError, FailureReporter, aggregateErrors, consoleReporter } from './failure-reporter.js';
export type { FailureReporterFn } from './failure-reporter.js';
export { paramTagBatches, chunkBatch, metricChunks } from './batching.js';
export type { PendingParamOrTag } from './batching.js';
export {
  ASYNC_LOGGING_ENV,
  asyncLoggerFor,
  configureAsyncLogging,
  setSynchronousLogging,
  isSynchronousLogging,
  flushAllLoggers,
  closeAllLoggers,
} from './config.js';
export { addShutdownParticipant, updateShutdownHooks, setShutdownTimeout, shutdownHooksInstalled } from './shutdown.js';
export type { ShutdownParticipant } from './shutdown.js';
