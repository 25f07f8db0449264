/**
 * Small file-system helpers for the file store: atomic writes (temp file + rename), reads that
 * answer null for a missing file, and the recursive key walk MLflow uses for metrics, params
 * and tags (`metrics/train/loss` is the key `train/loss`).
 */
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { parsePyYaml, stringifyPyYaml, asYamlMap } from './yaml-io.js';
import type { YamlMap } from './yaml-io.js';

/**
 * Prefix of the temp files that atomic writes leave behind only if the process dies between
 * write and rename. They live at the top of a run, experiment or model directory (never inside
 * `metrics/`, `params/` or `tags/`), where MLflow and lablog ignore plain files.
 */
export const TEMP_PREFIX = '.lablog-tmp-';

function isErrno(e: unknown, ...codes: string[]): boolean {
  return typeof e === 'object' && e !== null && codes.includes((e as { code?: string }).code ?? '');
}

/** True for "no such file or directory" (and "not a directory" on a path through a file). */
export function isMissing(e: unknown): boolean {
  return isErrno(e, 'ENOENT', 'ENOTDIR');
}

/** True for "already exists". */
export function isAlreadyExists(e: unknown): boolean {
  return isErrno(e, 'EEXIST', 'ENOTEMPTY');
}

/** A file's text, or null when it does not exist (or is a directory). */
export async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if (isMissing(e) || isErrno(e, 'EISDIR')) return null;
    throw e;
  }
}

/**
 * Writes `content` to `file` so that a reader sees the old content or the new, never a torn
 * file: the text goes to a temp file in `tmpDir` (same file system; default: the file's own
 * directory), then is renamed over the target. Parent directories are created.
 */
export async function writeFileAtomic(file: string, content: string, tmpDir = path.dirname(file)): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(tmpDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(tmp, content, 'utf8');
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads a YAML mapping; null when the file is missing or empty. */
export async function readYamlMap(file: string): Promise<YamlMap | null> {
  const text = await readText(file);
  if (text === null || text.trim() === '') return null;
  return asYamlMap(parsePyYaml(text));
}

/** Writes a mapping as PyYAML would, atomically. */
export async function writeYamlAtomic(file: string, data: YamlMap, tmpDir?: string): Promise<void> {
  await writeFileAtomic(file, stringifyPyYaml(data), tmpDir);
}

/** Names of the sub-directories of `dir` (empty when `dir` is missing). */
export async function listSubdirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
}

/**
 * Every file under `dir`, as `/`-joined paths relative to it, sorted (empty when `dir` is
 * missing). This is how MLflow turns `tags/a/b` back into the key `a/b`.
 */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(abs: string, rel: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(abs, e.name), r);
      else if (e.isFile()) out.push(r);
    }
  }
  await walk(dir, '');
  return out.sort();
}

/** Reads every file under `dir` into `[key, content]` pairs (see {@link listFilesRecursive}). */
export async function readKeyValueDir(dir: string): Promise<[string, string][]> {
  const keys = await listFilesRecursive(dir);
  const out: [string, string][] = [];
  for (const k of keys) {
    const v = await readText(path.join(dir, ...k.split('/')));
    if (v !== null) out.push([k, v]);
  }
  return out;
}

/** Removes a file, then its parent directories up to (not including) `stopDir` while they are empty. */
export async function removeFileAndPrune(file: string, stopDir: string): Promise<void> {
  await fs.rm(file, { force: true });
  let dir = path.dirname(file);
  const stop = path.resolve(stopDir);
  while (path.resolve(dir).startsWith(stop + path.sep)) {
    try {
      await fs.rmdir(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}

/** True when `p` exists (file or directory). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/** Checks that a key can become a file under `dir`: no prefix of it is a file, and it is not a directory. */
export async function keyPathConflict(dir: string, key: string): Promise<'file-prefix' | 'is-dir' | null> {
  const parts = key.split('/');
  for (let i = 1; i <= parts.length; i++) {
    let st;
    try {
      st = await fs.stat(path.join(dir, ...parts.slice(0, i)));
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    if (i < parts.length && !st.isDirectory()) return 'file-prefix';
    if (i === parts.length && st.isDirectory()) return 'is-dir';
  }
  return null;
}
