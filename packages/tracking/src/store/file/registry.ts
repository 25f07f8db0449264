/**
 * Model-registry operations of the file store (ref §6, §7.3). Versions are soft-deleted with
 * `current_stage: Deleted_Internal`, so their numbers are never reused; every mutation bumps
 * the registered model's `last_updated_timestamp`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelVersion } from '../../entities/model-version.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { ModelVersionTag, RegisteredModelTag } from '../../entities/tag.js';
import type { ModelStage } from '../../entities/enums.js';
import { MODEL_STAGES, modelStageFrom } from '../../entities/enums.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { CreateModelVersionArgs, SearchRegistryArgs } from '../registry-store.js';
import { invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
  validateAlias,
  missingValue,
  validateKey,
  validateModelVersion,
  validateRegisteredModelName,
  validateRegistryTag,
  validateSearchMaxResults,
} from '../../validation.js';
import { decodePageToken, pageOf } from '../../search/page-token.js';
import {
  filterModelVersions,
  filterRegisteredModels,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  sortModelVersions,
  sortRegisteredModels,
} from '../../search/index.js';
import type { FileStoreContext } from './context.js';
import { ALIASES_DIR, META_FILE, TAGS_DIR, VERSION_DIR_PREFIX, keyPath } from './paths.js';
import { exists, isAlreadyExists, listSubdirs, readKeyValueDir, readText, removeFileAndPrune, writeFileAtomic, writeYamlAtomic } from './fs-io.js';
import { STAGE_DELETED_INTERNAL, registeredModelToMeta } from './meta.js';
import type { ModelVersionMeta } from './meta.js';
import {
  isDeleted,
  latestPerStage,
  listVersions,
  readAliases,
  readModelMeta,
  readRegisteredModel,
  readVersion,
  saveModelMeta,
  saveVersionMeta,
  toModelVersion,
  touchModel,
} from './registry-io.js';
import type { StoredVersion } from './registry-io.js';
import { checkCreateRegisteredModel } from '../store-arguments.js';

const modelLock = (name: string): string => `model:${name}`;

/** Registered models carrying this tag = 'true' are prompts; searches hide them unless the filter names the tag. */
const PROMPT_TAG = 'mlflow.prompt.is_prompt';
const mentionsPromptTag = (cs: readonly { type: string; key: string }[]): boolean => cs.some((c) => c.type === 'tag' && c.key === PROMPT_TAG);
const isPrompt = (tags: readonly RegisteredModelTag[]): boolean => tags.some((t) => t.key === PROMPT_TAG && t.value === 'true');
const notFound = (name: string) => resourceDoesNotExist(`Registered Model with name=${name} not found`);
const versionNotFound = (name: string, version: string | number) => resourceDoesNotExist(`Model Version (name=${name}, version=${version}) not found`);

/** The model's directory; RESOURCE_DOES_NOT_EXIST when it has no readable meta. */
async function modelDirOf(ctx: FileStoreContext, name: string): Promise<string> {
  validateRegisteredModelName(name);
  const dir = ctx.paths.modelDir(name);
  if (!(await readModelMeta(dir))) throw notFound(name);
  return dir;
}

/** A live (not deleted) version; RESOURCE_DOES_NOT_EXIST otherwise. */
async function liveVersion(ctx: FileStoreContext, name: string, version: string): Promise<{ dir: string; v: StoredVersion }> {
  const n = validateModelVersion(version);
  const dir = await modelDirOf(ctx, name);
  const v = await readVersion(dir, name, n);
  if (!v || isDeleted(v)) throw versionNotFound(name, version);
  return { dir, v };
}

async function entityOf(dir: string, v: StoredVersion): Promise<ModelVersion> {
  return toModelVersion(await readVersion(dir, v.meta.name, v.meta.version) ?? v, await readAliases(dir));
}

/** Creates a registered model; RESOURCE_ALREADY_EXISTS for a taken name. */
export async function createRegisteredModel(ctx: FileStoreContext, name: string, tags: readonly RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
  checkCreateRegisteredModel(name, tags);
  const dir = ctx.paths.modelDir(name);
  return ctx.lock.run(modelLock(name), async () => {
    await fs.mkdir(ctx.paths.models, { recursive: true });
    try {
      await fs.mkdir(dir);
    } catch (e) {
      if (isAlreadyExists(e)) throw resourceAlreadyExists(`Registered Model (name=${name}) already exists.`);
      throw e;
    }
    const now = ctx.now();
    await writeYamlAtomic(
      path.join(dir, META_FILE),
      registeredModelToMeta({ name, creationTimestamp: now, lastUpdatedTimestamp: now, description: description ?? null, aliases: {} }),
      dir,
    );
    for (const t of tags) await writeFileAtomic(keyPath(path.join(dir, TAGS_DIR), t.key), t.value, dir);
    return (await readRegisteredModel(dir))!;
  });
}

/** The registered model with its tags, aliases and latest version per stage. */
export async function getRegisteredModel(ctx: FileStoreContext, name: string): Promise<RegisteredModel> {
  const dir = await modelDirOf(ctx, name);
  const m = await readRegisteredModel(dir);
  if (!m) throw notFound(name);
  return m;
}

/** Renames the model directory (tags, aliases and versions move with it) and rewrites the metas. */
export async function renameRegisteredModel(ctx: FileStoreContext, name: string, newName: string): Promise<RegisteredModel> {
  validateRegisteredModelName(newName, 'new_name');
  return ctx.lock.run(modelLock(name), () =>
    ctx.lock.run(modelLock(newName), async () => {
      const dir = await modelDirOf(ctx, name);
      const target = ctx.paths.modelDir(newName);
      if (await exists(target)) throw resourceAlreadyExists(`Registered Model (name=${newName}) already exists.`);
      await fs.rename(dir, target);
      const now = ctx.now();
      for (const v of await listVersions(target, name)) {
        await saveVersionMeta(target, { ...v.meta, name: newName, lastUpdatedTimestamp: now });
      }
      const meta = (await readModelMeta(target))!;
      await saveModelMeta(target, { ...meta, name: newName, lastUpdatedTimestamp: now });
      return (await readRegisteredModel(target))!;
    }),
  );
}

/** Sets the description. */
export async function updateRegisteredModel(ctx: FileStoreContext, name: string, description: string): Promise<RegisteredModel> {
  return ctx.lock.run(modelLock(name), async () => {
    const dir = await modelDirOf(ctx, name);
    const meta = (await readModelMeta(dir))!;
    await saveModelMeta(dir, { ...meta, description, lastUpdatedTimestamp: ctx.now() });
    return (await readRegisteredModel(dir))!;
  });
}

/** Removes the model with its versions, tags and aliases. */
export async function deleteRegisteredModel(ctx: FileStoreContext, name: string): Promise<void> {
  await ctx.lock.run(modelLock(name), async () => {
    const dir = await modelDirOf(ctx, name);
    await fs.rm(dir, { recursive: true, force: true });
  });
}

async function allModelDirs(ctx: FileStoreContext): Promise<string[]> {
  return (await listSubdirs(ctx.paths.models)).map((d) => path.join(ctx.paths.models, d));
}

/** One page of registered models, filtered and sorted in memory (ref §3.4). */
export async function searchRegisteredModels(ctx: FileStoreContext, args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
  const maxResults = args.maxResults ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
  validateSearchMaxResults(maxResults, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);
  const comparisons = parseRegisteredModelFilter(args.filter);
  const clauses = parseRegisteredModelOrderBy(args.orderBy);
  const offset = decodePageToken(args.pageToken);
  const showPrompts = mentionsPromptTag(comparisons);
  const models: RegisteredModel[] = [];
  for (const dir of await allModelDirs(ctx)) {
    const m = await readRegisteredModel(dir);
    if (m && (showPrompts || !isPrompt(m.tags))) models.push(m);
  }
  return pageOf(sortRegisteredModels(filterRegisteredModels(models, comparisons), clauses), offset, maxResults);
}

function canonicalStage(stage: unknown): ModelStage {
  const s = modelStageFrom(stage);
  if (!s) throw invalidParameter(`Invalid Model Version stage: ${String(stage)}. Value must be one of ${MODEL_STAGES.join(', ')}.`);
  return s;
}

/** The highest live version in each requested stage (all four when none are given). */
export async function getLatestVersions(ctx: FileStoreContext, name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
  const wanted = stages && stages.length > 0 ? stages.map(canonicalStage) : MODEL_STAGES;
  const dir = await modelDirOf(ctx, name);
  const aliases = await readAliases(dir);
  const versions = (await listVersions(dir, name)).filter((v) => !isDeleted(v));
  return latestPerStage(versions, wanted).map((v) => toModelVersion(v, aliases));
}

async function mutateModel(ctx: FileStoreContext, name: string, fn: (dir: string) => Promise<boolean>): Promise<void> {
  await ctx.lock.run(modelLock(name), async () => {
    const dir = await modelDirOf(ctx, name);
    if (await fn(dir)) await touchModel(dir, ctx.now());
  });
}

/** Sets (overwrites) a registered-model tag. */
export async function setRegisteredModelTag(ctx: FileStoreContext, name: string, tag: RegisteredModelTag): Promise<void> {
  validateRegistryTag(tag);
  await mutateModel(ctx, name, async (dir) => {
    await writeFileAtomic(keyPath(path.join(dir, TAGS_DIR), tag.key), tag.value, dir);
    return true;
  });
}

/** Deletes a registered-model tag (no error when absent, as MLflow's file store). */
export async function deleteRegisteredModelTag(ctx: FileStoreContext, name: string, key: string): Promise<void> {
  validateKey(key, 'tag');
  await mutateModel(ctx, name, async (dir) => {
    const tagsDir = path.join(dir, TAGS_DIR);
    const file = keyPath(tagsDir, key);
    if (!(await exists(file))) return false;
    await removeFileAndPrune(file, tagsDir);
    return true;
  });
}

/** Creates version max+1 (deleted versions count, so numbers are never reused). */
export async function createModelVersion(ctx: FileStoreContext, args: CreateModelVersionArgs): Promise<ModelVersion> {
  validateRegisteredModelName(args.name);
  if (typeof args.source !== 'string') throw missingValue('source');
  for (const t of args.tags ?? []) validateRegistryTag(t);
  return ctx.lock.run(modelLock(args.name), async () => {
    const dir = await modelDirOf(ctx, args.name);
    const existing = await listVersions(dir, args.name);
    let version = existing.reduce((max, v) => Math.max(max, v.meta.version), 0) + 1;
    for (;;) {
      try {
        await fs.mkdir(path.join(dir, `${VERSION_DIR_PREFIX}${version}`));
        break;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        version += 1;
      }
    }
    const now = ctx.now();
    const meta: ModelVersionMeta = {
      name: args.name,
      version,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      currentStage: 'None',
      description: args.description ?? null,
      source: args.source,
      storageLocation: args.storageLocation ?? args.source,
      runId: args.runId ?? null,
      runLink: args.runLink ?? null,
      userId: null,
      status: 'READY',
      statusMessage: null,
      aliases: [],
    };
    await saveVersionMeta(dir, meta);
    const versionDir = path.join(dir, `${VERSION_DIR_PREFIX}${version}`);
    for (const t of args.tags ?? []) await writeFileAtomic(keyPath(path.join(versionDir, TAGS_DIR), t.key), t.value, versionDir);
    await touchModel(dir, now);
    return toModelVersion((await readVersion(dir, args.name, version))!, await readAliases(dir));
  });
}

/** A live version; RESOURCE_DOES_NOT_EXIST when absent or deleted. */
export async function getModelVersion(ctx: FileStoreContext, name: string, version: string): Promise<ModelVersion> {
  const { dir, v } = await liveVersion(ctx, name, version);
  return toModelVersion(v, await readAliases(dir));
}

async function mutateVersion(
  ctx: FileStoreContext,
  name: string,
  version: string,
  fn: (dir: string, v: StoredVersion, now: number) => Promise<void>,
): Promise<ModelVersion> {
  return ctx.lock.run(modelLock(name), async () => {
    const { dir, v } = await liveVersion(ctx, name, version);
    const now = ctx.now();
    await fn(dir, v, now);
    await touchModel(dir, now);
    return entityOf(dir, v);
  });
}

/** Sets a version's description. */
export async function updateModelVersion(ctx: FileStoreContext, name: string, version: string, description: string): Promise<ModelVersion> {
  return mutateVersion(ctx, name, version, (dir, v, now) => saveVersionMeta(dir, { ...v.meta, description, lastUpdatedTimestamp: now }));
}

/** Soft delete: `Deleted_Internal`, its aliases removed, its number kept. */
export async function deleteModelVersion(ctx: FileStoreContext, name: string, version: string): Promise<void> {
  await mutateVersion(ctx, name, version, async (dir, v, now) => {
    const aliases = await readAliases(dir);
    for (const [alias, target] of Object.entries(aliases)) {
      if (target === String(v.meta.version)) await fs.rm(path.join(dir, ALIASES_DIR, alias), { force: true });
    }
    await saveVersionMeta(dir, { ...v.meta, currentStage: STAGE_DELETED_INTERNAL, lastUpdatedTimestamp: now });
  });
}

/** One page of live versions of all models, filtered and sorted in memory (ref §3.4). */
export async function searchModelVersions(ctx: FileStoreContext, args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
  const maxResults = args.maxResults ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
  validateSearchMaxResults(maxResults, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
  const comparisons = parseModelVersionFilter(args.filter);
  const clauses = parseModelVersionOrderBy(args.orderBy);
  const offset = decodePageToken(args.pageToken);
  const showPrompts = mentionsPromptTag(comparisons);
  const all: ModelVersion[] = [];
  for (const dir of await allModelDirs(ctx)) {
    const meta = await readModelMeta(dir);
    if (!meta) continue;
    if (!showPrompts && (await readKeyValueDir(path.join(dir, TAGS_DIR))).some(([k, v]) => k === PROMPT_TAG && v === 'true')) continue;
    const aliases = await readAliases(dir);
    for (const v of await listVersions(dir, meta.name)) if (!isDeleted(v)) all.push(toModelVersion(v, aliases));
  }
  return pageOf(sortModelVersions(filterModelVersions(all, comparisons), clauses), offset, maxResults);
}

/** Moves a version to a stage; with `archiveExisting`, other versions in Staging/Production go to Archived. */
export async function transitionModelVersionStage(
  ctx: FileStoreContext,
  name: string,
  version: string,
  stage: string,
  archiveExisting: boolean,
): Promise<ModelVersion> {
  const target = canonicalStage(stage);
  if (archiveExisting && target !== 'Staging' && target !== 'Production') {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
    );
  }
  return mutateVersion(ctx, name, version, async (dir, v, now) => {
    if (archiveExisting) {
      for (const other of await listVersions(dir, name)) {
        if (other.meta.version !== v.meta.version && other.meta.currentStage === target) {
          await saveVersionMeta(dir, { ...other.meta, currentStage: 'Archived', lastUpdatedTimestamp: now });
        }
      }
    }
    await saveVersionMeta(dir, { ...v.meta, currentStage: target, lastUpdatedTimestamp: now });
  });
}

/** `storage_location` when set, otherwise `source`. */
export async function getModelVersionDownloadUri(ctx: FileStoreContext, name: string, version: string): Promise<string> {
  const { v } = await liveVersion(ctx, name, version);
  return v.meta.storageLocation || v.meta.source;
}

/** Sets (overwrites) a version tag. */
export async function setModelVersionTag(ctx: FileStoreContext, name: string, version: string, tag: ModelVersionTag): Promise<void> {
  validateRegistryTag(tag);
  await mutateVersion(ctx, name, version, async (dir, v) => {
    const versionDir = path.join(dir, `${VERSION_DIR_PREFIX}${v.meta.version}`);
    await writeFileAtomic(keyPath(path.join(versionDir, TAGS_DIR), tag.key), tag.value, versionDir);
  });
}

/** Deletes a version tag (no error when absent, as MLflow's file store). */
export async function deleteModelVersionTag(ctx: FileStoreContext, name: string, version: string, key: string): Promise<void> {
  validateKey(key, 'tag');
  await mutateVersion(ctx, name, version, async (dir, v) => {
    const tagsDir = path.join(dir, `${VERSION_DIR_PREFIX}${v.meta.version}`, TAGS_DIR);
    await removeFileAndPrune(keyPath(tagsDir, key), tagsDir);
  });
}

/** Points `aliases/<alias>` at a live version (moving it if it pointed elsewhere). */
export async function setRegisteredModelAlias(ctx: FileStoreContext, name: string, alias: string, version: string): Promise<void> {
  validateAlias(alias);
  await mutateVersion(ctx, name, version, async (dir, v) => {
    await writeFileAtomic(path.join(dir, ALIASES_DIR, alias), String(v.meta.version), dir);
  });
}

/** Removes an alias (no error when absent, as MLflow's file store). */
export async function deleteRegisteredModelAlias(ctx: FileStoreContext, name: string, alias: string): Promise<void> {
  validateAlias(alias);
  await mutateModel(ctx, name, async (dir) => {
    const file = path.join(dir, ALIASES_DIR, alias);
    if (!(await exists(file))) return false;
    await fs.rm(file, { force: true });
    return true;
  });
}

/** The version an alias points at; `latest` (any case) is the first of the latest-per-stage list. */
export async function getModelVersionByAlias(ctx: FileStoreContext, name: string, alias: string): Promise<ModelVersion> {
  if (typeof alias === 'string' && alias.toLowerCase() === 'latest') {
    const latest = await getLatestVersions(ctx, name);
    if (latest.length === 0) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return latest[0]!;
  }
  validateAlias(alias);
  const dir = await modelDirOf(ctx, name);
  const version = await readText(path.join(dir, ALIASES_DIR, alias));
  if (version === null) throw invalidParameter(`Registered model alias ${alias} not found.`);
  return getModelVersion(ctx, name, version.trim());
}
