/** The file store: MLflow's `mlruns` layout, read and written exactly (ref §7). */
export { FileStore } from './file-store.js';
export type { FileStoreOptions } from './file-store.js';
export { pythonFloatRepr, parsePythonFloat, formatMetricLine, parseMetricLine, parseMetricFile } from './metric-file.js';
export { stringifyPyYaml, parsePyYaml } from './yaml-io.js';
export type { YamlValue, YamlMap } from './yaml-io.js';
export { datasetId, inputId } from './runs.js';
export { generateExperimentId } from './experiments.js';
