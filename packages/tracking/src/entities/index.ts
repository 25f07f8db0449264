export type { RunStatus, ViewType, SourceType, LifecycleStage, ModelStage, ModelVersionStatus } from './enums.js';
export {
  RUN_STATUSES,
  RUN_STATUS_NUMBERS,
  isTerminated,
  isRunStatus,
  runStatusFrom,
  VIEW_TYPES,
  viewTypeFrom,
  SOURCE_TYPE_NUMBERS,
  MODEL_STAGES,
  modelStageFrom,
} from './enums.js';
export type { Tag, RunTag, ExperimentTag, InputTag, RegisteredModelTag, ModelVersionTag } from './tag.js';
export { tagsFromRecord, tagsToRecord } from './tag.js';
export type { Param } from './param.js';
export type { Metric, MetricJSON } from './metric.js';
export { metricToJSON, metricFromJSON, compareMetricRecency } from './metric.js';
export type { WireDouble } from './wire-double.js';
export { wireDouble, readWireDouble } from './wire-double.js';
export type { Experiment, ExperimentJSON } from './experiment.js';
export {
  experimentToJSON,
  experimentFromJSON,
  isExperiment,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
} from './experiment.js';
export type { Dataset, DatasetInput, DatasetJSON, DatasetInputJSON } from './dataset.js';
export { datasetToJSON, datasetFromJSON, datasetInputToJSON, datasetInputFromJSON } from './dataset.js';
export type { Run, RunInfo, RunData, RunInputs, RunJSON, RunInfoJSON } from './run.js';
export { runToJSON, runFromJSON, runInfoToJSON, runInfoFromJSON, isRun } from './run.js';
export type { FileInfo, FileInfoJSON } from './file-info.js';
export { fileInfoToJSON, fileInfoFromJSON } from './file-info.js';
export type { PagedList } from './paged-list.js';
export type { ModelVersion, ModelVersionJSON } from './model-version.js';
export { modelVersionToJSON, modelVersionFromJSON } from './model-version.js';
export type { RegisteredModel, RegisteredModelAlias, RegisteredModelJSON } from './registered-model.js';
export { registeredModelToJSON, registeredModelFromJSON } from './registered-model.js';
