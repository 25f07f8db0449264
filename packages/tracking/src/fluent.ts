/**
 * The fluent API (MLflow's `mlflow.*` functions): module-level state for the active run of each
 * async context, on top of {@link TrackingClient} and the async logger.
 *
 * ```ts
 * import { setExperiment, withRun, logParams, logMetric } from '@lablog/tracking';
 * await setExperiment('mnist');
 * await withRun(async () => {
 *   logParams({ lr: 0.01, epochs: 10 });
 *   for (let epoch = 0; epoch < 10; epoch++) logMetric('loss', await trainEpoch(), { step: epoch });
 * }); // ends FINISHED (FAILED if trainEpoch throws), after writing everything queued
 * ```
 *
 * The implementation lives in `./fluent/`: state.ts (stacks, clients), runs.ts (lifecycle),
 * log.ts (metrics, params, tags), artifacts.ts (artifacts, inputs), search.ts (reads),
 * registry.ts (registerModel and the registry searches).
 */
export { setTrackingUri, getTrackingUri } from './tracking-uri.js';
export { ActiveRun } from './fluent/active-run.js';
export {
  setExperiment,
  startRun,
  endRun,
  withRun,
  activeRun,
  lastActiveRun,
  EXPERIMENT_NAME_ENV,
  EXPERIMENT_ID_ENV,
  RUN_ID_ENV,
} from './fluent/runs.js';
export type { StartRunOptions } from './fluent/runs.js';
export { logMetric, logMetrics, logParam, logParams, setTag, setTags, deleteTag, flush } from './fluent/log.js';
export type { LogResult, LogOptions, LogMetricOptions } from './fluent/log.js';
export { logArtifact, logArtifacts, logText, logDict, listArtifacts, logInput } from './fluent/artifacts.js';
export type { LogInputOptions } from './fluent/artifacts.js';
export { getRun, getMetricHistory, searchRuns, FLUENT_SEARCH_MAX_RESULTS } from './fluent/search.js';
export type { FluentSearchRunsOptions } from './fluent/search.js';
export { registerModel, searchRegisteredModels, searchModelVersions } from './fluent/registry.js';
export { setSynchronousLogging, isSynchronousLogging, configureAsyncLogging } from './logging/config.js';
