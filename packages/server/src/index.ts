/**
 * @lablog/server: the MLflow-compatible REST server (`lablog server`), and the `lablog` command
 * line. Model serving (`lablog models serve`) arrives with the models issue.
 */
export { buildApp, lablogApp, MLFLOW_API_PREFIXES, DEFAULT_BODY_LIMIT } from './app.js';
export type { BuildAppOptions, LablogAppOptions } from './app.js';
export { startServer } from './server.js';
export type { StartServerOptions, RunningServer } from './server.js';
export { openBackendStore } from './backend-store.js';
export type { BackendStoreOptions, BackendStores } from './backend-store.js';
export { LABLOG_VERSION } from './version.js';
export { buildProgram, runCli, consoleIO } from './cli/program.js';
export type { CliIO, GlobalOptions } from './cli/program.js';
export { formatTable, formatTime, formatDuration } from './cli/table.js';
export type { TableOptions } from './cli/table.js';
