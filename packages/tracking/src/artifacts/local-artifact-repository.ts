import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, realpath, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import type { FileInfo } from '../entities/file-info.js';
import { invalidParameter, LablogError, resourceDoesNotExist } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { resolveUnderRoot, validateArtifactPath } from './artifact-path.js';
import { fileUriToPath } from './file-uri.js';

/** Names of in-flight atomic writes; hidden from listings. */
const TEMP_NAME = /^\..+\.lablog-tmp-[0-9a-f]{16}$/;

function tempNameFor(name: string): string {
  return `.${name}.lablog-tmp-${randomBytes(8).toString('hex')}`;
}

function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await stat(p);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/**
 * An artifact repository on the local file system, for `file://` URIs and plain paths — what
 * MLflow's `LocalArtifactRepository` is.
 *
 * Every path goes through {@link validateArtifactPath} and is resolved with
 * {@link resolveUnderRoot}, so nothing outside the root's real directory is read, listed,
 * written or deleted — including through symlinks placed inside the root. Writes are atomic
 * (temp file in the same directory, then `rename`), and a symlink at the destination is
 * replaced, never written through. Directories are created lazily; the root need not exist.
 *
 * Names are paths after validation: a local file called `a%20b` is stored as `a b`, and a name
 * validation rejects (containing `#` or `\`) cannot be logged. Entries that exist on disk but
 * cannot be addressed through a valid path, or whose symlink leaves the root, are left out of
 * listings and downloads.
 */
export class LocalArtifactRepository implements ArtifactRepository {
  /** The URI this repository was created with, unchanged. */
  readonly rootUri: string;
  /** The absolute local directory of {@link rootUri}. */
  readonly rootDir: string;

  /**
   * @param rootUri - `file:///abs/dir`, `file://localhost/abs/dir`, or a plain path (relative
   *   paths resolve against the working directory now).
   */
  constructor(rootUri: string) {
    if (typeof rootUri !== 'string' || rootUri === '') throw invalidParameter('Artifact root URI must be a non-empty string');
    this.rootUri = rootUri;
    this.rootDir = fileUriToPath(rootUri);
  }

  /** Copies one local file to `<artifactPath>/<basename>` (the root when `artifactPath` is absent). */
  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const dir = validateArtifactPath(artifactPath ?? '');
    const rel = validateArtifactPath(joinRel(dir, nodePath.basename(localFile)));
    await this.putFile(rel, (tmp) => copyFile(localFile, tmp));
  }

  /** Copies a local directory's contents, recursively, under `artifactPath` (empty directories included). */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const base = validateArtifactPath(artifactPath ?? '');
    await this.putTree(nodePath.resolve(localDir), base, new Set<string>());
  }

  /** Writes bytes or UTF-8 text to `artifactFile` atomically, replacing any file there. */
  async writeArtifact(artifactFile: string, data: string | Uint8Array): Promise<void> {
    const rel = validateArtifactPath(artifactFile);
    await this.putFile(rel, (tmp) => writeFile(tmp, data, { flag: 'wx' }));
  }

  /**
   * Lists one directory level, sorted by path; each `path` is relative to the repository root
   * (listing `sub` gives `sub/a.txt`), `fileSize` is set for files. A missing directory, or a
   * path naming a file, lists as empty, as in MLflow.
   */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const rel = validateArtifactPath(path ?? '');
    const dir = await resolveUnderRoot(this.rootDir, rel);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    const out: FileInfo[] = [];
    for (const entry of entries) {
      if (TEMP_NAME.test(entry.name)) continue;
      const childRel = joinRel(rel, entry.name);
      // A plain entry of a checked real directory stays inside it; only symlinks need resolving.
      const real = entry.isSymbolicLink() ? await this.resolveEntry(childRel) : this.plainEntry(dir, childRel, entry.name);
      if (real === null) continue;
      const st = await statOrNull(real);
      if (st === null) continue;
      out.push(st.isDirectory() ? { path: childRel, isDir: true } : { path: childRel, isDir: false, fileSize: st.size });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Copies the file or directory tree at `path` to `dstDir/<path>` (for the root, into `dstDir`
   * itself), as MLflow lays out downloads, and returns that local path.
   * @throws LablogError RESOURCE_DOES_NOT_EXIST when nothing is at `path`.
   */
  async downloadArtifacts(path: string, dstDir: string): Promise<string> {
    const rel = validateArtifactPath(path);
    const src = await resolveUnderRoot(this.rootDir, rel);
    const st = await statOrNull(src);
    if (st === null) throw resourceDoesNotExist(`Artifact '${rel}' does not exist`);
    const dst = rel === '' ? nodePath.resolve(dstDir) : nodePath.join(nodePath.resolve(dstDir), ...rel.split('/'));
    if (st.isDirectory()) {
      await this.copyTreeOut(rel, src, dst, new Set<string>());
    } else {
      await mkdir(nodePath.dirname(dst), { recursive: true });
      await copyFile(src, dst);
    }
    return dst;
  }

  /**
   * Opens one file for streaming.
   * @throws LablogError RESOURCE_DOES_NOT_EXIST when absent; INVALID_PARAMETER_VALUE for a directory.
   */
  async openArtifact(path: string): Promise<Readable> {
    const rel = validateArtifactPath(path);
    const real = await resolveUnderRoot(this.rootDir, rel);
    const st = await statOrNull(real);
    if (st === null) throw resourceDoesNotExist(`Artifact '${rel}' does not exist`);
    if (st.isDirectory()) throw invalidParameter(`Artifact '${rel}' is a directory, not a file`);
    return createReadStream(real);
  }

  /**
   * Deletes a file or directory recursively; the empty path deletes the whole root. Nothing there
   * is not an error. A symlink is removed itself, never what it points to.
   */
  async deleteArtifacts(path: string): Promise<void> {
    const rel = validateArtifactPath(path);
    if (rel === '') {
      await rm(await resolveUnderRoot(this.rootDir, ''), { recursive: true, force: true });
      return;
    }
    const { dir, name } = await this.resolveParent(rel);
    await rm(nodePath.join(dir, name), { recursive: true, force: true });
  }

  /** The real parent directory of a non-root path (checked under the root) and the final name. */
  private async resolveParent(rel: string): Promise<{ dir: string; name: string }> {
    const cut = rel.lastIndexOf('/');
    const dir = await resolveUnderRoot(this.rootDir, cut < 0 ? '' : rel.slice(0, cut));
    return { dir, name: rel.slice(cut + 1) };
  }

  /** The path of a non-symlink entry, or `null` when its name does not survive validation unchanged. */
  private plainEntry(realDir: string, childRel: string, name: string): string | null {
    try {
      return validateArtifactPath(childRel) === childRel ? nodePath.join(realDir, name) : null;
    } catch (e) {
      if (LablogError.is(e)) return null;
      throw e;
    }
  }

  /**
   * The real path of a listed entry, or `null` when it cannot be addressed (its name does not
   * survive validation unchanged) or it is a symlink leaving the root.
   */
  private async resolveEntry(childRel: string): Promise<string | null> {
    try {
      if (validateArtifactPath(childRel) !== childRel) return null;
      return await resolveUnderRoot(this.rootDir, childRel);
    } catch (e) {
      if (LablogError.is(e) && e.errorCode === 'INVALID_PARAMETER_VALUE') return null;
      throw e;
    }
  }

  /** Writes a file at `rel` through `fill(tempPath)`, then renames it into place. */
  private async putFile(rel: string, fill: (tmp: string) => Promise<void>): Promise<void> {
    if (rel === '') throw invalidParameter('Invalid path');
    const { dir, name } = await this.resolveParent(rel);
    await mkdir(dir, { recursive: true });
    const tmp = nodePath.join(dir, tempNameFor(name));
    try {
      await fill(tmp);
      await rename(tmp, nodePath.join(dir, name));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') {
        const target = await statOrNull(nodePath.join(dir, name));
        if (target?.isDirectory()) throw invalidParameter(`Cannot write artifact '${rel}': a directory exists there`);
      }
      throw e;
    }
  }

  /**
   * Uploads a local tree; follows local symlinks, visiting each real directory once. Destination
   * directories count as visited too, so logging a directory into itself terminates.
   */
  private async putTree(localDir: string, baseRel: string, seen: Set<string>): Promise<void> {
    const real = await realpath(localDir);
    if (seen.has(real)) return;
    seen.add(real);
    if (baseRel !== '') {
      const dest = await resolveUnderRoot(this.rootDir, baseRel);
      await mkdir(dest, { recursive: true });
      seen.add(await realpath(dest));
    }
    for (const name of (await readdir(localDir)).sort()) {
      const local = nodePath.join(localDir, name);
      const st = await statOrNull(local);
      if (st === null) continue;
      const rel = validateArtifactPath(joinRel(baseRel, name));
      if (st.isDirectory()) await this.putTree(local, rel, seen);
      else if (st.isFile()) await this.putFile(rel, (tmp) => copyFile(local, tmp));
    }
  }

  /**
   * Downloads a directory tree; entries that list as unsafe are skipped, symlink loops cut, and a
   * destination inside the tree is not copied into itself.
   */
  private async copyTreeOut(rel: string, realDir: string, dst: string, seen: Set<string>): Promise<void> {
    if (seen.has(realDir)) return;
    seen.add(realDir);
    await mkdir(dst, { recursive: true });
    seen.add(await realpath(dst));
    for (const entry of await this.listArtifacts(rel)) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      const real = await resolveUnderRoot(this.rootDir, entry.path);
      if (entry.isDir) await this.copyTreeOut(entry.path, real, nodePath.join(dst, name), seen);
      else await copyFile(real, nodePath.join(dst, name));
    }
  }
}
