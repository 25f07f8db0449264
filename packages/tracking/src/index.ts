/**
 * @lablog/tracking — experiment tracking for TypeScript ML, speaking MLflow's interfaces.
 *
 * Layers, as MLflow's: the fluent API (module-level active run) → {@link TrackingClient}
 * (explicit ids) → stores ({@link TrackingStore}, {@link RegistryStore}) chosen by tracking URI.
 * Every export is listed by name.
 */

// Entities and wire types
export * from './entities/index.js';

// Errors and validation
export type { ErrorCode } from './errors.js';
export {
  ERROR_CODES,
  ERROR_CODE_TO_HTTP_STATUS,
  LablogError,
  isErrorCode,
  toLablogError,
  invalidParameter,
  resourceDoesNotExist,
  resourceAlreadyExists,
} from './errors.js';
export type { ValidationPolicy, ValidatedBatch } from './validation.js';
export {
  MAX_ENTITY_KEY_LENGTH,
  MAX_PARAM_VAL_LENGTH,
  MAX_TAG_VAL_LENGTH,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_EXPERIMENT_TAG_KEY_LENGTH,
  MAX_EXPERIMENT_TAG_VAL_LENGTH,
  MAX_MODEL_REGISTRY_TAG_KEY_LENGTH,
  MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH,
  MAX_REGISTERED_MODEL_ALIAS_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_ENTITIES_PER_BATCH,
  MAX_BATCH_LOG_REQUEST_SIZE,
  MAX_DATASETS_PER_BATCH,
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
  GET_METRIC_HISTORY_MAX_RESULTS,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  invalidValueMessage,
  missingValueMessage,
  invalidValue,
  missingValue,
  defaultValidationPolicy,
  posixNormpath,
  validateKey,
  validateMetric,
  validateParam,
  validateRunTag,
  validateBatch,
  paramChangedMessage,
  validateRunId,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateArtifactLocation,
  validateSearchMaxResults,
  validateDatasetInputs,
  validateRegisteredModelName,
  validateRegistryTag,
  validateModelVersion,
  validateAlias,
} from './validation.js';

// Reserved tags and run names
export {
  MLFLOW_RUN_NAME,
  MLFLOW_USER,
  MLFLOW_SOURCE_NAME,
  MLFLOW_SOURCE_TYPE,
  MLFLOW_GIT_COMMIT,
  MLFLOW_GIT_BRANCH,
  MLFLOW_GIT_REPO_URL,
  MLFLOW_PARENT_RUN_ID,
  MLFLOW_RUN_NOTE,
  MLFLOW_LOGGED_MODELS,
  MLFLOW_AUTOLOGGING,
  MLFLOW_DATASET_CONTEXT,
} from './tags.js';
export { generateRunName } from './run-name.js';

// Search grammar
export type { EntityType, Comparator, Comparison, OrderByClause } from './search/index.js';
export {
  encodePageToken,
  decodePageToken,
  pageOf,
  parseRunFilter,
  parseRunOrderBy,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  filterRuns,
  sortRuns,
  filterExperiments,
  sortExperiments,
  filterRegisteredModels,
  sortRegisteredModels,
  filterModelVersions,
  sortModelVersions,
  likeToRegExp,
} from './search/index.js';

// Stores
export type {
  TrackingStore,
  CreateRunArgs,
  UpdateRunArgs,
  LogBatchArgs,
  SearchRunsArgs,
  SearchExperimentsArgs,
  MetricHistoryArgs,
} from './store/tracking-store.js';
export type { RegistryStore, SearchRegistryArgs, CreateModelVersionArgs } from './store/registry-store.js';

// Artifacts
export { S3ArtifactRepository, s3OptionsFromEnv, parseS3Uri, createS3Client } from './artifacts/s3-artifact-repository.js';
export type { S3ArtifactRepositoryOptions, ArtifactDownload } from './artifacts/s3-artifact-repository.js';
export type { ArtifactRepository, ArtifactRepositoryFactory, ArtifactRepositoryContext } from './artifacts/index.js';
export { HttpArtifactRepository, httpArtifactRepositoryFactory, resolveMlflowArtifactsUri } from './artifacts/http-artifact-repository.js';
export {
  validateArtifactPath,
  resolveUnderRoot,
  LocalArtifactRepository,
  getArtifactRepository,
  registerArtifactRepository,
  fileUriToPath,
  pathToFileUri,
} from './artifacts/index.js';

// Datasets and Arrow
export type { DatasetFromArrowTableOptions, ArrowTableDataset, DatasetSource, ColSpec, ColSpecType } from './datasets/index.js';
export {
  datasetFromArrowTable,
  datasetInput,
  codeDatasetSource,
  computeArrowTableDigest,
  colSpecsFromArrowSchema,
} from './datasets/index.js';
export { runsToArrow, metricHistoryToArrow, metricHistoryFromArrow } from './arrow/index.js';

// Store implementations and the URI → store registry
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
export { FileStore } from './store/file/index.js';
export type { FileStoreOptions } from './store/file/index.js';
export { RestStore, HttpClient, restStoreFactory } from './store/rest/index.js';
export { PostgresStore } from './store/postgres/postgres-store.js';
export type { PostgresStoreOptions, PostgresDiagnostics } from './store/postgres/postgres-store.js';
export type { RestStoreOptions, RetryOptions, HttpAuth, HttpTransportOptions } from './store/rest/index.js';
export type { StorePair, StoreFactory, OpenStoreOptions } from './store/store-registry.js';
export {
  createStore,
  openStore,
  registerStoreScheme,
  isStoreSchemeRegistered,
  closeAllStores,
  defaultArtifactRootFor,
} from './store/store-registry.js';
export { isTrackingUriSet, defaultTrackingUri, TRACKING_URI_ENV } from './tracking-uri.js';

// The explicit client
export { TrackingClient, RegistryClient } from './client/index.js';
export type {
  ModelVersionNumber,
  CreateRegisteredModelOptions,
  RegistrySearchOptions,
  CreateModelVersionOptions,
  TransitionModelVersionStageOptions,
  RegisterModelOptions,
  CreateRunOptions,
  UpdateRunOptions,
  ClientLogMetricOptions,
  SearchRunsOptions,
  SearchExperimentsOptions,
  TagsInput,
} from './client/index.js';

// Python-compatible JSON text and the mlflow.log-model.history tag (runs/log-model)
export { PyFloat, pyJsonDumps, pythonFloatRepr, pythonJsonString } from './py-json.js';
export type { PyJsonValue } from './py-json.js';
export { LOGGED_MODEL_REQUIRED_KEYS, loggedModelEntry, appendLoggedModel } from './logged-model-history.js';

// Model URIs (runs:/, models:/ by version, stage, latest, alias)
export { parseModelUri, resolveModelVersion, isRegistryModelUri } from './model-uri.js';
export type { ParsedModelUri, RegistryModelUri, ModelVersionResolver } from './model-uri.js';

// The fluent API (active run per async context, non-blocking logging)
export * from './fluent.js';

// The async logger, for integrations that tune it
export {
  AsyncLogger,
  AsyncLoggingError,
  asyncLoggerFor,
  flushAllLoggers,
  setShutdownTimeout,
  ASYNC_LOGGING_ENV,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_QUEUED_POINTS,
} from './logging/index.js';
export type { AsyncLoggerOptions, FailureReporterFn } from './logging/index.js';

// Run context (default tags)
export { resolveTags, registerRunContextProvider, readGitInfo, inJupyterKernel } from './run-context/index.js';
export type { RunContextProvider, GitInfo } from './run-context/index.js';
