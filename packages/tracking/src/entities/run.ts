import type { LifecycleStage, RunStatus } from './enums.js';
import { runStatusFrom } from './enums.js';
import type { Metric, MetricJSON } from './metric.js';
import { metricFromJSON, metricToJSON } from './metric.js';
import type { Param } from './param.js';
import type { RunTag } from './tag.js';
import type { DatasetInput, DatasetInputJSON } from './dataset.js';
import { datasetInputFromJSON, datasetInputToJSON } from './dataset.js';

/** Metadata of a run. */
export interface RunInfo {
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  readonly userId: string;
  readonly status: RunStatus;
  /** Milliseconds since the epoch. */
  readonly startTime: number;
  /** Milliseconds since the epoch; null while the run has not ended. */
  readonly endTime: number | null;
  readonly artifactUri: string;
  readonly lifecycleStage: LifecycleStage;
}

/** What a run logged: the latest value of each metric, params, tags. */
export interface RunData {
  /** The latest point of each metric key (max of step, timestamp, value). */
  readonly metrics: readonly Metric[];
  readonly params: readonly Param[];
  readonly tags: readonly RunTag[];
}

/** What a run consumed. */
export interface RunInputs {
  readonly datasetInputs: readonly DatasetInput[];
}

/** A run: info, data and inputs, as MLflow's `Run` message. */
export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
  readonly inputs: RunInputs;
}

/** MLflow's JSON for run info. */
export interface RunInfoJSON {
  run_uuid: string;
  experiment_id: string;
  run_name: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
  run_id: string;
}

/** MLflow's JSON for a run. */
export interface RunJSON {
  info: RunInfoJSON;
  data: { metrics?: MetricJSON[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
  inputs: { dataset_inputs?: DatasetInputJSON[] };
  outputs?: Record<string, unknown>;
}

/** Run info → MLflow JSON (`end_time` omitted while unset or 0). */
export function runInfoToJSON(i: RunInfo): RunInfoJSON {
  const out: RunInfoJSON = {
    run_uuid: i.runId,
    experiment_id: i.experimentId,
    run_name: i.runName,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
    run_id: i.runId,
  };
  if (i.endTime) out.end_time = i.endTime;
  return out;
}

/** MLflow JSON → run info. */
export function runInfoFromJSON(j: Partial<RunInfoJSON>): RunInfo {
  const id = j.run_id ?? j.run_uuid ?? '';
  return {
    runId: id,
    experimentId: String(j.experiment_id ?? ''),
    runName: j.run_name ?? '',
    userId: j.user_id ?? '',
    status: runStatusFrom(j.status) ?? 'RUNNING',
    startTime: Number(j.start_time ?? 0),
    endTime: j.end_time ? Number(j.end_time) : null,
    artifactUri: j.artifact_uri ?? '',
    lifecycleStage: j.lifecycle_stage ?? 'active',
  };
}

/** Run → MLflow JSON (empty lists omitted, `inputs` and `outputs` as `{}` when empty). */
export function runToJSON(r: Run): RunJSON {
  const data: RunJSON['data'] = {};
  if (r.data.metrics.length > 0) data.metrics = r.data.metrics.map(metricToJSON);
  if (r.data.params.length > 0) data.params = r.data.params.map((p) => ({ key: p.key, value: p.value }));
  if (r.data.tags.length > 0) data.tags = r.data.tags.map((t) => ({ key: t.key, value: t.value }));
  const inputs: RunJSON['inputs'] = {};
  if (r.inputs.datasetInputs.length > 0) inputs.dataset_inputs = r.inputs.datasetInputs.map(datasetInputToJSON);
  return { info: runInfoToJSON(r.info), data, inputs, outputs: {} };
}

/** MLflow JSON → run. */
export function runFromJSON(j: RunJSON): Run {
  return {
    info: runInfoFromJSON(j.info),
    data: {
      metrics: (j.data?.metrics ?? []).map(metricFromJSON),
      params: (j.data?.params ?? []).map((p) => ({ key: p.key, value: p.value ?? '' })),
      tags: (j.data?.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
    },
    inputs: { datasetInputs: (j.inputs?.dataset_inputs ?? []).map(datasetInputFromJSON) },
  };
}

/** Type guard: looks like a {@link Run}. */
export function isRun(x: unknown): x is Run {
  return typeof x === 'object' && x !== null && 'info' in x && 'data' in x;
}
