/**
 * Experiment operations of the file store: `<root>/<id>/meta.yaml` + `tags/`, deleted
 * experiments moved whole to `.trash/<id>` (ref §7.2).
 */
import { promises as fs } from 'node:fs';
import { randomInt } from 'node:crypto';
import * as path from 'node:path';
import type { Experiment } from '../../entities/experiment.js';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME } from '../../entities/experiment.js';
import type { ExperimentTag } from '../../entities/tag.js';
import type { ViewType } from '../../entities/enums.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { SearchExperimentsArgs } from '../tracking-store.js';
import { invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import {
  SEARCH_MAX_RESULTS_DEFAULT,
  validateExperimentId,
  validateKey,
  validateSearchMaxResults,
} from '../../validation.js';
import { decodePageToken, pageOf } from '../../search/page-token.js';
import { filterExperiments, parseExperimentFilter, parseExperimentOrderBy, sortExperiments } from '../../search/index.js';
import type { FileStoreContext } from './context.js';
import { META_FILE, TAGS_DIR, appendToUri, keyPath, resolveUriIfLocal } from './paths.js';
import { exists, isAlreadyExists, removeFileAndPrune, writeFileAtomic, writeYamlAtomic } from './fs-io.js';
import { experimentToMeta } from './meta.js';
import { listRunInfos, writeRunMeta } from './run-io.js';
import { checkCreateExperiment, checkRenameExperiment, checkSetExperimentTag } from '../store-arguments.js';

/** Lock key for operations that must see a stable set of experiment names. */
const NAMES_LOCK = 'experiments:names';

/** A random 18-digit positive integer, as MLflow's `_generate_unique_integer_id`. */
export function generateExperimentId(): string {
  let s = String(randomInt(1, 10));
  while (s.length < 18) s += String(randomInt(0, 10));
  return s;
}

async function writeTag(experimentDir: string, tag: ExperimentTag): Promise<void> {
  await writeFileAtomic(keyPath(path.join(experimentDir, TAGS_DIR), tag.key), tag.value, experimentDir);
}

async function createWithId(ctx: FileStoreContext, id: string, name: string, artifactLocation: string | undefined, tags: readonly ExperimentTag[]): Promise<void> {
  const dir = ctx.paths.activeExperimentDir(id);
  await fs.mkdir(dir);
  const now = ctx.now();
  const experiment: Experiment = {
    experimentId: id,
    name,
    artifactLocation: artifactLocation ? resolveUriIfLocal(artifactLocation) : appendToUri(ctx.artifactRoot, id),
    lifecycleStage: 'active',
    creationTime: now,
    lastUpdateTime: now,
    tags: [],
  };
  await writeYamlAtomic(path.join(dir, META_FILE), experimentToMeta(experiment));
  for (const t of tags) await writeTag(dir, t);
}

/**
 * Creates the root, `.trash/`, `models/` and the default experiment `0` ("Default") when it is
 * neither active nor in the trash. (MLflow creates it only when the root itself is missing.)
 */
export async function initRoot(ctx: FileStoreContext): Promise<void> {
  await fs.mkdir(ctx.paths.root, { recursive: true });
  await fs.mkdir(ctx.paths.trash, { recursive: true });
  await fs.mkdir(ctx.paths.models, { recursive: true });
  if (await ctx.locateExperiment(DEFAULT_EXPERIMENT_ID)) return;
  try {
    await createWithId(ctx, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, undefined, []);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** Every readable experiment of a view. */
async function listExperiments(ctx: FileStoreContext, view: ViewType): Promise<Experiment[]> {
  const out: Experiment[] = [];
  for (const { id, trashed } of await ctx.listExperimentIds(view)) {
    const dir = trashed ? ctx.paths.trashedExperimentDir(id) : ctx.paths.activeExperimentDir(id);
    const exp = await ctx.readExperimentAt(dir, id);
    if (exp) out.push(exp);
  }
  return out;
}

/** The experiment with this name, the active one first, deleted ones included; null when none. */
export async function getExperimentByName(ctx: FileStoreContext, name: string): Promise<Experiment | null> {
  const all = (await listExperiments(ctx, 'ALL')).filter((e) => e.name === name);
  return all.find((e) => e.lifecycleStage === 'active') ?? all[0] ?? null;
}

async function checkNameFree(ctx: FileStoreContext, name: string): Promise<void> {
  const existing = await getExperimentByName(ctx, name);
  if (!existing) return;
  if (existing.lifecycleStage === 'deleted') {
    throw resourceAlreadyExists(
      `Experiment '${name}' already exists in deleted state. You can restore the experiment, or permanently delete the experiment from the .trash folder (under tracking server's root folder) in order to use this experiment name again.`,
    );
  }
  throw resourceAlreadyExists(`Experiment '${name}' already exists.`);
}

/** Creates an experiment with a fresh 18-digit id. */
export async function createExperiment(ctx: FileStoreContext, name: string, artifactLocation?: string, tags: readonly ExperimentTag[] = []): Promise<string> {
  checkCreateExperiment(name, artifactLocation, tags);
  return ctx.lock.run(NAMES_LOCK, async () => {
    await checkNameFree(ctx, name);
    for (;;) {
      const id = generateExperimentId();
      if (await ctx.locateExperiment(id)) continue;
      try {
        await createWithId(ctx, id, name, artifactLocation, tags);
        return id;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  });
}

/** The experiment, active or deleted; RESOURCE_DOES_NOT_EXIST when absent. */
export async function getExperiment(ctx: FileStoreContext, experimentId: string): Promise<Experiment> {
  validateExperimentId(experimentId);
  return (await ctx.getExperimentOrThrow(experimentId)).experiment;
}

/** One page of experiments: filtered and sorted in memory (ref §3.3). */
export async function searchExperiments(ctx: FileStoreContext, args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
  const maxResults = args.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
  validateSearchMaxResults(maxResults);
  const comparisons = parseExperimentFilter(args.filter);
  const clauses = parseExperimentOrderBy(args.orderBy);
  const offset = decodePageToken(args.pageToken);
  const all = await listExperiments(ctx, args.viewType ?? 'ACTIVE_ONLY');
  return pageOf(sortExperiments(filterExperiments(all, comparisons), clauses), offset, maxResults);
}

/** Marks the experiment and its active runs deleted, then moves it to `.trash/`. Not for `0`. */
export async function deleteExperiment(ctx: FileStoreContext, experimentId: string): Promise<void> {
  validateExperimentId(experimentId);
  if (experimentId === DEFAULT_EXPERIMENT_ID) {
    throw invalidParameter(`Cannot delete the default experiment '${DEFAULT_EXPERIMENT_ID}'. This is an internally reserved experiment.`);
  }
  await ctx.lock.run(NAMES_LOCK, async () => {
    const loc = await ctx.locateExperiment(experimentId, 'ACTIVE_ONLY');
    const exp = loc ? await ctx.readExperimentAt(loc.dir, experimentId) : null;
    if (!loc || !exp) throw resourceDoesNotExist(`Could not find experiment with ID ${experimentId}`);
    const target = ctx.paths.trashedExperimentDir(experimentId);
    if (await exists(target)) throw invalidParameter(`Cannot delete experiment ${experimentId}: '${target}' already exists.`);
    const now = ctx.now();
    for (const run of await listRunInfos(loc.dir, experimentId, 'ACTIVE_ONLY')) {
      await ctx.lock.run(`run:${run.info.runId}`, () => writeRunMeta(run.dir, { ...run.info, lifecycleStage: 'deleted' }, now));
    }
    const deleted: Experiment = { ...exp, lifecycleStage: 'deleted', lastUpdateTime: now };
    await writeYamlAtomic(path.join(loc.dir, META_FILE), experimentToMeta(deleted, true));
    await fs.mkdir(ctx.paths.trash, { recursive: true });
    await fs.rename(loc.dir, target);
    ctx.forgetRunLocations();
  });
}

/** Moves a deleted experiment back and reactivates its deleted runs. */
export async function restoreExperiment(ctx: FileStoreContext, experimentId: string): Promise<void> {
  validateExperimentId(experimentId);
  await ctx.lock.run(NAMES_LOCK, async () => {
    const loc = await ctx.locateExperiment(experimentId, 'DELETED_ONLY');
    const exp = loc ? await ctx.readExperimentAt(loc.dir, experimentId) : null;
    if (!loc || !exp) throw resourceDoesNotExist(`Could not find deleted experiment with ID ${experimentId}`);
    const target = ctx.paths.activeExperimentDir(experimentId);
    if (await exists(target)) {
      throw resourceAlreadyExists(`Cannot restore experiment with ID ${experimentId}. An experiment with same ID already exists.`);
    }
    await fs.rename(loc.dir, target);
    ctx.forgetRunLocations();
    for (const run of await listRunInfos(target, experimentId, 'DELETED_ONLY')) {
      await ctx.lock.run(`run:${run.info.runId}`, () => writeRunMeta(run.dir, { ...run.info, lifecycleStage: 'active' }));
    }
    const restored: Experiment = { ...exp, lifecycleStage: 'active', lastUpdateTime: ctx.now() };
    await writeYamlAtomic(path.join(target, META_FILE), experimentToMeta(restored, true));
  });
}

/** Renames an active experiment; the new name must be unused, deleted experiments included. */
export async function renameExperiment(ctx: FileStoreContext, experimentId: string, newName: string): Promise<void> {
  checkRenameExperiment(experimentId, newName);
  await ctx.lock.run(NAMES_LOCK, async () => {
    const { experiment, location } = await ctx.getExperimentOrThrow(experimentId);
    if (experiment.lifecycleStage !== 'active' || location.trashed) {
      throw invalidParameter(`Cannot rename experiment in non-active lifecycle stage. Current stage: ${experiment.lifecycleStage}`);
    }
    await checkNameFree(ctx, newName);
    const renamed: Experiment = { ...experiment, name: newName, lastUpdateTime: ctx.now() };
    await writeYamlAtomic(path.join(location.dir, META_FILE), experimentToMeta(renamed, true));
  });
}

async function activeExperimentDir(ctx: FileStoreContext, experimentId: string, action: string): Promise<string> {
  const { experiment, location } = await ctx.getExperimentOrThrow(experimentId);
  if (experiment.lifecycleStage !== 'active' || location.trashed) {
    throw invalidParameter(`The experiment ${experimentId} must be in the 'active' lifecycle_stage to ${action}`);
  }
  return location.dir;
}

/** Sets (overwrites) an experiment tag: `tags/<key>`, raw value. The experiment must be active. */
export async function setExperimentTag(ctx: FileStoreContext, experimentId: string, tag: ExperimentTag): Promise<void> {
  checkSetExperimentTag(experimentId, tag);
  const dir = await activeExperimentDir(ctx, experimentId, 'set tags');
  await writeTag(dir, tag);
}

/** Deletes an experiment tag; RESOURCE_DOES_NOT_EXIST when absent. The experiment must be active. */
export async function deleteExperimentTag(ctx: FileStoreContext, experimentId: string, key: string): Promise<void> {
  validateExperimentId(experimentId);
  validateKey(key, 'tag');
  const dir = await activeExperimentDir(ctx, experimentId, 'delete tags');
  const tagsDir = path.join(dir, TAGS_DIR);
  const file = keyPath(tagsDir, key);
  const st = await fs.stat(file).catch(() => null);
  if (!st || !st.isFile()) throw resourceDoesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`);
  await removeFileAndPrune(file, tagsDir);
}
