/**
 * The `meta.yaml` documents of the `mlruns` layout and their conversion to and from lablog's
 * entities. Writers produce exactly MLflow's key sets (ref §7.2, §7.3, §18); readers follow
 * MLflow's lenient rules: unknown keys ignored, an int `experiment_id` accepted, a missing
 * `status` read as RUNNING and a missing `lifecycle_stage` as active.
 */
import type { Experiment } from '../../entities/experiment.js';
import type { RunInfo } from '../../entities/run.js';
import type { Dataset } from '../../entities/dataset.js';
import type { InputTag } from '../../entities/tag.js';
import type { LifecycleStage, ModelStage, ModelVersionStatus } from '../../entities/enums.js';
import { RUN_STATUS_NUMBERS, SOURCE_TYPE_NUMBERS, runStatusFrom } from '../../entities/enums.js';
import type { YamlMap, YamlValue } from './yaml-io.js';

/** A value from YAML as a string; null/undefined stay undefined. */
export function yamlString(v: YamlValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object') return undefined;
  return String(v);
}

/** A value from YAML as a number (ints may have been kept as digit strings); undefined when absent. */
export function yamlNumber(v: YamlValue | undefined): number | undefined {
  if (v === null || v === undefined || typeof v === 'object' || typeof v === 'boolean') return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
}

function lifecycle(v: YamlValue | undefined): LifecycleStage {
  return v === 'deleted' ? 'deleted' : 'active';
}

// ---------------------------------------------------------------------------------------------
// Experiments

/**
 * Experiment `meta.yaml`. On creation MLflow writes the entity without `tags`; after a delete,
 * restore or rename it rewrites the whole entity, `tags` map included (`withTags`).
 */
export function experimentToMeta(e: Experiment, withTags = false): YamlMap {
  const meta: YamlMap = {
    artifact_location: e.artifactLocation,
    creation_time: e.creationTime,
    experiment_id: e.experimentId,
    last_update_time: e.lastUpdateTime,
    lifecycle_stage: e.lifecycleStage,
    name: e.name,
  };
  if (withTags) meta.tags = Object.fromEntries(e.tags.map((t) => [t.key, t.value]));
  return meta;
}

/** Experiment `meta.yaml` → experiment (tags come from `tags/`, not from here). */
export function experimentFromMeta(meta: YamlMap, tags: Experiment['tags']): Experiment {
  return {
    experimentId: yamlString(meta.experiment_id) ?? '',
    name: yamlString(meta.name) ?? '',
    artifactLocation: yamlString(meta.artifact_location) ?? '',
    lifecycleStage: lifecycle(meta.lifecycle_stage),
    lastUpdateTime: yamlNumber(meta.last_update_time) ?? yamlNumber(meta.creation_time) ?? 0,
    creationTime: yamlNumber(meta.creation_time) ?? 0,
    tags,
  };
}

// ---------------------------------------------------------------------------------------------
// Runs

/**
 * Run `meta.yaml` (`_make_persisted_run_info_dict`): the RunInfo fields plus the legacy
 * `run_uuid`, `tags: []`, `source_type: 4`, `source_name`, `entry_point_name`,
 * `source_version`, with `status` as an integer. `deletedTime` is written when given: `null` on
 * creation, the deletion time on delete; other rewrites leave the key out, as MLflow does.
 */
export function runInfoToMeta(info: RunInfo, deletedTime?: number | null): YamlMap {
  const meta: YamlMap = {
    artifact_uri: info.artifactUri,
    end_time: info.endTime,
    entry_point_name: '',
    experiment_id: info.experimentId,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
    run_name: info.runName,
    run_uuid: info.runId,
    source_name: '',
    source_type: SOURCE_TYPE_NUMBERS.LOCAL,
    source_version: '',
    start_time: info.startTime,
    status: RUN_STATUS_NUMBERS[info.status],
    tags: [],
    user_id: info.userId,
  };
  if (deletedTime !== undefined) meta.deleted_time = deletedTime;
  return meta;
}

/** Run `meta.yaml` → run info; undefined when the document has no run id. */
export function runInfoFromMeta(meta: YamlMap): RunInfo | undefined {
  const runId = yamlString(meta.run_id) ?? yamlString(meta.run_uuid);
  if (!runId) return undefined;
  const end = yamlNumber(meta.end_time);
  return {
    runId,
    experimentId: yamlString(meta.experiment_id) ?? '',
    runName: yamlString(meta.run_name) ?? '',
    userId: yamlString(meta.user_id) ?? '',
    status: meta.status === undefined || meta.status === null ? 'RUNNING' : runStatusFrom(meta.status) ?? 'RUNNING',
    startTime: yamlNumber(meta.start_time) ?? 0,
    endTime: end === undefined ? null : end,
    artifactUri: yamlString(meta.artifact_uri) ?? '',
    lifecycleStage: lifecycle(meta.lifecycle_stage),
  };
}

// ---------------------------------------------------------------------------------------------
// Datasets and inputs

/** Dataset `meta.yaml` (`dict(dataset)`): digest, name, profile, schema, source, source_type. */
export function datasetToMeta(d: Dataset): YamlMap {
  return {
    digest: d.digest,
    name: d.name,
    profile: d.profile ?? null,
    schema: d.schema ?? null,
    source: d.source,
    source_type: d.sourceType,
  };
}

/** Dataset `meta.yaml` → dataset. */
export function datasetFromMeta(meta: YamlMap): Dataset {
  const d: { -readonly [K in keyof Dataset]: Dataset[K] } = {
    name: yamlString(meta.name) ?? '',
    digest: yamlString(meta.digest) ?? '',
    sourceType: yamlString(meta.source_type) ?? '',
    source: yamlString(meta.source) ?? '',
  };
  const schema = yamlString(meta.schema);
  const profile = yamlString(meta.profile);
  if (schema !== undefined) d.schema = schema;
  if (profile !== undefined) d.profile = profile;
  return d;
}

/**
 * Run-input `meta.yaml` for a dataset. `destination_id` repeats the dataset id instead of the
 * run id: MLflow's `_FileStoreInput.write_yaml` does so (an upstream quirk kept for
 * byte-compatibility); no reader relies on the field.
 */
export function datasetInputToMeta(datasetId: string, tags: readonly InputTag[]): YamlMap {
  return {
    destination_id: datasetId,
    destination_type: 'RUN',
    source_id: datasetId,
    source_type: 'DATASET',
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
}

// ---------------------------------------------------------------------------------------------
// Registry

/** What the registry keeps in a registered model's `meta.yaml`. */
export interface RegisteredModelMeta {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  /** alias → version, as read from `aliases/`. */
  aliases: Record<string, string>;
}

/** Registered model `meta.yaml`: the entity minus tags and latest_versions (MLflow 3 key set). */
export function registeredModelToMeta(m: RegisteredModelMeta): YamlMap {
  return {
    aliases: { ...m.aliases },
    creation_timestamp: m.creationTimestamp,
    deployment_job_id: null,
    deployment_job_state: null,
    description: m.description,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    name: m.name,
  };
}

/** Registered model `meta.yaml` → its fields (aliases are re-read from `aliases/` by the caller). */
export function registeredModelFromMeta(meta: YamlMap, dirName: string): RegisteredModelMeta {
  return {
    name: yamlString(meta.name) ?? dirName,
    creationTimestamp: yamlNumber(meta.creation_timestamp) ?? 0,
    lastUpdatedTimestamp: yamlNumber(meta.last_updated_timestamp) ?? yamlNumber(meta.creation_timestamp) ?? 0,
    description: yamlString(meta.description) ?? null,
    aliases: {},
  };
}

/** The stage MLflow gives a soft-deleted model version. */
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';

/** What the registry keeps in a model version's `meta.yaml`. */
export interface ModelVersionMeta {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  currentStage: ModelStage | typeof STAGE_DELETED_INTERNAL;
  description: string | null;
  source: string;
  storageLocation: string | null;
  runId: string | null;
  runLink: string | null;
  userId: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  /** Alias names pointing here when the file was last written (readers use `aliases/`). */
  aliases: string[];
}

/** Model version `meta.yaml` (`dict(FileModelVersion)` minus tags; MLflow 3 key set). */
export function modelVersionToMeta(v: ModelVersionMeta): YamlMap {
  return {
    aliases: [...v.aliases],
    creation_timestamp: v.creationTimestamp,
    current_stage: v.currentStage,
    deployment_job_state: null,
    description: v.description,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    model_id: null,
    name: v.name,
    run_id: v.runId,
    run_link: v.runLink,
    source: v.source,
    status: v.status,
    status_message: v.statusMessage,
    storage_location: v.storageLocation,
    user_id: v.userId,
    version: v.version,
  };
}

/** Model version `meta.yaml` → its fields. */
export function modelVersionFromMeta(meta: YamlMap, name: string, version: number): ModelVersionMeta {
  const status = yamlString(meta.status);
  return {
    name: yamlString(meta.name) ?? name,
    version: yamlNumber(meta.version) ?? version,
    creationTimestamp: yamlNumber(meta.creation_timestamp) ?? 0,
    lastUpdatedTimestamp: yamlNumber(meta.last_updated_timestamp) ?? yamlNumber(meta.creation_timestamp) ?? 0,
    currentStage: (yamlString(meta.current_stage) ?? 'None') as ModelVersionMeta['currentStage'],
    description: yamlString(meta.description) ?? null,
    source: yamlString(meta.source) ?? '',
    storageLocation: yamlString(meta.storage_location) ?? null,
    runId: yamlString(meta.run_id) ?? null,
    runLink: yamlString(meta.run_link) ?? null,
    userId: yamlString(meta.user_id) ?? null,
    status: status === 'PENDING_REGISTRATION' || status === 'FAILED_REGISTRATION' ? status : 'READY',
    statusMessage: yamlString(meta.status_message) ?? null,
    aliases: Array.isArray(meta.aliases) ? meta.aliases.map((a) => String(a)) : [],
  };
}
