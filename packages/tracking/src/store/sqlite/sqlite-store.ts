/**
 * The embedded default store: experiments, runs, metrics and the model registry in one SQLite
 * file (better-sqlite3 under Node, `node:sqlite` under Deno; see driver.ts).
 *
 * This class validates input (validation.ts opens every write) and hands on to one module per
 * resource: experiments.ts, runs.ts, log-batch.ts, metrics.ts, registered-models.ts,
 * model-versions.ts, search.ts. Every write is one `BEGIN IMMEDIATE` transaction; the schema
 * lives in migrations.ts.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { openDriver } from './driver.js';
import { Db } from './db.js';
import { BUSY_TIMEOUT_MS, openSchema, refreshStatistics, schemaVersion } from './migrations.js';
import * as experiments from './experiments.js';
import * as runs from './runs.js';
import * as models from './registered-models.js';
import * as versions from './model-versions.js';
import { BatchWriter } from './log-batch.js';
import { metricHistory } from './metrics.js';
import { loadRuns } from './run-loader.js';
import * as search from './search.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** A file path (parent folders are created) or `:memory:`. */
  path: string;
  /** Where experiments' artifacts go by default, e.g. `file:///abs/lablog/artifacts`. */
  defaultArtifactRoot: string;
  /** Truncation of over-long param/tag values; MLflow's default (truncate, warn) when absent. */
  validationPolicy?: ValidationPolicy;
}

/** What {@link SqliteStore.diagnostics} reports. */
export interface SqliteDiagnostics {
  driver: 'better-sqlite3' | 'node:sqlite';
  journalMode: string;
  schemaVersion: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  /** `PRAGMA wal_autocheckpoint`: WAL pages after which a commit checkpoints. */
  walAutocheckpoint: number;
}

/**
 * Statistics are refreshed ({@link refreshStatistics}) after this many writes (runs created,
 * batches logged) on a connection, then after 4× as many each time: a handful of runs over a
 * store's life (1k, 4k, 16k, 64k… writes), each a few milliseconds, so a database that is
 * written and searched without ever being closed still gets `sqlite_stat1`.
 */
let optimizeFirstAfter = 1000;
const OPTIMIZE_GROWTH = 4;

/** Tests: changes when the first statistics refresh happens (writes on one connection). */
export function setStatisticsSchedule(firstAfterWrites: number): void {
  optimizeFirstAfter = firstAfterWrites;
}

/** The SQLite tracking and registry store. Opens lazily: the first call opens and migrates. */
export class SqliteStore implements TrackingStore, RegistryStore {
  private readonly policy: ValidationPolicy;
  private readonly ready: Promise<Db>;
  private writer: BatchWriter | undefined;
  private closed: Promise<void> | undefined;
  private writes = 0;
  private refreshAt = optimizeFirstAfter;

  /** Artifact root of experiments created without a location (servers confine sources to it). */
  get defaultArtifactRoot(): string {
    return this.options.defaultArtifactRoot;
  }

  constructor(private readonly options: SqliteStoreOptions) {
    this.policy = options.validationPolicy ?? defaultValidationPolicy();
    const inMemory = options.path === ':memory:' || options.path === '';
    if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
    this.ready = openDriver(options.path, { busyTimeoutMs: BUSY_TIMEOUT_MS }).then((driver) => {
      try {
        openSchema(driver, { defaultArtifactRoot: options.defaultArtifactRoot, inMemory });
      } catch (e) {
        driver.close();
        throw e;
      }
      return new Db(driver);
    });
    this.ready.catch(() => undefined); // surfaced by the first call instead
  }

  /** The open connection (after migrations). */
  private async db(): Promise<Db> {
    if (this.closed) throw new Error('SqliteStore is closed');
    return this.ready;
  }

  // ---- experiments ---------------------------------------------------------------------------

  async createExperiment(name: string, artifactLocation?: string, tags: readonly ExperimentTag[] = []): Promise<string> {
    const location = checkCreateExperiment(name, artifactLocation, tags);
    return experiments.insertExperiment(await this.db(), name, this.options.defaultArtifactRoot, location, tags);
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    checkExperimentId(experimentId);
    return experiments.getExperiment(await this.db(), experimentId);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return experiments.getExperimentByName(await this.db(), name);
  }
  async searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
    return search.searchExperiments(await this.db(), args);
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    checkExperimentId(experimentId);
    experiments.deleteExperiment(await this.db(), experimentId);
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    checkExperimentId(experimentId);
    experiments.restoreExperiment(await this.db(), experimentId);
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    checkRenameExperiment(experimentId, newName);
    experiments.renameExperiment(await this.db(), experimentId, newName);
  }
  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    checkSetExperimentTag(experimentId, tag);
    experiments.setExperimentTag(await this.db(), experimentId, tag);
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    checkExperimentId(experimentId);
    experiments.deleteExperimentTag(await this.db(), experimentId, key);
  }

  // ---- runs ----------------------------------------------------------------------------------

  async createRun(args: CreateRunArgs): Promise<Run> {
    const tags = checkCreateRun(args, this.policy);
    const db = await this.db();
    const id = runs.insertRun(db, args, tags);
    this.wrote(db);
    return loadRuns(db, [id])[0]!;
  }
  async getRun(runId: string): Promise<Run> {
    checkRunId(runId);
    const db = await this.db();
    return db.read(() => loadRuns(db, [runs.runRow(db, runId).id])[0]!);
  }
  async updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo> {
    checkUpdateRunInfo(runId, args);
    return runs.updateRun(await this.db(), runId, args);
  }
  async deleteRun(runId: string): Promise<void> {
    checkRunId(runId);
    runs.setRunLifecycle(await this.db(), runId, 'deleted');
  }
  async restoreRun(runId: string): Promise<void> {
    checkRunId(runId);
    runs.setRunLifecycle(await this.db(), runId, 'active');
  }
  async logBatch(runId: string, batch: LogBatchArgs): Promise<void> {
    const valid = checkLogBatch(runId, batch, this.policy);
    const db = await this.db();
    this.writer ??= new BatchWriter(db);
    this.writer.logBatch(runId, valid);
    this.wrote(db);
  }

  /** Counts a committed write; refreshes planner statistics on a geometric schedule. */
  private wrote(db: Db): void {
    if (++this.writes < this.refreshAt) return;
    this.refreshAt = this.writes * OPTIMIZE_GROWTH;
    refreshStatistics(db.driver);
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    checkDeleteTag(runId, key);
    runs.deleteRunTag(await this.db(), runId, key);
  }
  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    const entry = checkRecordLoggedModel(runId, modelJson);
    runs.appendLoggedModelTag(await this.db(), runId, entry);
  }
  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    checkLogInputs(runId, datasets);
    runs.insertInputs(await this.db(), runId, datasets);
  }
  async getMetricHistory(runId: string, metricKey: string, args?: MetricHistoryArgs): Promise<PagedList<Metric>> {
    checkGetMetricHistory(runId, metricKey);
    return metricHistory(await this.db(), runId, metricKey, args);
  }
  async searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>> {
    return search.searchRuns(await this.db(), args);
  }

  // ---- registry ------------------------------------------------------------------------------

  async createRegisteredModel(name: string, tags: readonly RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    checkCreateRegisteredModel(name, tags);
    return models.insertModel(await this.db(), name, tags, description);
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    checkRegisteredModelName(name);
    return models.getModel(await this.db(), name);
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    checkRenameRegisteredModel(name, newName);
    return models.renameModel(await this.db(), name, newName);
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    checkRegisteredModelName(name);
    return models.updateModelDescription(await this.db(), name, description);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    checkRegisteredModelName(name);
    models.deleteModel(await this.db(), name);
  }
  async searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
    return search.searchRegisteredModels(await this.db(), args);
  }
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    const wanted = checkGetLatestVersions(name, stages);
    const db = await this.db();
    return db.read(() => {
      const model = models.registeredModelRow(db, name);
      return versions.loadVersions(db, versions.latestVersionKeys(db, [model.id], wanted).get(model.id) ?? []);
    });
  }
  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    checkSetRegisteredModelTag(name, tag);
    models.setModelTag(await this.db(), name, tag);
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    checkDeleteRegistryTag(name, key);
    models.deleteModelTag(await this.db(), name, key);
  }

  async createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion> {
    checkCreateModelVersion(args);
    return versions.insertVersion(await this.db(), args);
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.getVersion(await this.db(), name, v);
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.updateVersionDescription(await this.db(), name, v, description);
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    const v = checkModelVersion(name, version);
    versions.deleteVersion(await this.db(), name, v);
  }
  async searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
    return search.searchModelVersions(await this.db(), args);
  }
  async transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    const v = checkModelVersion(name, version);
    return versions.transitionStage(await this.db(), name, v, stage, archiveExistingVersions);
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const mv = await this.getModelVersion(name, version);
    return mv.storageLocation ?? mv.source;
  }
  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    const v = checkSetModelVersionTag(name, version, tag);
    versions.setVersionTag(await this.db(), name, v, tag);
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    const v = checkDeleteModelVersionTag(name, version, key);
    versions.deleteVersionTag(await this.db(), name, v, key);
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    const v = checkSetRegisteredModelAlias(name, alias, version);
    models.setAlias(await this.db(), name, alias, v);
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    checkDeleteRegisteredModelAlias(name, alias);
    models.deleteAlias(await this.db(), name, alias);
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkGetModelVersionByAlias(name, alias);
    return models.versionByAlias(await this.db(), name, alias);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Driver and connection settings, for tests and `lablog doctor`-style reports. */
  async diagnostics(): Promise<SqliteDiagnostics> {
    const db = await this.db();
    const pragma = (name: string) => db.driver.prepare(`PRAGMA ${name}`).values()[0]?.[0];
    return {
      driver: db.driver.name,
      journalMode: String(pragma('journal_mode')),
      schemaVersion: schemaVersion(db.driver),
      foreignKeys: Number(pragma('foreign_keys')) === 1,
      busyTimeoutMs: Number(pragma('busy_timeout')),
      walAutocheckpoint: Number(pragma('wal_autocheckpoint')),
    };
  }

  /** Closes the connection (after `PRAGMA optimize`, which keeps the planner's statistics fresh). */
  async close(): Promise<void> {
    this.closed ??= this.ready.then(
      (db) => {
        refreshStatistics(db.driver); // skipped, not waited for, when the database is busy
        db.close();
      },
      () => undefined,
    );
    return this.closed;
  }
}
