/**
 * Reading and writing one run directory: `meta.yaml`, `metrics/`, `params/`, `tags/`,
 * `inputs/` (plus the experiment's `datasets/` they point at).
 */
import * as path from 'node:path';
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { ViewType } from '../../entities/enums.js';
import { MLFLOW_RUN_NAME } from '../../tags.js';
import { DATASETS_DIR, INPUTS_DIR, META_FILE, METRICS_DIR, PARAMS_DIR, RESERVED_EXPERIMENT_DIRS, TAGS_DIR } from './paths.js';
import { listFilesRecursive, listSubdirs, readKeyValueDir, readText, readYamlMap, writeYamlAtomic } from './fs-io.js';
import { datasetFromMeta, runInfoFromMeta, runInfoToMeta, yamlString } from './meta.js';
import { latestMetric, parseMetricFile } from './metric-file.js';
import { promises as fs } from 'node:fs';

/** Rewrites a run's `meta.yaml` atomically (see {@link runInfoToMeta} for `deletedTime`). */
export async function writeRunMeta(runDir: string, info: RunInfo, deletedTime?: number | null): Promise<void> {
  await writeYamlAtomic(path.join(runDir, META_FILE), runInfoToMeta(info, deletedTime));
}

/** True when a run with this lifecycle stage belongs in a search of this view type. */
export function matchesView(view: ViewType, stage: RunInfo['lifecycleStage']): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

/**
 * The runs of one experiment directory: every sub-directory except the reserved ones whose
 * `meta.yaml` parses and names this experiment; malformed ones are skipped, as MLflow does.
 */
export async function listRunInfos(experimentDir: string, experimentId: string, view: ViewType): Promise<{ dir: string; info: RunInfo }[]> {
  const out: { dir: string; info: RunInfo }[] = [];
  for (const name of await listSubdirs(experimentDir)) {
    if (RESERVED_EXPERIMENT_DIRS.has(name)) continue;
    const dir = path.join(experimentDir, name);
    const meta = await readYamlMap(path.join(dir, META_FILE)).catch(() => null);
    const info = meta ? runInfoFromMeta(meta) : undefined;
    if (!info || info.experimentId !== experimentId) continue;
    if (matchesView(view, info.lifecycleStage)) out.push({ dir, info });
  }
  return out;
}

/** Every point of one metric, in logged order; empty when the run never logged it. */
export async function readMetricHistory(runDir: string, key: string): Promise<Metric[]> {
  const text = await readText(path.join(runDir, METRICS_DIR, ...key.split('/')));
  return text === null ? [] : parseMetricFile(key, text);
}

/** The latest point of each metric of a run, by key. */
export async function readLatestMetrics(runDir: string): Promise<Metric[]> {
  const out: Metric[] = [];
  for (const key of await listFilesRecursive(path.join(runDir, METRICS_DIR))) {
    const latest = latestMetric(await readMetricHistory(runDir, key));
    if (latest) out.push(latest);
  }
  return out;
}

/**
 * The dataset inputs of a run: each `inputs/<id>/meta.yaml` of source type DATASET whose
 * dataset exists under the experiment's `datasets/`, oldest first.
 */
export async function readDatasetInputs(runDir: string, experimentDir: string): Promise<DatasetInput[]> {
  const inputsDir = path.join(runDir, INPUTS_DIR);
  const found: { input: DatasetInput; mtime: number; name: string }[] = [];
  for (const name of await listSubdirs(inputsDir)) {
    const file = path.join(inputsDir, name, META_FILE);
    const meta = await readYamlMap(file).catch(() => null);
    if (!meta || yamlString(meta.source_type) !== 'DATASET') continue;
    const datasetId = yamlString(meta.source_id);
    if (!datasetId || datasetId.includes('/') || datasetId.includes('\\') || datasetId.startsWith('.')) continue;
    const dsMeta = await readYamlMap(path.join(experimentDir, DATASETS_DIR, datasetId, META_FILE)).catch(() => null);
    if (!dsMeta) continue;
    const tagMap = meta.tags !== null && typeof meta.tags === 'object' && !Array.isArray(meta.tags) ? meta.tags : {};
    const tags = Object.entries(tagMap).map(([key, value]) => ({ key, value: yamlString(value) ?? '' }));
    const mtime = (await fs.stat(file)).mtimeMs;
    found.push({ input: { dataset: datasetFromMeta(dsMeta), tags }, mtime, name });
  }
  found.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return found.map((f) => f.input);
}

/** The whole run: info, latest metrics, params, tags, dataset inputs. */
export async function readRun(runDir: string, experimentDir: string, info: RunInfo): Promise<Run> {
  const [metrics, params, tags, datasetInputs] = await Promise.all([
    readLatestMetrics(runDir),
    readKeyValueDir(path.join(runDir, PARAMS_DIR)),
    readKeyValueDir(path.join(runDir, TAGS_DIR)),
    readDatasetInputs(runDir, experimentDir),
  ]);
  let runInfo = info;
  if (!runInfo.runName) {
    const fromTag = tags.find(([k]) => k === MLFLOW_RUN_NAME);
    if (fromTag) runInfo = { ...runInfo, runName: fromTag[1] };
  }
  return {
    info: runInfo,
    data: {
      metrics,
      params: params.map(([key, value]) => ({ key, value })),
      tags: tags.map(([key, value]) => ({ key, value })),
    },
    inputs: { datasetInputs },
  };
}
