/**
 * Run operations of the file store: `<experiment>/<run_id>/` with `meta.yaml`, `metrics/`,
 * `params/`, `tags/`, `artifacts/`, `inputs/` (ref §7.2). Every write validates first and
 * checks the whole request against what is on disk before it writes its first byte.
 */
import { promises as fs } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { RunTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { PagedList } from '../../entities/paged-list.js';
import type { CreateRunArgs, LogBatchArgs, MetricHistoryArgs, SearchRunsArgs, UpdateRunArgs } from '../tracking-store.js';
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import {
  GET_METRIC_HISTORY_MAX_RESULTS,
  SEARCH_MAX_RESULTS_DEFAULT,
  paramChangedMessage,
  validateExperimentId,
  validateKey,
  validateRunId,
  validateRunTag,
  validateSearchMaxResults,
} from '../../validation.js';
import { MLFLOW_LOGGED_MODELS, MLFLOW_RUN_NAME } from '../../tags.js';
import { appendLoggedModel } from '../../logged-model-history.js';
import { generateRunName } from '../../run-name.js';
import { decodePageToken, pageOf } from '../../search/page-token.js';
import { filterRuns, parseRunFilter, parseRunOrderBy, sortRuns } from '../../search/index.js';
import { FileStoreContext } from './context.js';
import type { RunLocation } from './context.js';
import { ARTIFACTS_DIR, DATASETS_DIR, INPUTS_DIR, META_FILE, METRICS_DIR, PARAMS_DIR, TAGS_DIR, appendToUri, keyPath } from './paths.js';
import { exists, keyPathConflict, readText, removeFileAndPrune, writeFileAtomic, writeYamlAtomic } from './fs-io.js';
import { datasetInputToMeta, datasetToMeta } from './meta.js';
import { formatMetricLine } from './metric-file.js';
import { listRunInfos, readMetricHistory, readRun, writeRunMeta } from './run-io.js';
import { checkDeleteTag, checkLogBatch, checkLogInputs, checkRecordLoggedModel } from '../store-arguments.js';

const runLock = (runId: string): string => `run:${runId}`;

async function writeTagFile(runDir: string, tag: RunTag): Promise<void> {
  await writeFileAtomic(keyPath(path.join(runDir, TAGS_DIR), tag.key), tag.value, runDir);
}

/** Creates a run in an active experiment; its name is also stored as the `mlflow.runName` tag. */
export async function createRun(ctx: FileStoreContext, args: CreateRunArgs): Promise<Run> {
  validateExperimentId(args.experimentId);
  const tags = args.tags.map((t, i) => validateRunTag(t, ctx.policy, `tags[${i}]`));
  const { experiment, location } = await ctx.getExperimentOrThrow(args.experimentId);
  if (experiment.lifecycleStage !== 'active' || location.trashed) {
    throw new LablogError(`Could not create run under non-active experiment with ID ${args.experimentId}.`, 'INVALID_STATE');
  }
  const tagName = [...tags].reverse().find((t) => t.key === MLFLOW_RUN_NAME)?.value;
  if (args.runName && tagName && args.runName !== tagName) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${args.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const runName = args.runName || tagName || generateRunName();
  if (!tagName) tags.push({ key: MLFLOW_RUN_NAME, value: runName });
  const runId = randomUUID().replace(/-/g, '');
  const info: RunInfo = {
    runId,
    experimentId: args.experimentId,
    runName,
    userId: args.userId ?? '',
    status: 'RUNNING',
    startTime: args.startTime,
    endTime: null,
    artifactUri: appendToUri(experiment.artifactLocation, runId, ARTIFACTS_DIR),
    lifecycleStage: 'active',
  };
  const dir = path.join(location.dir, runId);
  await fs.mkdir(dir);
  await writeRunMeta(dir, info, null);
  for (const sub of [METRICS_DIR, PARAMS_DIR, ARTIFACTS_DIR]) await fs.mkdir(path.join(dir, sub), { recursive: true });
  for (const t of tags) await writeTagFile(dir, t);
  ctx.rememberRunLocation(runId, dir);
  return readRun(dir, location.dir, info);
}

/** The run, active or deleted. */
export async function getRun(ctx: FileStoreContext, runId: string): Promise<Run> {
  validateRunId(runId);
  const loc = await ctx.locateRun(runId);
  return readRun(loc.dir, loc.experimentDir, loc.info);
}

async function activeRun(ctx: FileStoreContext, runId: string): Promise<RunLocation> {
  const loc = await ctx.locateRun(runId);
  FileStoreContext.checkRunActive(loc.info);
  return loc;
}

/** Changes status, end time and/or name of an active run; a new name also sets `mlflow.runName`. */
export async function updateRunInfo(ctx: FileStoreContext, runId: string, args: UpdateRunArgs): Promise<RunInfo> {
  validateRunId(runId);
  if (args.runName !== undefined) validateRunTag({ key: MLFLOW_RUN_NAME, value: args.runName }, ctx.policy);
  return ctx.lock.run(runLock(runId), async () => {
    const loc = await activeRun(ctx, runId);
    const info: RunInfo = {
      ...loc.info,
      ...(args.status !== undefined ? { status: args.status } : {}),
      ...(args.endTime !== undefined ? { endTime: args.endTime } : {}),
      ...(args.runName ? { runName: args.runName } : {}),
    };
    if (args.runName) await writeTagFile(loc.dir, { key: MLFLOW_RUN_NAME, value: args.runName });
    await writeRunMeta(loc.dir, info);
    return info;
  });
}

/** Soft delete in place: `lifecycle_stage: deleted` and `deleted_time`. */
export async function deleteRun(ctx: FileStoreContext, runId: string): Promise<void> {
  validateRunId(runId);
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await ctx.locateRun(runId);
    await writeRunMeta(loc.dir, { ...loc.info, lifecycleStage: 'deleted' }, ctx.now());
  });
}

/** Undoes {@link deleteRun}. */
export async function restoreRun(ctx: FileStoreContext, runId: string): Promise<void> {
  validateRunId(runId);
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await ctx.locateRun(runId);
    await writeRunMeta(loc.dir, { ...loc.info, lifecycleStage: 'active' });
  });
}

function keyConflict(kind: string, key: string, what: 'file-prefix' | 'is-dir' | 'batch'): LablogError {
  const why =
    what === 'batch'
      ? 'another key of the same request is a path prefix of it'
      : what === 'file-prefix'
        ? 'a part of its path is already a key of the run'
        : 'it is already a prefix of other keys of the run';
  return invalidParameter(`Invalid ${kind} name: '${key}'. The file store keeps keys as paths, and ${why}.`);
}

/** Fails when keys of one kind cannot all be files: `a` and `a/b` cannot both exist. */
async function checkKeyPaths(dir: string, kind: string, keys: readonly string[]): Promise<void> {
  const unique = [...new Set(keys)];
  const set = new Set(unique);
  for (const key of unique) {
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (set.has(parts.slice(0, i).join('/'))) throw keyConflict(kind, key, 'batch');
    }
    const conflict = await keyPathConflict(dir, key);
    if (conflict) throw keyConflict(kind, key, conflict);
  }
}

/**
 * Logs metrics, params and tags. Everything is checked first (limits, each entry, duplicate
 * and changed params against the files, key paths), then params, metrics and tags are written;
 * a rejected batch writes nothing.
 */
export async function logBatch(ctx: FileStoreContext, runId: string, batch: LogBatchArgs): Promise<void> {
  const { metrics, params, tags } = checkLogBatch(runId, batch, ctx.policy);
  if (metrics.length + params.length + tags.length === 0) {
    await activeRun(ctx, runId);
    return;
  }
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await activeRun(ctx, runId);
    const paramsDir = path.join(loc.dir, PARAMS_DIR);
    const metricsDir = path.join(loc.dir, METRICS_DIR);
    const tagsDir = path.join(loc.dir, TAGS_DIR);
    await checkKeyPaths(paramsDir, 'param', params.map((p) => p.key));
    await checkKeyPaths(metricsDir, 'metric', metrics.map((m) => m.key));
    await checkKeyPaths(tagsDir, 'tag', tags.map((t) => t.key));
    const newParams = [];
    for (const p of params) {
      const current = await readText(keyPath(paramsDir, p.key));
      if (current === null) newParams.push(p);
      else if (current !== p.value) throw invalidParameter(paramChangedMessage(p.key, current, p.value, runId));
    }
    for (const p of newParams) await writeFileAtomic(keyPath(paramsDir, p.key), p.value, loc.dir);
    const lines = new Map<string, string>();
    for (const m of metrics) lines.set(m.key, (lines.get(m.key) ?? '') + formatMetricLine(m));
    for (const [key, text] of lines) {
      const file = keyPath(metricsDir, key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.appendFile(file, text, 'utf8');
    }
    let info = loc.info;
    for (const t of tags) {
      await writeTagFile(loc.dir, t);
      if (t.key === MLFLOW_RUN_NAME) info = { ...info, runName: t.value };
    }
    if (info !== loc.info) await writeRunMeta(loc.dir, info);
  });
}

/** Deletes a run tag; RESOURCE_DOES_NOT_EXIST when absent. */
export async function deleteTag(ctx: FileStoreContext, runId: string, key: string): Promise<void> {
  checkDeleteTag(runId, key);
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await activeRun(ctx, runId);
    const tagsDir = path.join(loc.dir, TAGS_DIR);
    const file = keyPath(tagsDir, key);
    const st = await fs.stat(file).catch(() => null);
    if (!st || !st.isFile()) throw resourceDoesNotExist(`No tag with name: ${key} in run with id ${runId}`);
    await removeFileAndPrune(file, tagsDir);
  });
}

/**
 * `recordLoggedModel`: appends a history entry to the run's `mlflow.log-model.history` tag,
 * reading and rewriting the tag file under the run's write lock.
 */
export async function recordLoggedModel(ctx: FileStoreContext, runId: string, modelJson: string): Promise<void> {
  const entry = checkRecordLoggedModel(runId, modelJson);
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await activeRun(ctx, runId);
    const tagsDir = path.join(loc.dir, TAGS_DIR);
    await checkKeyPaths(tagsDir, 'tag', [MLFLOW_LOGGED_MODELS]);
    const current = await readText(keyPath(tagsDir, MLFLOW_LOGGED_MODELS));
    await writeTagFile(loc.dir, { key: MLFLOW_LOGGED_MODELS, value: appendLoggedModel(current ?? undefined, entry) });
  });
}

function md5Hex(...parts: string[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(p, 'utf8');
  return h.digest('hex');
}

/** MLflow's dataset id: `md5(name + digest)`. */
export function datasetId(name: string, digest: string): string {
  return md5Hex(name, digest);
}

/** MLflow's run-input id: `md5(dataset_id + run_id)`. */
export function inputId(dsId: string, runId: string): string {
  return md5Hex(dsId, runId);
}

/**
 * Records dataset inputs: the dataset once per experiment (`datasets/<md5(name+digest)>`), the
 * edge once per run (`inputs/<md5(dataset_id+run_id)>`); logging the same dataset again is a no-op.
 */
export async function logInputs(ctx: FileStoreContext, runId: string, datasets: readonly DatasetInput[]): Promise<void> {
  checkLogInputs(runId, datasets);
  await ctx.lock.run(runLock(runId), async () => {
    const loc = await activeRun(ctx, runId);
    for (const input of datasets) {
      const dsId = datasetId(input.dataset.name, input.dataset.digest);
      const dsMeta = path.join(loc.experimentDir, DATASETS_DIR, dsId, META_FILE);
      if (!(await exists(dsMeta))) await writeYamlAtomic(dsMeta, datasetToMeta(input.dataset), loc.experimentDir);
      const inMeta = path.join(loc.dir, INPUTS_DIR, inputId(dsId, runId), META_FILE);
      if (!(await exists(inMeta))) await writeYamlAtomic(inMeta, datasetInputToMeta(dsId, input.tags), loc.dir);
    }
  });
}

/** Every point of a metric in line (logged) order, paged when `maxResults` is given. */
export async function getMetricHistory(ctx: FileStoreContext, runId: string, key: string, args: MetricHistoryArgs = {}): Promise<PagedList<Metric>> {
  validateRunId(runId);
  validateKey(key, 'metric', 'metric_key');
  if (args.maxResults !== undefined) validateSearchMaxResults(args.maxResults, GET_METRIC_HISTORY_MAX_RESULTS);
  const offset = decodePageToken(args.pageToken);
  const loc = await ctx.locateRun(runId);
  const points = await readMetricHistory(loc.dir, key);
  if (args.maxResults === undefined) return { items: points.slice(offset) };
  return pageOf(points, offset, args.maxResults);
}

/** One page of runs of the given experiments, filtered and sorted in memory (ref §3.2). */
export async function searchRunsPage(ctx: FileStoreContext, args: SearchRunsArgs): Promise<PagedList<Run>> {
  const maxResults = args.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
  validateSearchMaxResults(maxResults);
  const comparisons = parseRunFilter(args.filter);
  const clauses = parseRunOrderBy(args.orderBy);
  const offset = decodePageToken(args.pageToken);
  const view = args.runViewType ?? 'ACTIVE_ONLY';
  const runs: Run[] = [];
  for (const experimentId of new Set(args.experimentIds)) {
    validateExperimentId(experimentId, 'experiment_ids');
    const loc = await ctx.locateExperiment(experimentId);
    if (!loc) continue;
    for (const { dir, info } of await listRunInfos(loc.dir, experimentId, view)) {
      runs.push(await readRun(dir, loc.dir, info));
    }
  }
  return pageOf(sortRuns(filterRuns(runs, comparisons), clauses), offset, maxResults);
}
