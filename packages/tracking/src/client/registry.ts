import { realpath } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { RegisteredModel } from '../entities/registered-model.js';
import type { ModelVersion } from '../entities/model-version.js';
import type { ModelStage } from '../entities/enums.js';
import type { PagedList } from '../entities/paged-list.js';
import type { RegistryStore } from '../store/registry-store.js';
import { LablogError, invalidParameter } from '../errors.js';
import {
  missingValue,
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
} from '../validation.js';
import { fileUriToPath, uriScheme } from '../artifacts/file-uri.js';
import { parseModelUri, resolveModelVersion, safeDecode } from '../model-uri.js';
import { tagList, type TagsInput } from './client-base.js';
import { ArtifactsClient } from './artifacts.js';

/** A model version number, as a number or a string holding one (`3` or `"3"`). */
export type ModelVersionNumber = number | string;

/** Options of {@link RegistryClient.createRegisteredModel}. */
export interface CreateRegisteredModelOptions {
  tags?: TagsInput;
  description?: string;
}

/** Options of the registry searches ({@link RegistryClient.searchRegisteredModels}, {@link RegistryClient.searchModelVersions}). */
export interface RegistrySearchOptions {
  /**
   * MLflow filter (ref §3.4). Registered models: `name`, `tags.<k>`; model versions: `name`,
   * `run_id` (also `IN (…)`), `source_path`, `version_number`, `tags.<k>`.
   */
  filter?: string;
  /** e.g. `['name ASC']`, `['version_number DESC']`. */
  orderBy?: readonly string[];
  /**
   * All-pages calls: most results returned (default: all). One-page calls: the page size
   * (default 100 models / 10 000 versions, as MLflow).
   */
  maxResults?: number;
  /** All-pages calls only: results per store call (default and maximum: 1000 models / 200 000 versions). */
  pageSize?: number;
  /** Start from this page (as returned by a one-page call). */
  pageToken?: string;
}

/** Options of {@link RegistryClient.createModelVersion}. */
export interface CreateModelVersionOptions {
  runId?: string;
  tags?: TagsInput;
  runLink?: string;
  description?: string;
}

/** Options of {@link RegistryClient.transitionModelVersionStage}. */
export interface TransitionModelVersionStageOptions {
  /** Move the other versions in the target stage to Archived (Staging and Production only). */
  archiveExistingVersions?: boolean;
}

/** Options of {@link RegistryClient.registerModel}. */
export interface RegisterModelOptions {
  /** Tags of the new model version. */
  tags?: TagsInput;
  /** Seconds to wait while the version is PENDING_REGISTRATION (default 300; 0: don't wait). */
  awaitRegistration?: number;
}

/** Polling interval while a version is pending registration. */
const REGISTRATION_POLL_MS = 1000;

/**
 * Model registry calls of {@link TrackingClient} (MLflow's `MlflowClient` registry methods):
 * registered models, versions, stages, aliases, tags, and `registerModel`. Each goes to the
 * registry store of the tracking URI; a backend without one answers NOT_IMPLEMENTED.
 */
export class RegistryClient extends ArtifactsClient {
  /**
   * The raw registry store. Prefer the client methods (`createRegisteredModel`,
   * `registerModel`, …), which are the API; this stays for code that needs the store itself.
   * @throws LablogError NOT_IMPLEMENTED when the backend has no registry.
   */
  get registry(): RegistryStore {
    if (!this.registryStoreOrNull) {
      throw new LablogError(`The tracking URI '${this.trackingUri}' has no model registry.`, 'NOT_IMPLEMENTED');
    }
    return this.registryStoreOrNull;
  }

  // ---- registered models ---------------------------------------------------------------------

  /** Creates a registered model; RESOURCE_ALREADY_EXISTS when the name is taken. */
  async createRegisteredModel(name: string, options: CreateRegisteredModelOptions = {}): Promise<RegisteredModel> {
    return this.registry.createRegisteredModel(name, tagList(options.tags), options.description);
  }

  /** The registered model with its latest version per stage, tags and aliases; RESOURCE_DOES_NOT_EXIST when absent. */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getRegisteredModel(name);
  }

  /** Renames a registered model; its versions, tags and aliases move with it. */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.registry.renameRegisteredModel(name, newName);
  }

  /** Sets the description of a registered model. */
  async updateRegisteredModel(name: string, options: { description: string }): Promise<RegisteredModel> {
    return this.registry.updateRegisteredModel(name, options.description);
  }

  /** Deletes a registered model with all its versions, tags and aliases. */
  async deleteRegisteredModel(name: string): Promise<void> {
    return this.registry.deleteRegisteredModel(name);
  }

  /** Every matching registered model, in order, following the store's pages up to `maxResults`. */
  async searchRegisteredModels(options: RegistrySearchOptions = {}): Promise<RegisteredModel[]> {
    const pageSize = Math.min(options.pageSize ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);
    return allPages(options, pageSize, (o) => this.searchRegisteredModelsPage(o));
  }

  /** One page of a registered-model search (`maxResults` per page, default 100, at most 1000). */
  async searchRegisteredModelsPage(options: RegistrySearchOptions = {}): Promise<PagedList<RegisteredModel>> {
    return this.registry.searchRegisteredModels({
      filter: options.filter,
      orderBy: options.orderBy,
      maxResults: options.maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
      pageToken: options.pageToken,
    });
  }

  /** The highest version in each requested stage (case-insensitive; all four when none given). */
  async getLatestVersions(name: string, stages?: readonly (ModelStage | string)[]): Promise<ModelVersion[]> {
    return this.registry.getLatestVersions(name, stages);
  }

  /** Sets (overwrites) one registered-model tag. */
  async setRegisteredModelTag(name: string, key: string, value: string | number | boolean): Promise<void> {
    return this.registry.setRegisteredModelTag(name, { key, value: String(value) });
  }

  /** Deletes one registered-model tag. */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.registry.deleteRegisteredModelTag(name, key);
  }

  // ---- model versions ------------------------------------------------------------------------

  /**
   * Creates the next version (max + 1, never reused) of a registered model from `source`,
   * stored as given; the store checks nothing about the source. {@link registerModel} is the
   * checked path (URI forms, run existence, local paths).
   */
  async createModelVersion(name: string, source: string, options: CreateModelVersionOptions = {}): Promise<ModelVersion> {
    return this.registry.createModelVersion({
      name,
      source,
      runId: options.runId,
      tags: tagList(options.tags),
      runLink: options.runLink,
      description: options.description,
    });
  }

  /** One model version; RESOURCE_DOES_NOT_EXIST when absent (or deleted). */
  async getModelVersion(name: string, version: ModelVersionNumber): Promise<ModelVersion> {
    return this.registry.getModelVersion(name, String(version));
  }

  /** Sets the description of a model version. */
  async updateModelVersion(name: string, version: ModelVersionNumber, options: { description: string }): Promise<ModelVersion> {
    return this.registry.updateModelVersion(name, String(version), options.description);
  }

  /** Deletes a model version (its number is never reused; its aliases are removed). */
  async deleteModelVersion(name: string, version: ModelVersionNumber): Promise<void> {
    return this.registry.deleteModelVersion(name, String(version));
  }

  /** Every matching model version, in order, following the store's pages up to `maxResults`. */
  async searchModelVersions(options: RegistrySearchOptions = {}): Promise<ModelVersion[]> {
    const pageSize = Math.min(options.pageSize ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
    return allPages(options, pageSize, (o) => this.searchModelVersionsPage(o));
  }

  /** One page of a model-version search (`maxResults` per page, default 10 000, at most 200 000). */
  async searchModelVersionsPage(options: RegistrySearchOptions = {}): Promise<PagedList<ModelVersion>> {
    return this.registry.searchModelVersions({
      filter: options.filter,
      orderBy: options.orderBy,
      maxResults: options.maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
      pageToken: options.pageToken,
    });
  }

  /**
   * Moves a version to a stage (`None`, `Staging`, `Production`, `Archived`, any case).
   * Stages are deprecated by MLflow in favour of aliases, and still supported.
   */
  async transitionModelVersionStage(
    name: string,
    version: ModelVersionNumber,
    stage: ModelStage | string,
    options: TransitionModelVersionStageOptions = {},
  ): Promise<ModelVersion> {
    return this.registry.transitionModelVersionStage(name, String(version), stage, options.archiveExistingVersions ?? false);
  }

  /** Where the version's files are: its storage location when resolved, otherwise its source. */
  async getModelVersionDownloadUri(name: string, version: ModelVersionNumber): Promise<string> {
    return this.registry.getModelVersionDownloadUri(name, String(version));
  }

  /** Sets (overwrites) one model-version tag. */
  async setModelVersionTag(name: string, version: ModelVersionNumber, key: string, value: string | number | boolean): Promise<void> {
    return this.registry.setModelVersionTag(name, String(version), { key, value: String(value) });
  }

  /** Deletes one model-version tag. */
  async deleteModelVersionTag(name: string, version: ModelVersionNumber, key: string): Promise<void> {
    return this.registry.deleteModelVersionTag(name, String(version), key);
  }

  // ---- aliases -------------------------------------------------------------------------------

  /** Points `alias` at `version`, moving it if it pointed elsewhere (ref §5.2 for alias names). */
  async setRegisteredModelAlias(name: string, alias: string, version: ModelVersionNumber): Promise<void> {
    return this.registry.setRegisteredModelAlias(name, alias, String(version));
  }

  /** Removes an alias. */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.registry.deleteRegisteredModelAlias(name, alias);
  }

  /** The version an alias points to; INVALID_PARAMETER_VALUE "Registered model alias X not found." when absent. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getModelVersionByAlias(name, alias);
  }

  // ---- registerModel -------------------------------------------------------------------------

  /**
   * Registers the model at `modelUri` as a new version of `name` (MLflow's `register_model`),
   * creating the registered model first when it does not exist. The URI is checked first, so
   * a bad one creates nothing:
   * - `runs:/<run_id>/<path>`: the run must exist; the version gets its `runId`, and the
   *   run's artifact location joined with the path as storage location;
   * - `models:/<name>/<version|stage|latest>` or `models:/<name>@<alias>`: resolved to that
   *   version's download URI (and its run id);
   * - a local path or `file:` URI: accepted only inside the tracking store's artifact root,
   *   as MLflow's server accepts local sources only inside a run's artifact directory;
   * - any other URI: accepted unless it has `..` segments or NUL bytes (the server's rule).
   *
   * The version's `source` is `modelUri` as given; `tags` go on the version.
   * @throws LablogError INVALID_PARAMETER_VALUE for a malformed or refused URI,
   *   RESOURCE_DOES_NOT_EXIST for an unknown run or model version, NOT_IMPLEMENTED without a registry.
   */
  async registerModel(modelUri: string, name: string, options: RegisterModelOptions = {}): Promise<ModelVersion> {
    const registry = this.registry;
    const resolved = await this.resolveModelSource(modelUri);
    try {
      await registry.createRegisteredModel(name);
    } catch (e) {
      if (!(LablogError.is(e) && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e;
    }
    const created = await registry.createModelVersion({ name, source: modelUri, tags: tagList(options.tags), ...resolved });
    return this.awaitRegistration(created, options.awaitRegistration ?? 300);
  }

  /** Checks a model source for {@link registerModel}; returns its run id and storage location. */
  private async resolveModelSource(uri: string): Promise<{ runId?: string; storageLocation?: string }> {
    if (typeof uri !== 'string' || uri === '') throw missingValue('model_uri');
    const scheme = uriScheme(uri);
    if (scheme === 'runs') {
      const parsed = parseModelUri(uri);
      if (parsed.kind !== 'run') throw invalidParameter(`Not a proper runs:/ URI: ${uri}`);
      const run = await this.getRun(parsed.runId);
      const root = run.info.artifactUri.replace(/\/+$/, '');
      return { runId: parsed.runId, storageLocation: parsed.artifactPath === '' ? root : `${root}/${parsed.artifactPath}` };
    }
    if (scheme === 'models') {
      const version = await resolveModelVersion(this, parseModelUri(uri));
      const storageLocation = await this.getModelVersionDownloadUri(version.name, version.version);
      return version.runId ? { runId: version.runId, storageLocation } : { storageLocation };
    }
    if (scheme === null || scheme === 'file') {
      await this.checkLocalSource(uri);
      return {};
    }
    const decoded = safeDecode(uri);
    if (decoded.includes('\0') || decoded.split(/[/\\]/).includes('..')) {
      throw invalidParameter(`Invalid model version source: '${uri}'. A model source URI must be absolute, without '..' segments or NUL bytes.`);
    }
    return {};
  }

  /** A local source must lie inside the tracking store's artifact root (symlinks followed). */
  private async checkLocalSource(uri: string): Promise<void> {
    const root = await this.localArtifactRoot();
    const refuse = (): LablogError =>
      invalidParameter(
        `Invalid model version source: '${uri}'. A local path can be registered only inside the tracking store's artifact root` +
          `${root === undefined ? ', and this store keeps its artifacts elsewhere' : ` ('${root}')`}; register 'runs:/<run_id>/<path>' instead.`,
      );
    if (root === undefined || uri.includes('\0')) throw refuse();
    const path = fileUriToPath(uri);
    const [realRoot, realPath] = await Promise.all([realpathOrNearest(root), realpathOrNearest(path)]);
    const rel = nodePath.relative(realRoot, realPath);
    if (rel === '' || rel === '..' || rel.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(rel)) throw refuse();
  }

  /**
   * The tracking store's artifact root as a local path, or undefined when it is not local: the
   * store's `defaultArtifactRoot` when it declares one (FileStore), else the parent of the
   * Default experiment's `<root>/0` location (SqliteStore and others).
   */
  private async localArtifactRoot(): Promise<string | undefined> {
    const declared = (this.store as { defaultArtifactRoot?: unknown }).defaultArtifactRoot;
    let root = typeof declared === 'string' ? declared : undefined;
    if (root === undefined) {
      const location = (await this.store.getExperiment('0').catch(() => undefined))?.artifactLocation;
      if (location === undefined) return undefined;
      root = location.replace(/\/+$/, '').replace(/\/0$/, '');
    }
    const scheme = uriScheme(root);
    if (scheme !== null && scheme !== 'file') return undefined;
    try {
      return fileUriToPath(root);
    } catch {
      return undefined;
    }
  }

  /** Polls a PENDING_REGISTRATION version until READY, FAILED_REGISTRATION or the timeout. */
  private async awaitRegistration(version: ModelVersion, seconds: number): Promise<ModelVersion> {
    const deadline = Date.now() + seconds * 1000;
    let current = version;
    while (current.status === 'PENDING_REGISTRATION' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(REGISTRATION_POLL_MS, Math.max(0, deadline - Date.now()))));
      current = await this.getModelVersion(version.name, version.version);
    }
    if (current.status === 'FAILED_REGISTRATION') {
      throw new LablogError(
        `Model version creation failed for model name: ${current.name} version: ${current.version} with status: ${current.status} and message: ${current.statusMessage ?? ''}`,
        'INTERNAL_ERROR',
      );
    }
    return current;
  }
}

/** Follows pages of a registry search until `maxResults` items or the last page. */
async function allPages<T>(options: RegistrySearchOptions, pageSize: number, page: (o: RegistrySearchOptions) => Promise<PagedList<T>>): Promise<T[]> {
  const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
  const out: T[] = [];
  let pageToken = options.pageToken;
  while (out.length < limit) {
    const p = await page({ ...options, pageToken, maxResults: Math.min(pageSize, limit - out.length) });
    for (const item of p.items) out.push(item);
    if (!p.nextPageToken || p.items.length === 0) break;
    pageToken = p.nextPageToken;
  }
  return out;
}

/** `realpath` of the path, or of its nearest existing ancestor with the rest appended. */
async function realpathOrNearest(path: string): Promise<string> {
  let head = nodePath.resolve(path);
  const tail: string[] = [];
  for (;;) {
    try {
      return nodePath.join(await realpath(head), ...tail.reverse());
    } catch {
      const parent = nodePath.dirname(head);
      if (parent === head) return nodePath.resolve(path);
      tail.push(nodePath.basename(head));
      head = parent;
    }
  }
}
