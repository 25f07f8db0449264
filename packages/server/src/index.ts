/**
 * @lablog/server: today the `lablog` command line (experiments and runs); the MLflow-compatible
 * REST server and `lablog models serve` arrive with the server and models issues.
 */
export { buildProgram, runCli, consoleIO } from './cli/program.js';
export type { CliIO, GlobalOptions } from './cli/program.js';
export { formatTable, formatTime, formatDuration } from './cli/table.js';
export type { TableOptions } from './cli/table.js';
