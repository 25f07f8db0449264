/** Datasets from Arrow tables, described as MLflow describes DataFrames (`mlflow.data`). */
export type { DatasetFromArrowTableOptions, ArrowTableDataset } from './dataset-from-arrow-table.js';
export { datasetFromArrowTable, DEFAULT_DATASET_NAME } from './dataset-from-arrow-table.js';
export { datasetInput } from './dataset-input.js';
export type { DatasetSource } from './dataset-source.js';
export { codeDatasetSource } from './dataset-source.js';
export { computeArrowTableDigest, DIGEST_MAX_ROWS, DIGEST_LENGTH } from './arrow-table-digest.js';
export type { ColSpec, ColSpecType } from './arrow-colspec.js';
export { colSpecTypeOf, colSpecFromArrowField, colSpecsFromArrowSchema } from './arrow-colspec.js';
export type { PythonJsonValue } from './python-json.js';
export { pythonJsonDumps } from './python-json.js';
