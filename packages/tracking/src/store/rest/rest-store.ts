/**
 * RestStore: lablog's tracking and registry store over HTTP, for any MLflow-compatible server
 * (a lablog server or a stock `mlflow server`). Written only from MLflow's REST API (ref §2,
 * §6): each method is one request to its endpoint, converting JSON ↔ entities. Validation is
 * the server's, as in MLflow's own RestStore.
 */
import type { Experiment, ExperimentJSON } from '../../entities/experiment.js';
import { experimentFromJSON } from '../../entities/experiment.js';
import type { Run, RunInfo, RunInfoJSON, RunJSON } from '../../entities/run.js';
import { runFromJSON, runInfoFromJSON } from '../../entities/run.js';
import type { Metric, MetricJSON } from '../../entities/metric.js';
import { metricFromJSON, metricToJSON } from '../../entities/metric.js';
import type { DatasetInput } from '../../entities/dataset.js';
import { datasetInputToJSON } from '../../entities/dataset.js';
import type { ExperimentTag, ModelVersionTag, RegisteredModelTag } from '../../entities/tag.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { ModelStage } from '../../entities/enums.js';
import { LablogError } from '../../errors.js';
import { SEARCH_MAX_RESULTS_DEFAULT } from '../../validation.js';
import type {
  CreateRunArgs,
  LogBatchArgs,
  MetricHistoryArgs,
  SearchExperimentsArgs,
  SearchRunsArgs,
  TrackingStore,
  UpdateRunArgs,
} from '../tracking-store.js';
import type { CreateModelVersionArgs, RegistryStore, SearchRegistryArgs } from '../registry-store.js';
import { HttpClient, type HttpTransportOptions } from './http-client.js';
import { responseField } from './rest-errors.js';
import type { RetryOptions } from './retry-policy.js';
import * as registry from './rest-registry.js';

/** Options of {@link RestStore}. */
export interface RestStoreOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5000` or `https://host/prefix`. */
  trackingUri: string;
  /** Overrides of the retry policy (default: `MLFLOW_HTTP_REQUEST_*` variables, then MLflow's defaults). */
  retry?: Partial<RetryOptions>;
  /** Per-request timeout in milliseconds (default `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds, else 120 s). */
  timeoutMs?: number;
  /** Auth, TLS, extra headers, or a dispatcher of your own. */
  fetchOptions?: HttpTransportOptions;
  /** Environment to read `MLFLOW_*` settings from (tests); default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

const API = '/api/2.0/mlflow';
/** Requests whose repetition is harmless (see retry-policy.ts). */
const SAFE = { idempotent: true } as const;
/** Requests that must not run twice: retried only when the server certainly did not act. */
const ONCE = { idempotent: false } as const;

function tagsJSON(tags: readonly { key: string; value: string }[] | undefined): { key: string; value: string }[] | undefined {
  return tags && tags.length > 0 ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined;
}

function paged<T>(items: T[], json: Record<string, unknown>): PagedList<T> {
  const t = json.next_page_token;
  return typeof t === 'string' && t !== '' ? { items, nextPageToken: t } : { items };
}

/**
 * A {@link TrackingStore} and {@link RegistryStore} that talks to an MLflow-compatible server.
 *
 * Retries follow MLflow's client (ref §16) for requests that are safe to repeat; creates are
 * retried only when the server certainly did not run them, so a lost response never makes a
 * second run or model version. `logBatch` is retried: on servers that store exact duplicate
 * metric points once (MLflow's SQL stores, lablog's SQLite store) a replay changes nothing.
 *
 * @example
 * const store = new RestStore({ trackingUri: 'http://127.0.0.1:5000' });
 * const id = await store.createExperiment('demo');
 * await store.close();
 */
export class RestStore implements TrackingStore, RegistryStore {
  /** The tracking URI, as given. */
  readonly trackingUri: string;
  /** The HTTP client (shared with artifact repositories that need the same auth). */
  readonly http: HttpClient;

  constructor(options: RestStoreOptions) {
    this.trackingUri = options.trackingUri;
    this.http = new HttpClient({
      ...options.fetchOptions,
      baseUrl: options.trackingUri,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
  }

  // ---- experiments (ref §2.2) ----

  async createExperiment(name: string, artifactLocation?: string, tags?: readonly ExperimentTag[]): Promise<string> {
    const json = await this.http.json('POST', `${API}/experiments/create`, { name, artifact_location: artifactLocation || undefined, tags: tagsJSON(tags) }, ONCE);
    return String(responseField(json, 'experiment_id', 'experiments/create'));
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const json = await this.http.json('GET', `${API}/experiments/get`, { experiment_id: experimentId }, SAFE);
    return experimentFromJSON(responseField<ExperimentJSON>(json, 'experiment', 'experiments/get'));
  }

  /** GET experiments/get-by-name; RESOURCE_DOES_NOT_EXIST becomes null. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const json = await this.http.json('GET', `${API}/experiments/get-by-name`, { experiment_name: name }, SAFE);
      return experimentFromJSON(responseField<ExperimentJSON>(json, 'experiment', 'experiments/get-by-name'));
    } catch (e) {
      if (LablogError.is(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw e;
    }
  }

  /** POST experiments/search; always sends `max_results` (default 1000), which OSS servers require. */
  async searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
    const message = {
      view_type: args.viewType,
      max_results: args.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
      filter: args.filter || undefined,
      order_by: args.orderBy && args.orderBy.length > 0 ? [...args.orderBy] : undefined,
      page_token: args.pageToken || undefined,
    };
    const json = await this.http.json('POST', `${API}/experiments/search`, message, SAFE);
    return paged(((json.experiments as ExperimentJSON[] | undefined) ?? []).map(experimentFromJSON), json);
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.http.json('POST', `${API}/experiments/delete`, { experiment_id: experimentId }, ONCE);
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.http.json('POST', `${API}/experiments/restore`, { experiment_id: experimentId }, ONCE);
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.http.json('POST', `${API}/experiments/update`, { experiment_id: experimentId, new_name: newName }, ONCE);
  }

  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    await this.http.json('POST', `${API}/experiments/set-experiment-tag`, { experiment_id: experimentId, key: tag.key, value: tag.value }, SAFE);
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.http.json('POST', `${API}/experiments/delete-experiment-tag`, { experiment_id: experimentId, key }, ONCE);
  }

  // ---- runs (ref §2.3) ----

  async createRun(args: CreateRunArgs): Promise<Run> {
    const message = {
      experiment_id: args.experimentId,
      user_id: args.userId,
      start_time: args.startTime,
      tags: tagsJSON(args.tags),
      run_name: args.runName || undefined,
    };
    const json = await this.http.json('POST', `${API}/runs/create`, message, ONCE);
    return runFromJSON(responseField<RunJSON>(json, 'run', 'runs/create'));
  }

  async getRun(runId: string): Promise<Run> {
    const json = await this.http.json('GET', `${API}/runs/get`, { run_id: runId }, SAFE);
    return runFromJSON(responseField<RunJSON>(json, 'run', 'runs/get'));
  }

  async updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo> {
    const message = { run_id: runId, run_uuid: runId, status: args.status, end_time: args.endTime, run_name: args.runName };
    const json = await this.http.json('POST', `${API}/runs/update`, message, SAFE);
    return runInfoFromJSON(responseField<RunInfoJSON>(json, 'run_info', 'runs/update'));
  }

  async deleteRun(runId: string): Promise<void> {
    await this.http.json('POST', `${API}/runs/delete`, { run_id: runId }, ONCE);
  }

  async restoreRun(runId: string): Promise<void> {
    await this.http.json('POST', `${API}/runs/restore`, { run_id: runId }, ONCE);
  }

  /** One POST runs/log-batch (callers split batches into MLflow's limits). */
  async logBatch(runId: string, batch: LogBatchArgs): Promise<void> {
    const message = {
      run_id: runId,
      metrics: (batch.metrics ?? []).map(metricToJSON),
      params: (batch.params ?? []).map((p) => ({ key: p.key, value: p.value })),
      tags: (batch.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
    };
    await this.http.json('POST', `${API}/runs/log-batch`, message, SAFE);
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.json('POST', `${API}/runs/delete-tag`, { run_id: runId, key }, ONCE);
  }

  /** `POST runs/log-model`; not retried after a send (a replay would append the model twice). */
  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    await this.http.json('POST', `${API}/runs/log-model`, { run_id: runId, model_json: modelJson }, ONCE);
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    await this.http.json('POST', `${API}/runs/log-inputs`, { run_id: runId, datasets: datasets.map(datasetInputToJSON) }, SAFE);
  }

  async getMetricHistory(runId: string, metricKey: string, args: MetricHistoryArgs = {}): Promise<PagedList<Metric>> {
    const query = { run_id: runId, metric_key: metricKey, max_results: args.maxResults, page_token: args.pageToken || undefined };
    const json = await this.http.json('GET', `${API}/metrics/get-history`, query, SAFE);
    return paged(((json.metrics as MetricJSON[] | undefined) ?? []).map(metricFromJSON), json);
  }

  /** POST runs/search (POST only on MLflow's server); `max_results` defaults to 1000. */
  async searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>> {
    const message = {
      experiment_ids: [...args.experimentIds],
      filter: args.filter || undefined,
      run_view_type: args.runViewType,
      max_results: args.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
      order_by: args.orderBy && args.orderBy.length > 0 ? [...args.orderBy] : undefined,
      page_token: args.pageToken || undefined,
    };
    const json = await this.http.json('POST', `${API}/runs/search`, message, SAFE);
    return paged(((json.runs as RunJSON[] | undefined) ?? []).map(runFromJSON), json);
  }

  // ---- model registry (ref §6.2), see rest-registry.ts ----

  createRegisteredModel(name: string, tags?: readonly RegisteredModelTag[], description?: string): Promise<RegisteredModel> {
    return registry.createRegisteredModel(this.http, name, tags, description);
  }
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return registry.getRegisteredModel(this.http, name);
  }
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return registry.renameRegisteredModel(this.http, name, newName);
  }
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return registry.updateRegisteredModel(this.http, name, description);
  }
  deleteRegisteredModel(name: string): Promise<void> {
    return registry.deleteRegisteredModel(this.http, name);
  }
  searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
    return registry.searchRegisteredModels(this.http, args);
  }
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return registry.getLatestVersions(this.http, name, stages);
  }
  setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    return registry.setRegisteredModelTag(this.http, name, tag);
  }
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return registry.deleteRegisteredModelTag(this.http, name, key);
  }
  /** `storageLocation` is not sent: the REST API has no such field; the server resolves sources. */
  createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion> {
    return registry.createModelVersion(this.http, args);
  }
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return registry.getModelVersion(this.http, name, version);
  }
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return registry.updateModelVersion(this.http, name, version, description);
  }
  deleteModelVersion(name: string, version: string): Promise<void> {
    return registry.deleteModelVersion(this.http, name, version);
  }
  searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
    return registry.searchModelVersions(this.http, args);
  }
  transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return registry.transitionModelVersionStage(this.http, name, version, stage, archiveExistingVersions);
  }
  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return registry.getModelVersionDownloadUri(this.http, name, version);
  }
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    return registry.setModelVersionTag(this.http, name, version, tag);
  }
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return registry.deleteModelVersionTag(this.http, name, version, key);
  }
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return registry.setRegisteredModelAlias(this.http, name, alias, version);
  }
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return registry.deleteRegisteredModelAlias(this.http, name, alias);
  }
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return registry.getModelVersionByAlias(this.http, name, alias);
  }

  /** Closes the connection pool. Idempotent. */
  async close(): Promise<void> {
    await this.http.close();
  }
}
