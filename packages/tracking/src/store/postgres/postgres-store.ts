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
import { isRunStatus } from '../../entities/enums.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { ModelVersion } from '../../entities/model-version.js';
import {
  defaultValidationPolicy,
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
  type ValidationPolicy,
} from '../../validation.js';
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
    validateExperimentName(name);
    if (artifactLocation) validateArtifactLocation(artifactLocation);
    tags.forEach(validateExperimentTag);
    return experiments.insertExperiment(await this.ready(), name, this.options.defaultArtifactRoot, artifactLocation || undefined, tags);
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    validateExperimentId(experimentId);
    return experiments.getExperiment(await this.ready(), experimentId);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return experiments.getExperimentByName(await this.ready(), name);
  }
  async searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
    return search.searchExperiments(await this.ready(), args);
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    validateExperimentId(experimentId);
    await experiments.deleteExperiment(await this.ready(), experimentId);
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    validateExperimentId(experimentId);
    await experiments.restoreExperiment(await this.ready(), experimentId);
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    validateExperimentId(experimentId);
    validateExperimentName(newName);
    await experiments.renameExperiment(await this.ready(), experimentId, newName);
  }
  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    validateExperimentId(experimentId);
    validateExperimentTag(tag);
    await experiments.setExperimentTag(await this.ready(), experimentId, tag);
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    validateExperimentId(experimentId);
    await experiments.deleteExperimentTag(await this.ready(), experimentId, key);
  }

  // ---- runs ----------------------------------------------------------------------------------

  async createRun(args: CreateRunArgs): Promise<Run> {
    validateExperimentId(args.experimentId);
    const tags = (args.tags ?? []).map((t, i) => validateRunTag(t, this.policy, `tags[${i}]`));
    return runs.insertRun(await this.ready(), args, tags);
  }
  async getRun(runId: string): Promise<Run> {
    validateRunId(runId);
    return runs.getRun(await this.ready(), runId);
  }
  async updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo> {
    validateRunId(runId);
    if (args.status !== undefined && !isRunStatus(args.status)) throw invalidValue('status', args.status);
    if (args.endTime !== undefined && args.endTime !== null && !Number.isInteger(args.endTime)) throw invalidValue('end_time', args.endTime);
    return runs.updateRun(await this.ready(), runId, args);
  }
  async deleteRun(runId: string): Promise<void> {
    validateRunId(runId);
    await runs.setRunLifecycle(await this.ready(), runId, 'deleted');
  }
  async restoreRun(runId: string): Promise<void> {
    validateRunId(runId);
    await runs.setRunLifecycle(await this.ready(), runId, 'active');
  }
  async logBatch(runId: string, batch: LogBatchArgs): Promise<void> {
    validateRunId(runId);
    const valid = validateBatch(batch, this.policy);
    await this.ready();
    await this.writer.logBatch(runId, valid);
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    validateRunId(runId);
    validateKey(key, 'tag');
    await runs.deleteRunTag(await this.ready(), runId, key);
  }
  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    validateRunId(runId);
    validateDatasetInputs(datasets);
    await runs.insertInputs(await this.ready(), runId, datasets);
  }
  async getMetricHistory(runId: string, metricKey: string, args?: MetricHistoryArgs): Promise<PagedList<Metric>> {
    validateRunId(runId);
    if (metricKey === undefined || metricKey === null || metricKey === '') throw missingValue('metric_key');
    return metricHistory(await this.ready(), runId, metricKey, args);
  }
  async searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>> {
    return search.searchRuns(await this.ready(), args);
  }

  // ---- registry ------------------------------------------------------------------------------

  async createRegisteredModel(name: string, tags: readonly RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    validateRegisteredModelName(name);
    tags.forEach(validateRegistryTag);
    return models.insertModel(await this.ready(), name, tags, description);
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateRegisteredModelName(name);
    return models.getModel(await this.ready(), name);
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    validateRegisteredModelName(name);
    validateRegisteredModelName(newName, 'new_name');
    return models.renameModel(await this.ready(), name, newName);
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    validateRegisteredModelName(name);
    return models.updateModelDescription(await this.ready(), name, description);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    validateRegisteredModelName(name);
    await models.deleteModel(await this.ready(), name);
  }
  async searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
    return search.searchRegisteredModels(await this.ready(), args);
  }
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    validateRegisteredModelName(name);
    const wanted = versions.canonicalStages(stages);
    const db = await this.ready();
    return db.read(async (q) => {
      const model = await models.registeredModelRow(q, name);
      return versions.loadVersions(q, (await versions.latestVersionKeys(q, [model.id], wanted)).get(model.id) ?? []);
    });
  }
  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    validateRegisteredModelName(name);
    validateRegistryTag(tag);
    await models.setModelTag(await this.ready(), name, tag);
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateRegisteredModelName(name);
    validateKey(key, 'tag');
    await models.deleteModelTag(await this.ready(), name, key);
  }

  async createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion> {
    validateRegisteredModelName(args.name);
    if (typeof args.source !== 'string' || args.source === '') throw missingValue('source');
    if (args.runId) validateRunId(args.runId);
    (args.tags ?? []).forEach(validateRegistryTag);
    return versions.insertVersion(await this.ready(), args);
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateRegisteredModelName(name);
    return versions.getVersion(await this.ready(), name, validateModelVersion(version));
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    validateRegisteredModelName(name);
    return versions.updateVersionDescription(await this.ready(), name, validateModelVersion(version), description);
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    validateRegisteredModelName(name);
    await versions.deleteVersion(await this.ready(), name, validateModelVersion(version));
  }
  async searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
    return search.searchModelVersions(await this.ready(), args);
  }
  async transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    validateRegisteredModelName(name);
    return versions.transitionStage(await this.ready(), name, validateModelVersion(version), stage, archiveExistingVersions);
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const mv = await this.getModelVersion(name, version);
    return mv.storageLocation ?? mv.source;
  }
  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    validateRegisteredModelName(name);
    validateRegistryTag(tag);
    await versions.setVersionTag(await this.ready(), name, validateModelVersion(version), tag);
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateRegisteredModelName(name);
    validateKey(key, 'tag');
    await versions.deleteVersionTag(await this.ready(), name, validateModelVersion(version), key);
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    validateRegisteredModelName(name);
    validateAlias(alias);
    await models.setAlias(await this.ready(), name, alias, validateModelVersion(version));
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    validateRegisteredModelName(name);
    validateAlias(alias);
    await models.deleteAlias(await this.ready(), name, alias);
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateRegisteredModelName(name);
    if (typeof alias !== 'string' || alias === '') throw missingValue('alias');
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
