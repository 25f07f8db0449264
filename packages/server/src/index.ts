/**
 * @lablog/server: the MLflow-compatible REST server (`lablog server`), and the `lablog` command
 * line, and model serving (`lablog models serve`, `lablog models predict`).
 */
export { buildApp, lablogApp, MLFLOW_API_PREFIXES, DEFAULT_BODY_LIMIT } from './app.js';
export type { BuildAppOptions, LablogAppOptions } from './app.js';
export { startServer } from './server.js';
export type { StartServerOptions, RunningServer } from './server.js';
export { openBackendStore } from './backend-store.js';
export type { BackendStoreOptions, BackendStores } from './backend-store.js';
export { LABLOG_VERSION } from './version.js';

// Basic auth (users, permissions, one default-deny route table)
export {
  authPlugin,
  ROUTE_PERMISSIONS,
  ruleFor,
  routesMissingPermissions,
  SqliteAuthStore,
  PERMISSION_NAMES,
  ADMIN_USERNAME_ENV,
  ADMIN_PASSWORD_ENV,
  defaultAuthDbUri,
  authOptionsForServer,
} from './plugins/auth/index.js';
export type { AuthOptions, RouteRule, AuthStore, AuthUser, PermissionName } from './plugins/auth/index.js';
export { buildProgram, runCli, consoleIO } from './cli/program.js';
export type { CliIO, GlobalOptions } from './cli/program.js';
export { formatTable, formatTime, formatDuration } from './cli/table.js';
export type { TableOptions } from './cli/table.js';

// Model serving (MLflow's scoring protocol) and batch scoring
export {
  buildScoringApp,
  startScoringServer,
  loadScoringModel,
  MicroBatcher,
  batchPredict,
  parseBody,
  payloadFormatOf,
  parseJsonRequest,
  parseCsvRequest,
  parseArrowRequest,
  toModelInput,
  predictionsJson,
  predictionsLayout,
  predictionsArrow,
  parseCsv,
  defaultRequestTimeoutMs,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_BATCH_WAIT_MS,
  DEFAULT_SCORING_BODY_LIMIT,
  CONTENT_TYPE_ARROW_STREAM,
} from './serving/index.js';
export type {
  ScoringApp,
  ScoringAppOptions,
  StartScoringServerOptions,
  RunningScoringServer,
  MicroBatcherOptions,
  MicroBatcherStats,
  BatchPredictOptions,
  PayloadFormat,
  ParsedRequest,
  Payload,
  Frame,
  PredictionsLayout,
} from './serving/index.js';
export { addModelsCommand } from './cli/commands/models.js';
export type { ModelsCommandDeps } from './cli/commands/models.js';
