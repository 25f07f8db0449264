/**
 * The scoring server (`lablog models serve`): MLflow's pyfunc scoring protocol over Fastify,
 * with Arrow IPC and micro-batching added. Re-exported by name from the package's index.
 */
export { buildScoringApp, defaultRequestTimeoutMs, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_WAIT_MS, DEFAULT_SCORING_BODY_LIMIT } from './app.js';
export type { ScoringApp, ScoringAppOptions } from './app.js';
export { startScoringServer, loadScoringModel, workerEntryPath, WORKER_OPTIONS_ENV } from './server.js';
export type { StartScoringServerOptions, RunningScoringServer } from './server.js';
export { MicroBatcher, batchKey, concatTensors } from './batcher.js';
export type { MicroBatcherOptions, MicroBatcherStats } from './batcher.js';
export { batchPredict, parseBody, payloadRows, slicePayload } from './batch-predict.js';
export type { BatchPredictOptions } from './batch-predict.js';
export {
  payloadFormatOf,
  wantsArrow,
  CONTENT_TYPE_JSON,
  CONTENT_TYPE_CSV,
  CONTENT_TYPE_ARROW_STREAM,
  CONTENT_TYPE_ARROW_FILE,
} from './content-type.js';
export type { PayloadFormat } from './content-type.js';
export { parseJsonRequest, parseCsvRequest, parseArrowRequest } from './payload.js';
export type { ParsedRequest, Payload, Frame } from './payload.js';
export { toModelInput, COLSPEC_DTYPE } from './convert.js';
export { predictionsJson, predictionsLayout, predictionsArrow, tensorJson } from './predictions.js';
export type { PredictionsLayout } from './predictions.js';
export { parseCsv } from './csv.js';
export type { CsvTable } from './csv.js';
export { UnsupportedContentType, REQUIRED_INPUT_FORMAT, SCORING_PROTOCOL_CHANGE_INFO, REQUEST_TIMEOUT_MESSAGE, INPUT_KEYS } from './errors.js';
export type { InputKey } from './errors.js';
