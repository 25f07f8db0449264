/**
 * Where things live in an `mlruns` tree (ref §7.2, §7.3), and the URI helpers MLflow's file
 * store uses (`path_to_local_file_uri`, `resolve_uri_if_local`, `append_to_uri_path`).
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidParameter } from '../../errors.js';

/** Deleted experiments are moved here whole. */
export const TRASH_DIR = '.trash';
/** The model registry, when the registry URI equals the tracking URI; never an experiment. */
export const MODELS_DIR = 'models';
/** Every experiment, run, dataset, input, registered model and version has one. */
export const META_FILE = 'meta.yaml';
export const METRICS_DIR = 'metrics';
export const PARAMS_DIR = 'params';
export const TAGS_DIR = 'tags';
export const ARTIFACTS_DIR = 'artifacts';
export const DATASETS_DIR = 'datasets';
export const INPUTS_DIR = 'inputs';
export const ALIASES_DIR = 'aliases';
/** Sub-directories of an experiment that are not runs (MLflow's RESERVED_EXPERIMENT_FOLDERS + LoggedModels). */
export const RESERVED_EXPERIMENT_DIRS: ReadonlySet<string> = new Set(['tags', 'datasets', 'traces', 'models']);
/** Version directories of a registered model: `version-<n>`. */
export const VERSION_DIR_PREFIX = 'version-';

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const WINDOWS_DRIVE = /^[a-zA-Z]:[\\/]/;

/** A root given as an absolute or relative path or a `file:` URI → absolute local path. */
export function localPathFromRoot(root: string): string {
  if (root.startsWith('file:')) {
    if (root.startsWith('file://')) return path.resolve(fileURLToPath(root));
    const rest = decodeURIComponent(root.slice('file:'.length));
    return path.resolve(rest);
  }
  return path.resolve(root);
}

/** Absolute local path → `file:///…` URI (percent-encoded, as `pathlib.Path.as_uri()`). */
export function pathToFileUri(p: string): string {
  return pathToFileURL(path.resolve(p)).href;
}

/** A URI without a scheme is a local path: made absolute and turned into a `file:` URI. */
export function resolveUriIfLocal(uri: string): string {
  if (SCHEME.test(uri) && !WINDOWS_DRIVE.test(uri)) return uri;
  return pathToFileUri(uri);
}

/** Appends path segments to a URI, with exactly one `/` between each. */
export function appendToUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const p of parts) {
    const seg = p.replace(/^\/+/, '');
    out = out.endsWith('/') ? out + seg : `${out}/${seg}`;
  }
  return out;
}

/** Joins a `/`-separated key below `dir` (keys were validated, so they cannot climb out). */
export function keyPath(dir: string, key: string): string {
  return path.join(dir, ...key.split('/'));
}

/**
 * A registered-model name as a directory name. Names were validated (no `/`, `\`, `%`); `.`
 * and `..` would still point outside `models/`, so they are refused here.
 */
export function modelDirName(name: string): string {
  if (name === '.' || name === '..') throw invalidParameter(`Invalid name: '${name}'. Registered model name cannot be '.' or '..'`);
  return name;
}

/** The absolute paths of one store root. */
export class StorePaths {
  /** Absolute path of the `mlruns` directory. */
  readonly root: string;
  readonly trash: string;
  readonly models: string;

  constructor(root: string) {
    this.root = localPathFromRoot(root);
    this.trash = path.join(this.root, TRASH_DIR);
    this.models = path.join(this.root, MODELS_DIR);
  }

  /** Where an active experiment lives. */
  activeExperimentDir(experimentId: string): string {
    return path.join(this.root, experimentId);
  }

  /** Where a deleted experiment lives. */
  trashedExperimentDir(experimentId: string): string {
    return path.join(this.trash, experimentId);
  }

  /** `models/<name>`. */
  modelDir(name: string): string {
    return path.join(this.models, modelDirName(name));
  }

  /** `models/<name>/version-<n>`. */
  versionDir(name: string, version: number | string): string {
    return path.join(this.modelDir(name), `${VERSION_DIR_PREFIX}${version}`);
  }
}
