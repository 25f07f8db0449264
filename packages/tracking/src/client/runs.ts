import type { Run, RunInfo } from '../entities/run.js';
import type { RunStatus } from '../entities/enums.js';
import type { Metric } from '../entities/metric.js';
import type { Param } from '../entities/param.js';
import type { RunTag } from '../entities/tag.js';
import type { DatasetInput } from '../entities/dataset.js';
import { MLFLOW_USER } from '../tags.js';
import { PyFloat } from '../py-json.js';
import { chunkBatch } from '../logging/batching.js';
import { tagList, type TagsInput } from './client-base.js';
import { ExperimentsClient } from './experiments.js';

/** Options of {@link RunsClient.createRun}. */
export interface CreateRunOptions {
  /** Generated (`<adjective>-<noun>-<n>`) when absent. */
  runName?: string;
  tags?: TagsInput;
  /** Milliseconds since the epoch; default now. */
  startTime?: number;
}

/** Options of {@link RunsClient.updateRun}. */
export interface UpdateRunOptions {
  status?: RunStatus;
  runName?: string;
  endTime?: number;
}

/** Options of {@link RunsClient.logMetric}. */
export interface ClientLogMetricOptions {
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
  /** Default 0. */
  step?: number;
}

/** Run lifecycle and synchronous logging calls of {@link TrackingClient}. */
export class RunsClient extends ExperimentsClient {
  /**
   * Creates a run in RUNNING state. Its user is the `mlflow.user` tag, or `"unknown"` (as
   * MLflow's client); the fluent API adds the context tags.
   */
  createRun(experimentId: string, options: CreateRunOptions = {}): Promise<Run> {
    const tags = tagList(options.tags);
    return this.store.createRun({
      experimentId,
      userId: tags.find((t) => t.key === MLFLOW_USER)?.value ?? 'unknown',
      startTime: options.startTime ?? Date.now(),
      tags,
      runName: options.runName,
    });
  }

  /** The run with its latest metrics, params, tags and inputs; RESOURCE_DOES_NOT_EXIST when absent. */
  getRun(runId: string): Promise<Run> {
    return this.store.getRun(runId);
  }

  /** Changes status, name or end time; absent fields stay. */
  updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    return this.store.updateRunInfo(runId, options);
  }

  /** Ends a run: `status` (default FINISHED) and `endTime` (default now). */
  setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime: number = Date.now()): Promise<RunInfo> {
    return this.store.updateRunInfo(runId, { status, endTime });
  }

  /** Soft-deletes a run. */
  deleteRun(runId: string): Promise<void> {
    return this.store.deleteRun(runId);
  }

  /** Restores a deleted run. */
  restoreRun(runId: string): Promise<void> {
    return this.store.restoreRun(runId);
  }

  /** Logs one metric point (a one-item `logBatch`). */
  logMetric(runId: string, key: string, value: number, options: ClientLogMetricOptions = {}): Promise<void> {
    const metric: Metric = { key, value, timestamp: options.timestamp ?? Date.now(), step: options.step ?? 0 };
    return this.store.logBatch(runId, { metrics: [metric] });
  }

  /** Logs one param (write-once) and returns its value. */
  async logParam(runId: string, key: string, value: string | number | boolean): Promise<string> {
    const text = String(value);
    await this.store.logBatch(runId, { params: [{ key, value: text }] });
    return text;
  }

  /**
   * Records a logged model in the run's `mlflow.log-model.history` tag (MLflow's
   * `record_logged_model`): `mlmodel` is the model's MLmodel dictionary (snake_case keys, as
   * written to the MLmodel file), sent as JSON; the store drops each flavor's `config`.
   * @throws LablogError INVALID_PARAMETER_VALUE when a mandatory key (`artifact_path`, `flavors`,
   *   `utc_time_created`, `run_id`) is missing or `run_id` is not `runId`.
   */
  recordLoggedModel(runId: string, mlmodel: Readonly<Record<string, unknown>>): Promise<void> {
    const json = JSON.stringify(mlmodel, (_key, value: unknown) => (value instanceof PyFloat ? value.value : value));
    return this.store.recordLoggedModel(runId, json);
  }

  /** Sets (overwrites) one run tag. */
  setTag(runId: string, key: string, value: string | number | boolean): Promise<void> {
    return this.store.logBatch(runId, { tags: [{ key, value: String(value) }] });
  }

  /**
   * Logs metrics, params and tags. A batch within MLflow's limits is one atomic store call;
   * a larger one is split as MLflow's client splits it (params and tags first).
   */
  async logBatch(runId: string, batch: { metrics?: readonly Metric[]; params?: readonly Param[]; tags?: readonly RunTag[] }): Promise<void> {
    for (const b of chunkBatch(batch)) await this.store.logBatch(runId, b);
  }

  /** Deletes a run tag; RESOURCE_DOES_NOT_EXIST when absent. */
  deleteTag(runId: string, key: string): Promise<void> {
    return this.store.deleteTag(runId, key);
  }

  /** Records datasets the run consumed (deduplicated per name and digest). */
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    return this.store.logInputs(runId, datasets);
  }
}
