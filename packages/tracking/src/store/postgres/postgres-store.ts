/**
 * The team-server store: experiments, runs, metrics and the model registry in PostgreSQL
 * (`postgresql://user:pass@host:port/db`), shared by any number of server processes.
 *
 * This class validates input (validation.ts opens every write) and hands on to one module per
 * resource, as the SQLite store does: experiments.ts, runs.ts, log-batch.ts, metrics.ts,
 * registered-models.ts, model-versions.ts, search.ts. Every write is one transaction
 * (BEGIN … COMMIT, rolled back on any error); the schema lives in migrations.ts and is brought
 * up to date under an advisory lock on first use.
 */
import type { Experiment } from '../../entities/experiment.js';
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { ExperimentTag, ModelVersionTag, RegisteredModelTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { ModelStage } from '../../entities/enums.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { ModelVersion } from '../../entities/model-version.js';
import { defaultValidationPolicy, type ValidationPolicy } from '../../validation.js';
import {
  checkCreateExperiment,
  checkCreateModelVersion,
  checkCreateRegisteredModel,
  checkCreateRun,
  checkDeleteModelVersionTag,
  checkDeleteRegisteredModelAlias,
  checkDeleteRegistryTag,
  checkDeleteTag,
  checkRecordLoggedModel,
  checkExperimentId,
  checkGetLatestVersions,
  checkGetMetricHistory,
  checkGetModelVersionByAlias,
  checkLogBatch,
  checkLogInputs,
  checkModelVersion,
  checkRegisteredModelName,
  checkRenameExperiment,
  checkRenameRegisteredModel,
  checkRunId,
  checkSetExperimentTag,
  checkSetModelVersionTag,
  checkSetRegisteredModelAlias,
  checkSetRegisteredModelTag,
  checkUpdateRunInfo,
} from '../store-arguments.js';
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
import { Db } from './db.js';
import { migrate, schemaVersion } from './migrations.js';
import * as experiments from './experiments.js';
import * as runs from './runs.js';
import * as models from './registered-models.js';
import * as versions from './model-versions.js';
import { BatchWriter } from './log-batch.js';
import { metricHistory } from './metrics.js';
import * as search from './search.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgresql://user:pass@host:port/db`; `postgres://` and `postgresql+<driver>://` work too. */
  uri: string;
  /** Where experiments' artifacts go by default, e.g. `mlflow-artifacts:/` or `s3://bucket/lablog`. */
  defaultArtifactRoot: string;
  /** Truncation of over-long param/tag values; MLflow's default (truncate, warn) when absent. */
  validationPolicy?: ValidationPolicy;
  /** Connections in the pool at most; default 10. */
  poolSize?: number;
}

/** What {@link PostgresStore.diagnostics} reports. */
export interface PostgresDiagnostics {
  serverVersion: string;
  schemaVersion: number;
  poolSize: number;
}

/**
 * The PostgreSQL tracking and registry store. Opens lazily: the first call connects and
 * migrates; a failed migration is retried by the next call.
 */
export class PostgresStore implements TrackingStore, RegistryStore {
  private readonly policy: ValidationPolicy;
  private readonly db: Db;
  private readonly writer: BatchWriter;
  private migrated: Promise<void> | undefined;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: PostgresStoreOptions) {
    this.policy = options.validationPolicy ?? defaultValidationPolicy();
    this.db = new Db({ uri: options.uri, poolSize: options.poolSize ?? 10 });
    this.writer = new BatchWriter(this.db);
  }

  /** The pool, once the schema is current. */
  private async ready(): Promise<Db> {
    if (this.closed) throw new Error('PostgresStore is closed');
    if (!this.migrated) {
      const p = migrate(this.db, this.options.defaultArtifactRoot);
      this.migrated = p;
      p.catch(() => {
        if (this.migrated === p) this.migrated = undefined;
      });
    }
    await this.migrated;
    return this.db;
  }

  // ---- experiments ---------------------------------------------------------------------------

  async createExperiment(name: string, artifactLocation?: string, tags: readonly ExperimentTag[] = []): Promise<string> {
    const location = checkCreateExperiment(name, artifactLocation, tags);
    return experiments.insertExperiment(await this.ready(), name, this.options.defaultArtifactRoot, location, tags);
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    checkExperimentId(experimentId);
    return experiments.getExperiment(await this.ready(), experimentId);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return experiments.getExperimentByName(await this.ready(), name);
  }
  async searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
    return search.searchExperiments(await this.ready(), args);
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    checkExperimentId(experimentId);
    await experiments.deleteExperiment(await this.ready(), experimentId);
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    checkExperimentId(experimentId);
    await experiments.restoreExperiment(await this.ready(), experimentId);
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    checkRenameExperiment(experimentId, newName);
    await experiments.renameExperiment(await this.ready(), experimentId, newName);
  }
  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    checkSetExperimentTag(experimentId, tag);
    await experiments.setExperimentTag(await this.ready(), experimentId, tag);
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    checkExperimentId(experimentId);
    await experiments.deleteExperimentTag(await this.ready(), experimentId, key);
  }

  // ---- runs ----------------------------------------------------------------------------------

  async createRun(args: CreateRunArgs): Promise<Run> {
    const tags = checkCreateRun(args, this.policy);
    return runs.insertRun(await this.ready(), args, tags);
  }
  async getRun(runId: string): Promise<Run> {
    checkRunId(runId);
    return runs.getRun(await this.ready(), runId);
  }
  async updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo> {
    checkUpdateRunInfo(runId, args);
    return runs.updateRun(await this.ready(), runId, args);
  }
  async deleteRun(runId: string): Promise<void> {
    checkRunId(runId);
    await runs.setRunLifecycle(await this.ready(), runId, 'deleted');
  }
  async restoreRun(runId: string): Promise<void> {
    checkRunId(runId);
    await runs.setRunLifecycle(await this.ready(), runId, 'active');
  }
  async logBatch(runId: string, batch: LogBatchArgs): Promise<void> {
    const valid = checkLogBatch(runId, batch, this.policy);
    await this.ready();
    await this.writer.logBatch(runId, valid);
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    checkDeleteTag(runId, key);
    await runs.deleteRunTag(await this.ready(), runId, key);
  }
  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    const entry = checkRecordLoggedModel(runId, modelJson);
    await runs.appendLoggedModelTag(await this.ready(), runId, entry);
  }
  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    checkLogInputs(runId, datasets);
    await runs.insertInputs(await this.ready(), runId, datasets);
  }
  async getMetricHistory(runId: string, metricKey: string, args?: MetricHistoryArgs): Promise<PagedList<Metric>> {
    checkGetMetricHistory(runId, metricKey);
    return metricHistory(await this.ready(), runId, metricKey, args);
  }
  async searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>> {
    return search.searchRuns(await this.ready(), args);
  }

  // ---- registry ------------------------------------------------------------------------------

  async createRegisteredModel(name: string, tags: readonly RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    checkCreateRegisteredModel(name, tags);
    return models.insertModel(await this.ready(), name, tags, description);
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    checkRegisteredModelName(name);
    return models.getModel(await this.ready(), name);
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    checkRenameRegisteredModel(name, newName);
    return models.renameModel(await this.ready(), name, newName);
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    checkRegisteredModelName(name);
    return models.updateModelDescription(await this.ready(), name, description);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    checkRegisteredModelName(name);
    await models.deleteModel(await this.ready(), name);
  }
  async searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
    return search.searchRegisteredModels(await this.ready(), args);
  }
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    const wanted = checkGetLatestVersions(name, stages);
    const db = await this.ready();
    return db.read(async (q) => {
      const model = await models.registeredModelRow(q, name);
      return versions.loadVersions(q, (await versions.latestVersionKeys(q, [model.id], wanted)).get(model.id) ?? []);
    });
  }
  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    checkSetRegisteredModelTag(name, tag);
    await models.setModelTag(await this.ready(), name, tag);
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    checkDeleteRegistryTag(name, key);
    await models.deleteModelTag(await this.ready(), name, key);
  }

  async createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion> {
    checkCreateModelVersion(args);
    return versions.insertVersion(await this.ready(), args);
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.getVersion(await this.ready(), name, v);
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.updateVersionDescription(await this.ready(), name, v, description);
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    const v = checkModelVersion(name, version);
    await versions.deleteVersion(await this.ready(), name, v);
  }
  async searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
    return search.searchModelVersions(await this.ready(), args);
  }
  async transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.transitionStage(await this.ready(), name, v, stage, archiveExistingVersions);
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const mv = await this.getModelVersion(name, version);
    return mv.storageLocation ?? mv.source;
  }
  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    const v = checkSetModelVersionTag(name, version, tag);
    await versions.setVersionTag(await this.ready(), name, v, tag);
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    const v = checkDeleteModelVersionTag(name, version, key);
    await versions.deleteVersionTag(await this.ready(), name, v, key);
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    const v = checkSetRegisteredModelAlias(name, alias, version);
    await models.setAlias(await this.ready(), name, alias, v);
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    checkDeleteRegisteredModelAlias(name, alias);
    await models.deleteAlias(await this.ready(), name, alias);
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkGetModelVersionByAlias(name, alias);
    return models.versionByAlias(await this.ready(), name, alias);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Server version, schema version and pool size, for tests and `doctor`-style reports. */
  async diagnostics(): Promise<PostgresDiagnostics> {
    const db = await this.ready();
    const row = await db.one<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { serverVersion: row?.v ?? '', schemaVersion: await schemaVersion(db), poolSize: this.options.poolSize ?? 10 };
  }

  /** Ends the pool (after in-flight migrations settle). Idempotent. */
  async close(): Promise<void> {
    this.closed ??= (async () => {
      await this.migrated?.catch(() => undefined);
      await this.db.close();
    })();
    return this.closed;
  }
}
