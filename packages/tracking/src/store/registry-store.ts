import type { RegisteredModel } from '../entities/registered-model.js';
import type { ModelVersion } from '../entities/model-version.js';
import type { RegisteredModelTag, ModelVersionTag } from '../entities/tag.js';
import type { ModelStage } from '../entities/enums.js';
import type { PagedList } from '../entities/paged-list.js';

/** One page of a registry search (ref §3.4). */
export interface SearchRegistryArgs {
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Arguments of {@link RegistryStore.createModelVersion}. */
export interface CreateModelVersionArgs {
  name: string;
  source: string;
  runId?: string;
  tags?: readonly ModelVersionTag[];
  runLink?: string;
  description?: string;
  /** Resolved location of a `runs:/` or `models:/` source, if the caller resolved it. */
  storageLocation?: string;
}

/**
 * The model registry: registered models, versions (never reused), stages, aliases, tags.
 * Errors are {@link LablogError}s with MLflow's codes.
 */
export interface RegistryStore {
  createRegisteredModel(name: string, tags?: readonly RegisteredModelTag[], description?: string): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  /** Deletes the model with its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>>;
  /** The highest version per requested stage (all four when none are given). */
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;

  /** Creates version max+1 (starting at 1); versions are never reused, even after deletion. */
  createModelVersion(args: CreateModelVersionArgs): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  /** Soft delete: hidden from then on, its aliases removed, its number never reused. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(args: SearchRegistryArgs): Promise<PagedList<ModelVersion>>;
  /** `archiveExistingVersions` moves other versions in Staging/Production to Archived. */
  transitionModelVersionStage(name: string, version: string, stage: ModelStage | string, archiveExistingVersions: boolean): Promise<ModelVersion>;
  /** `storageLocation` when set, otherwise `source`. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /** Points the alias at the version, moving it if it pointed elsewhere. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /** INVALID_PARAMETER_VALUE "Registered model alias X not found." when absent. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  close(): Promise<void>;
}
