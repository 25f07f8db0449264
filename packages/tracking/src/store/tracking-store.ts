import type { Experiment } from '../entities/experiment.js';
import type { Run, RunInfo } from '../entities/run.js';
import type { Metric } from '../entities/metric.js';
import type { Param } from '../entities/param.js';
import type { RunTag, ExperimentTag } from '../entities/tag.js';
import type { DatasetInput } from '../entities/dataset.js';
import type { RunStatus, ViewType } from '../entities/enums.js';
import type { PagedList } from '../entities/paged-list.js';

/** Arguments of {@link TrackingStore.createRun}. */
export interface CreateRunArgs {
  experimentId: string;
  userId: string;
  /** Milliseconds since the epoch. */
  startTime: number;
  tags: readonly RunTag[];
  /** Generated when absent (`<adjective>-<noun>-<n>`); also stored as the `mlflow.runName` tag. */
  runName?: string;
}

/** The fields of a run that {@link TrackingStore.updateRunInfo} may change; absent fields stay. */
export interface UpdateRunArgs {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** One write of metrics, params and tags; the primitive write of every store. */
export interface LogBatchArgs {
  metrics?: readonly Metric[];
  params?: readonly Param[];
  tags?: readonly RunTag[];
}

/** One page of a run search (ref §3). */
export interface SearchRunsArgs {
  experimentIds: readonly string[];
  filter?: string;
  runViewType?: ViewType;
  /** 1..50 000; default 1000. */
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** One page of an experiment search (ref §3.3). */
export interface SearchExperimentsArgs {
  viewType?: ViewType;
  /** 1..50 000; default 1000. */
  maxResults?: number;
  filter?: string;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Paging of a metric history read. */
export interface MetricHistoryArgs {
  /** Without it, the whole history. */
  maxResults?: number;
  pageToken?: string;
}

/**
 * Where runs and experiments live. Implemented by SqliteStore, FileStore, RestStore and
 * PostgresStore; the store contract suite runs unchanged against each.
 *
 * Every write validates its input with `validation.ts` before touching storage, and a rejected
 * write changes nothing. Errors are {@link LablogError}s with MLflow's codes.
 */
export interface TrackingStore {
  /** Creates an experiment and returns its id. Names are unique, deleted experiments included. */
  createExperiment(name: string, artifactLocation?: string, tags?: readonly ExperimentTag[]): Promise<string>;
  /** Also returns deleted experiments; RESOURCE_DOES_NOT_EXIST when absent. */
  getExperiment(experimentId: string): Promise<Experiment>;
  /** The active one when an active and a deleted experiment share the name; null when none. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>>;
  /** Soft delete: the experiment and its active runs become `deleted`. */
  deleteExperiment(experimentId: string): Promise<void>;
  /** Undoes {@link deleteExperiment}, runs included. */
  restoreExperiment(experimentId: string): Promise<void>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(args: CreateRunArgs): Promise<Run>;
  /** Also returns deleted runs; RESOURCE_DOES_NOT_EXIST when absent. */
  getRun(runId: string): Promise<Run>;
  updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;

  /**
   * Writes metrics, params and tags atomically: all of it or (on any error) none of it.
   * Params are write-once (same value fine, another value INVALID_PARAMETER_VALUE);
   * tags overwrite; metrics append.
   */
  logBatch(runId: string, batch: LogBatchArgs): Promise<void>;
  /** RESOURCE_DOES_NOT_EXIST when the tag is absent. */
  deleteTag(runId: string, key: string): Promise<void>;
  /**
   * MLflow's `record_logged_model` (`POST runs/log-model`): appends the model's MLmodel
   * dictionary (`modelJson`, as JSON text), its flavors' `config` removed, to the run tag
   * `mlflow.log-model.history`, a JSON list. The read and the write of the tag are one atomic
   * step, so concurrent calls on a run never lose an entry.
   * @throws LablogError INVALID_PARAMETER_VALUE for malformed JSON, a missing mandatory key
   *   (`artifact_path`, `flavors`, `utc_time_created`, `run_id`), a `run_id` other than `runId`,
   *   a deleted run or a history over MAX_TAG_VAL_LENGTH; RESOURCE_DOES_NOT_EXIST for an unknown run.
   */
  recordLoggedModel(runId: string, modelJson: string): Promise<void>;
  /** Deduplicated per (dataset name, digest) and run. */
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void>;

  /** Every point of one metric, in logged order (paged when `maxResults` is given). */
  getMetricHistory(runId: string, metricKey: string, args?: MetricHistoryArgs): Promise<PagedList<Metric>>;
  /** One page of runs; the public paging lives in the client. */
  searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>>;

  /** Releases connections and file handles. */
  close(): Promise<void>;
}
