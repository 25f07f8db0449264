/**
 * Argument checks of the store operations, one per operation, shared by the stores that
 * validate in their facade (SQLite, PostgreSQL) and, where the checks are the same, by the file
 * store. Each throws the MLflow error of the first bad argument and returns the values the
 * store goes on with (validated tags, the batch, a numeric version…).
 */
import type { ExperimentTag, ModelVersionTag, RegisteredModelTag, Tag } from '../entities/tag.js';
import type { DatasetInput } from '../entities/dataset.js';
import { MODEL_STAGES, isRunStatus, modelStageFrom, type ModelStage } from '../entities/enums.js';
import { invalidParameter, type LablogError } from '../errors.js';
import {
  invalidValue,
  missingValue,
  validateAlias,
  validateArtifactLocation,
  validateBatch,
  validateDatasetInputs,
  validateExperimentId,
  validateExperimentName,
  validateExperimentTag,
  validateKey,
  validateModelVersion,
  validateRegisteredModelName,
  validateRegistryTag,
  validateRunId,
  validateRunTag,
  type ValidatedBatch,
  type ValidationPolicy,
} from '../validation.js';
import { loggedModelEntry } from '../logged-model-history.js';
import type { PyJsonValue } from '../py-json.js';
import type { CreateRunArgs, LogBatchArgs, UpdateRunArgs } from './tracking-store.js';
import type { CreateModelVersionArgs } from './registry-store.js';

// ---- experiments -----------------------------------------------------------------------------

/** createExperiment: the location to store (`undefined` for none or empty). */
export function checkCreateExperiment(name: string, artifactLocation: string | undefined, tags: readonly ExperimentTag[]): string | undefined {
  validateExperimentName(name);
  if (artifactLocation) validateArtifactLocation(artifactLocation);
  tags.forEach(validateExperimentTag);
  return artifactLocation || undefined;
}

/** getExperiment, deleteExperiment, restoreExperiment, deleteExperimentTag. */
export function checkExperimentId(experimentId: string): void {
  validateExperimentId(experimentId);
}

/** renameExperiment. */
export function checkRenameExperiment(experimentId: string, newName: string): void {
  validateExperimentId(experimentId);
  validateExperimentName(newName);
}

/** setExperimentTag. */
export function checkSetExperimentTag(experimentId: string, tag: ExperimentTag): void {
  validateExperimentId(experimentId);
  validateExperimentTag(tag);
}

// ---- runs ------------------------------------------------------------------------------------

/** createRun: the run's tags, validated (over-long values handled by `policy`). */
export function checkCreateRun(args: CreateRunArgs, policy: ValidationPolicy): Tag[] {
  validateExperimentId(args.experimentId);
  return (args.tags ?? []).map((t, i) => validateRunTag(t, policy, `tags[${i}]`));
}

/** getRun, deleteRun, restoreRun. */
export function checkRunId(runId: string): void {
  validateRunId(runId);
}

/** updateRunInfo. */
export function checkUpdateRunInfo(runId: string, args: UpdateRunArgs): void {
  validateRunId(runId);
  if (args.status !== undefined && !isRunStatus(args.status)) throw invalidValue('status', args.status);
  if (args.endTime !== undefined && args.endTime !== null && !Number.isInteger(args.endTime)) throw invalidValue('end_time', args.endTime);
}

/** logBatch: the validated batch. */
export function checkLogBatch(runId: string, batch: LogBatchArgs, policy: ValidationPolicy): ValidatedBatch {
  validateRunId(runId);
  return validateBatch(batch, policy);
}

/** deleteTag. */
export function checkDeleteTag(runId: string, key: string): void {
  validateRunId(runId);
  validateKey(key, 'tag');
}

/** recordLoggedModel: the model's `mlflow.log-model.history` entry. */
export function checkRecordLoggedModel(runId: string, modelJson: string): Record<string, PyJsonValue> {
  validateRunId(runId);
  return loggedModelEntry(runId, modelJson);
}

/** logInputs. */
export function checkLogInputs(runId: string, datasets: readonly DatasetInput[]): void {
  validateRunId(runId);
  validateDatasetInputs(datasets);
}

/** getMetricHistory. */
export function checkGetMetricHistory(runId: string, metricKey: string): void {
  validateRunId(runId);
  if (metricKey === undefined || metricKey === null || metricKey === '') throw missingValue('metric_key');
}

// ---- registry --------------------------------------------------------------------------------

/** getRegisteredModel, updateRegisteredModel, deleteRegisteredModel, getLatestVersions. */
export function checkRegisteredModelName(name: string): void {
  validateRegisteredModelName(name);
}

/** INVALID_PARAMETER_VALUE for a stage name that is not one of {@link MODEL_STAGES}. */
export function invalidStage(s: string): LablogError {
  return invalidParameter(`Invalid Model Version stage: ${s}. Value must be one of ${MODEL_STAGES.join(', ')}.`);
}

/** Canonical stage names for `getLatestVersions`, INVALID_PARAMETER_VALUE for an unknown one. */
export function canonicalStages(stages: readonly string[] | undefined): ModelStage[] {
  if (!stages || stages.length === 0) return [...MODEL_STAGES];
  return stages.map((s) => {
    const stage = modelStageFrom(s);
    if (!stage) throw invalidStage(s);
    return stage;
  });
}

/** getLatestVersions: the canonical stages wanted (all when none given). */
export function checkGetLatestVersions(name: string, stages: readonly string[] | undefined): ModelStage[] {
  validateRegisteredModelName(name);
  return canonicalStages(stages);
}

/** createRegisteredModel. */
export function checkCreateRegisteredModel(name: string, tags: readonly RegisteredModelTag[]): void {
  validateRegisteredModelName(name);
  tags.forEach(validateRegistryTag);
}

/** renameRegisteredModel. */
export function checkRenameRegisteredModel(name: string, newName: string): void {
  validateRegisteredModelName(name);
  validateRegisteredModelName(newName, 'new_name');
}

/** setRegisteredModelTag. */
export function checkSetRegisteredModelTag(name: string, tag: RegisteredModelTag): void {
  validateRegisteredModelName(name);
  validateRegistryTag(tag);
}

/** deleteRegisteredModelTag (and the name and key of deleteModelVersionTag). */
export function checkDeleteRegistryTag(name: string, key: string): void {
  validateRegisteredModelName(name);
  validateKey(key, 'tag');
}

/** createModelVersion. */
export function checkCreateModelVersion(args: CreateModelVersionArgs): void {
  validateRegisteredModelName(args.name);
  if (typeof args.source !== 'string' || args.source === '') throw missingValue('source');
  if (args.runId) validateRunId(args.runId);
  (args.tags ?? []).forEach(validateRegistryTag);
}

/** getModelVersion, updateModelVersion, deleteModelVersion, transitionModelVersionStage: the version number. */
export function checkModelVersion(name: string, version: string): number {
  validateRegisteredModelName(name);
  return validateModelVersion(version);
}

/** setModelVersionTag: the version number. */
export function checkSetModelVersionTag(name: string, version: string, tag: ModelVersionTag): number {
  validateRegisteredModelName(name);
  validateRegistryTag(tag);
  return validateModelVersion(version);
}

/** deleteModelVersionTag: the version number. */
export function checkDeleteModelVersionTag(name: string, version: string, key: string): number {
  checkDeleteRegistryTag(name, key);
  return validateModelVersion(version);
}

/** setRegisteredModelAlias: the version number. */
export function checkSetRegisteredModelAlias(name: string, alias: string, version: string): number {
  validateRegisteredModelName(name);
  validateAlias(alias);
  return validateModelVersion(version);
}

/** deleteRegisteredModelAlias. */
export function checkDeleteRegisteredModelAlias(name: string, alias: string): void {
  validateRegisteredModelName(name);
  validateAlias(alias);
}

/** getModelVersionByAlias. */
export function checkGetModelVersionByAlias(name: string, alias: string): void {
  validateRegisteredModelName(name);
  if (typeof alias !== 'string' || alias === '') throw missingValue('alias');
}
