/**
 * FileStore: tracking and model registry in MLflow's `mlruns` directory layout, so that what
 * lablog writes MLflow reads and what MLflow wrote lablog reads (ref §7, §18).
 */
import type { Experiment } from '../../entities/experiment.js';
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { ExperimentTag, ModelVersionTag, RegisteredModelTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { ModelStage } from '../../entities/enums.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
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
import { defaultValidationPolicy } from '../../validation.js';
import type { ValidationPolicy } from '../../validation.js';
import { FileStoreContext } from './context.js';
import { StorePaths, pathToFileUri, resolveUriIfLocal } from './paths.js';
import * as experiments from './experiments.js';
import * as runs from './runs.js';
import * as registry from './registry.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** The `mlruns` directory: an absolute or relative path, or a `file:` URI. Created when missing. */
  root: string;
  /**
   * Artifact root of experiments created without a location (`<root>/<experiment_id>`).
   * Default: `file://<absolute root>`, as MLflow's file store. A plain path becomes a `file:` URI.
   */
  defaultArtifactRoot?: string;
  /** Over-long param/tag values: truncate (MLflow's default) or reject. */
  validationPolicy?: ValidationPolicy;
}

/**
 * A {@link TrackingStore} and {@link RegistryStore} over a local `mlruns` tree in exactly
 * MLflow's file-store format:
 *
 * - `<root>/<experiment_id>/meta.yaml`, experiment tags in `tags/`, deleted experiments moved to
 *   `.trash/`, the default experiment `0` ("Default"), new ids random 18-digit integers;
 * - `<experiment>/<run_id>/meta.yaml` (integer status, legacy keys), `metrics/<key>` one line
 *   per point, `params/<key>` and `tags/<key>` raw values, keys with `/` as sub-directories;
 * - datasets in `<experiment>/datasets/`, run inputs in `<run>/inputs/`;
 * - the registry in `<root>/models/<name>/` (versions `version-<n>/`, aliases `aliases/`).
 *
 * Writes validate first and check the whole request against the files before writing; metas
 * are replaced atomically (temp file + rename). Writes within one process are serialised per
 * run / registered model; concurrent writers in other processes get MLflow's guarantees only.
 */
export class FileStore implements TrackingStore, RegistryStore {
  /** Absolute path of the `mlruns` directory. */
  readonly root: string;
  /** Artifact root of experiments created without an explicit location. */
  readonly defaultArtifactRoot: string;
  private readonly ctx: FileStoreContext;
  private initialised: Promise<void> | undefined;

  constructor(options: FileStoreOptions) {
    const paths = new StorePaths(options.root);
    this.root = paths.root;
    this.defaultArtifactRoot = options.defaultArtifactRoot ? resolveUriIfLocal(options.defaultArtifactRoot) : pathToFileUri(paths.root);
    this.ctx = new FileStoreContext(paths, this.defaultArtifactRoot, options.validationPolicy ?? defaultValidationPolicy());
  }

  /** Creates the root, `.trash/`, `models/` and experiment `0` on first use. */
  private async ready(): Promise<FileStoreContext> {
    this.initialised ??= experiments.initRoot(this.ctx).catch((e: unknown) => {
      this.initialised = undefined;
      throw e;
    });
    await this.initialised;
    return this.ctx;
  }

  // ------------------------------------------------------------------------------ experiments

  async createExperiment(name: string, artifactLocation?: string, tags?: readonly ExperimentTag[]): Promise<string> {
    return experiments.createExperiment(await this.ready(), name, artifactLocation, tags);
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    return experiments.getExperiment(await this.ready(), experimentId);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return experiments.getExperimentByName(await this.ready(), name);
  }
  async searchExperiments(args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
    return experiments.searchExperiments(await this.ready(), args);
  }
  /** Refuses experiment `0` (INVALID_PARAMETER_VALUE), as MLflow's file store does. */
  async deleteExperiment(experimentId: string): Promise<void> {
    return experiments.deleteExperiment(await this.ready(), experimentId);
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    return experiments.restoreExperiment(await this.ready(), experimentId);
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return experiments.renameExperiment(await this.ready(), experimentId, newName);
  }
  async setExperimentTag(experimentId: string, tag: ExperimentTag): Promise<void> {
    return experiments.setExperimentTag(await this.ready(), experimentId, tag);
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return experiments.deleteExperimentTag(await this.ready(), experimentId, key);
  }

  // ------------------------------------------------------------------------------------- runs

  async createRun(args: CreateRunArgs): Promise<Run> {
    return runs.createRun(await this.ready(), args);
  }
  async getRun(runId: string): Promise<Run> {
    return runs.getRun(await this.ready(), runId);
  }
  async updateRunInfo(runId: string, args: UpdateRunArgs): Promise<RunInfo> {
    return runs.updateRunInfo(await this.ready(), runId, args);
  }
  async deleteRun(runId: string): Promise<void> {
    return runs.deleteRun(await this.ready(), runId);
  }
  async restoreRun(runId: string): Promise<void> {
    return runs.restoreRun(await this.ready(), runId);
  }
  async logBatch(runId: string, batch: LogBatchArgs): Promise<void> {
    return runs.logBatch(await this.ready(), runId, batch);
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    return runs.deleteTag(await this.ready(), runId, key);
  }
  async recordLoggedModel(runId: string, modelJson: string): Promise<void> {
    return runs.recordLoggedModel(await this.ready(), runId, modelJson);
  }
  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    return runs.logInputs(await this.ready(), runId, datasets);
  }
  async getMetricHistory(runId: string, metricKey: string, args?: MetricHistoryArgs): Promise<PagedList<Metric>> {
    return runs.getMetricHistory(await this.ready(), runId, metricKey, args);
  }
  async searchRunsPage(args: SearchRunsArgs): Promise<PagedList<Run>> {
    return runs.searchRunsPage(await this.ready(), args);
  }

  // --------------------------------------------------------------------------------- registry

  async createRegisteredModel(name: string, tags?: readonly RegisteredModelTag[], description?: string): Promise<RegisteredModel> {
    return registry.createRegisteredModel(await this.ready(), name, tags, description);
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return registry.getRegisteredModel(await this.ready(), name);
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return registry.renameRegisteredModel(await this.ready(), name, newName);
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return registry.updateRegisteredModel(await this.ready(), name, description);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    return registry.deleteRegisteredModel(await this.ready(), name);
  }
  async searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
    return registry.searchRegisteredModels(await this.ready(), args);
  }
  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return registry.getLatestVersions(await this.ready(), name, stages);
  }
  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    return registry.setRegisteredModelTag(await this.ready(), name, tag);
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return registry.deleteRegisteredModelTag(await this.ready(), name, key);
  }
  async createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion> {
    return registry.createModelVersion(await this.ready(), args);
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return registry.getModelVersion(await this.ready(), name, version);
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return registry.updateModelVersion(await this.ready(), name, version, description);
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    return registry.deleteModelVersion(await this.ready(), name, version);
  }
  async searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
    return registry.searchModelVersions(await this.ready(), args);
  }
  async transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return registry.transitionModelVersionStage(await this.ready(), name, version, stage, archiveExistingVersions);
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return registry.getModelVersionDownloadUri(await this.ready(), name, version);
  }
  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    return registry.setModelVersionTag(await this.ready(), name, version, tag);
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return registry.deleteModelVersionTag(await this.ready(), name, version, key);
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return registry.setRegisteredModelAlias(await this.ready(), name, alias, version);
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return registry.deleteRegisteredModelAlias(await this.ready(), name, alias);
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return registry.getModelVersionByAlias(await this.ready(), name, alias);
  }

  /** Nothing to release: every operation opens and closes its own files. */
  async close(): Promise<void> {
    await this.initialised?.catch(() => undefined);
  }
}
