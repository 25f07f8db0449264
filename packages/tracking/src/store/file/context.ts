/**
 * State shared by the file store's parts: the root's paths, the validation policy, the
 * default artifact root, a per-key write lock, and lookups of experiments and runs on disk.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Experiment } from '../../entities/experiment.js';
import type { RunInfo } from '../../entities/run.js';
import type { ViewType } from '../../entities/enums.js';
import type { ValidationPolicy } from '../../validation.js';
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import { META_FILE, MODELS_DIR, TAGS_DIR, TRASH_DIR, StorePaths } from './paths.js';
import { isMissing, listSubdirs, readKeyValueDir, readYamlMap } from './fs-io.js';
import { experimentFromMeta, runInfoFromMeta } from './meta.js';
import type { YamlMap } from './yaml-io.js';

/** Serialises async work per key (a run id, a model name…) within one process. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier call with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** Where an experiment was found. */
export interface ExperimentLocation {
  readonly dir: string;
  /** True when it sits in `.trash/`. */
  readonly trashed: boolean;
}

/** Where a run was found, with its parsed meta. */
export interface RunLocation {
  readonly dir: string;
  readonly experimentId: string;
  readonly experimentDir: string;
  readonly info: RunInfo;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/** Everything the file store's parts share. */
export class FileStoreContext {
  readonly paths: StorePaths;
  /** Where experiments without an explicit location put artifacts: `<this>/<experiment_id>`. */
  readonly artifactRoot: string;
  readonly policy: ValidationPolicy;
  /** Serialises writes to one run / experiment / registered model. */
  readonly lock = new KeyedLock();
  private readonly runDirs = new Map<string, string>();

  constructor(paths: StorePaths, artifactRoot: string, policy: ValidationPolicy) {
    this.paths = paths;
    this.artifactRoot = artifactRoot;
    this.policy = policy;
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  // -------------------------------------------------------------------------------------------
  // Experiments

  /** Ids of the experiments on disk: active ones (top level) and/or deleted ones (`.trash/`). */
  async listExperimentIds(view: ViewType): Promise<{ id: string; trashed: boolean }[]> {
    const out: { id: string; trashed: boolean }[] = [];
    if (view !== 'DELETED_ONLY') {
      for (const d of await listSubdirs(this.paths.root)) {
        if (d !== TRASH_DIR && d !== MODELS_DIR) out.push({ id: d, trashed: false });
      }
    }
    if (view !== 'ACTIVE_ONLY') {
      for (const d of await listSubdirs(this.paths.trash)) out.push({ id: d, trashed: true });
    }
    return out;
  }

  /** Finds an experiment's directory, active first; null when absent. */
  async locateExperiment(experimentId: string, view: ViewType = 'ALL'): Promise<ExperimentLocation | null> {
    if (experimentId === MODELS_DIR || experimentId === TRASH_DIR) return null;
    if (view !== 'DELETED_ONLY') {
      const dir = this.paths.activeExperimentDir(experimentId);
      if (await isDir(dir)) return { dir, trashed: false };
    }
    if (view !== 'ACTIVE_ONLY') {
      const dir = this.paths.trashedExperimentDir(experimentId);
      if (await isDir(dir)) return { dir, trashed: true };
    }
    return null;
  }

  /**
   * Reads an experiment from its directory; null when its `meta.yaml` is missing or records
   * another id (MLflow ignores such an experiment).
   */
  async readExperimentAt(dir: string, experimentId: string): Promise<Experiment | null> {
    let meta: YamlMap | null;
    try {
      meta = await readYamlMap(path.join(dir, META_FILE));
    } catch {
      return null;
    }
    if (meta === null) return null;
    const tags = (await readKeyValueDir(path.join(dir, TAGS_DIR))).map(([key, value]) => ({ key, value }));
    const exp = experimentFromMeta(meta, tags);
    return exp.experimentId === experimentId ? exp : null;
  }

  /** The experiment, deleted or not; RESOURCE_DOES_NOT_EXIST when absent. */
  async getExperimentOrThrow(experimentId: string): Promise<{ experiment: Experiment; location: ExperimentLocation }> {
    const location = await this.locateExperiment(experimentId);
    const experiment = location ? await this.readExperimentAt(location.dir, experimentId) : null;
    if (!location || !experiment) throw resourceDoesNotExist(`Could not find experiment with ID ${experimentId}`);
    return { experiment, location };
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  /** Forgets cached run locations (after experiments move to or from `.trash/`). */
  forgetRunLocations(): void {
    this.runDirs.clear();
  }

  /** Remembers where a new run lives. */
  rememberRunLocation(runId: string, dir: string): void {
    this.runDirs.set(runId, dir);
  }

  private async findRunDir(runId: string): Promise<string | null> {
    const cached = this.runDirs.get(runId);
    if (cached !== undefined && (await isDir(cached))) return cached;
    this.runDirs.delete(runId);
    for (const { id, trashed } of await this.listExperimentIds('ALL')) {
      const expDir = trashed ? this.paths.trashedExperimentDir(id) : this.paths.activeExperimentDir(id);
      const dir = path.join(expDir, runId);
      if (await isDir(dir)) {
        this.runDirs.set(runId, dir);
        return dir;
      }
    }
    return null;
  }

  /**
   * Finds a run (active or deleted) and reads its meta. RESOURCE_DOES_NOT_EXIST when absent;
   * INVALID_STATE when its meta names another experiment than the directory it sits in.
   */
  async locateRun(runId: string): Promise<RunLocation> {
    const dir = await this.findRunDir(runId);
    const meta = dir ? await readYamlMap(path.join(dir, META_FILE)).catch(() => null) : null;
    const info = meta ? runInfoFromMeta(meta) : undefined;
    if (!dir || !info) throw resourceDoesNotExist(`Run '${runId}' not found`);
    const experimentDir = path.dirname(dir);
    const experimentId = path.basename(experimentDir);
    if (info.experimentId !== experimentId) {
      throw new LablogError(`Run '${runId}' metadata is in invalid state.`, 'INVALID_STATE');
    }
    return { dir, experimentId, experimentDir, info };
  }

  /** INVALID_PARAMETER_VALUE unless the run is active (`check_run_is_active`). */
  static checkRunActive(info: RunInfo): void {
    if (info.lifecycleStage !== 'active') {
      throw invalidParameter(`The run ${info.runId} must be in the 'active' state. Current state is ${info.lifecycleStage}.`);
    }
  }
}
