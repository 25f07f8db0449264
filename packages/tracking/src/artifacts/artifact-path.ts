/**
 * The one place lablog decides whether an artifact path is safe. Every artifact repository,
 * and every server route that takes an artifact `path`, goes through
 * {@link validateArtifactPath} (a pure string check) and, before touching the file system,
 * {@link resolveUnderRoot} (a check against the real, symlink-free file system).
 *
 * This closes the path-traversal classes of security.md §2.1–2.3 by construction: a path
 * is decoded until stable *before* any check, so an encoded attack cannot survive to a later
 * decoding step (CVE-2024-1560), and the value callers use afterwards is the checked one.
 */
import { lstat, realpath } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { invalidParameter, type LablogError } from '../errors.js';

/** Rounds of percent-decoding before a still-changing path is rejected (MLflow's `_decode`). */
export const MAX_ARTIFACT_PATH_DECODE_ROUNDS = 10;

/** MLflow's message for every rejected artifact path. */
const INVALID_PATH_MESSAGE = 'Invalid path';

/** A run of `%XX` escapes, decoded together so multi-byte UTF-8 sequences come out whole. */
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** C0 control characters (NUL included) and DEL. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A Windows drive prefix (`C:`, `c:x`), which `path.win32` treats as rooted. */
const DRIVE_PREFIX = /^[A-Za-z]:/;

/** A `file:` URI prefix in any case. */
const FILE_SCHEME = /^file:/i;

function invalidPath(): LablogError {
  return invalidParameter(INVALID_PATH_MESSAGE);
}

/**
 * One round of percent-decoding, forgiving like Python's `urllib.parse.unquote`: a `%` not
 * followed by two hex digits is kept as it is, and bytes that are not valid UTF-8 become
 * U+FFFD instead of throwing. `+` is not a space here (it is not in `unquote` either).
 */
function percentDecodeOnce(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(PERCENT_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      const bytes = new Uint8Array(run.length / 3);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
      return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    }
  });
}

/**
 * Checks an artifact path and returns it normalized, relative to an artifact root.
 *
 * Steps, in order:
 * 1. percent-decode repeatedly until the value stops changing; still changing after
 *    {@link MAX_ARTIFACT_PATH_DECODE_ROUNDS} rounds → rejected. The result is therefore a fixed
 *    point of decoding, so validating it again returns it unchanged (the function is idempotent)
 *    and no later decode can turn it into something else;
 * 2. reject NUL and every other control character, `#`, and `\` (on every OS, since a path
 *    may be written on POSIX and read on Windows);
 * 3. reject a `file:` prefix in any case (after decoding, so `%66ile:` too), an absolute
 *    POSIX path (`/…`), and a Windows drive prefix (`C:…`);
 * 4. split on `/`, reject any `..` segment, drop empty and `.` segments.
 *
 * @param path - a `/`-separated path as a client sent it; `''` (or `.`, `./`) is the root.
 * @returns the decoded path with single `/` separators and no `.` segments: `''` for the root,
 *   otherwise e.g. `model/MLmodel`. Callers must use this value, not their input.
 * @throws LablogError INVALID_PARAMETER_VALUE "Invalid path" for anything rejected.
 */
export function validateArtifactPath(path: string): string {
  if (typeof path !== 'string') throw invalidPath();
  let decoded = path;
  let stable = false;
  for (let round = 0; round < MAX_ARTIFACT_PATH_DECODE_ROUNDS; round++) {
    const next = percentDecodeOnce(decoded);
    if (next === decoded) {
      stable = true;
      break;
    }
    decoded = next;
  }
  if (!stable) throw invalidPath();

  if (CONTROL_CHARS.test(decoded) || decoded.includes('#') || decoded.includes('\\')) throw invalidPath();
  if (FILE_SCHEME.test(decoded) || DRIVE_PREFIX.test(decoded) || decoded.startsWith('/')) throw invalidPath();

  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '..') throw invalidPath();
    if (segment === '' || segment === '.') continue;
    segments.push(segment);
  }
  return segments.join('/');
}

/** True when `child` is `root` or lies beneath it (both absolute and canonical). */
function isWithin(root: string, child: string): boolean {
  const rel = nodePath.relative(root, child);
  if (rel === '') return true;
  return rel !== '..' && !rel.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(rel);
}

function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

function isNotFound(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Times an entry that exists but does not resolve is looked at again before it is refused. */
const MAX_REALPATH_RETRIES = 3;

/**
 * The canonical form of an absolute path that may not exist yet: `realpath` of its deepest
 * existing ancestor, with the missing tail appended. An entry that exists (per `lstat`) but
 * cannot be resolved — a dangling symlink or a symlink loop — is refused, since writing
 * through it would create a file wherever the link points.
 */
async function realpathOfDeepestExisting(absPath: string): Promise<string> {
  const tail: string[] = [];
  let current = absPath;
  let retries = 0;
  for (;;) {
    try {
      const real = await realpath(current);
      return tail.length === 0 ? real : nodePath.join(real, ...tail.reverse());
    } catch (e) {
      // A symlink loop on the way can never be resolved safely.
      // A symlink loop can never be resolved safely; a name past the file system's limits
      // cannot exist under the root: both are the client's bad path, not a server fault.
      if (errnoCode(e) === 'ELOOP' || errnoCode(e) === 'ENAMETOOLONG') throw invalidPath();
      if (!isNotFound(e)) throw e;
      let exists = false;
      try {
        await lstat(current);
        exists = true;
      } catch (le) {
        if (errnoCode(le) === 'ELOOP' || errnoCode(le) === 'ENAMETOOLONG') throw invalidPath();
        if (!isNotFound(le)) throw le;
      }
      if (exists) {
        // Either a dangling symlink, or the entry was created after realpath ran (a concurrent
        // mkdir): look again, and give up after a few tries, which only a dangling link causes.
        if (++retries > MAX_REALPATH_RETRIES) throw invalidPath();
        continue;
      }
      const parent = nodePath.dirname(current);
      if (parent === current) throw e;
      tail.push(nodePath.basename(current));
      current = parent;
    }
  }
}

/**
 * Joins an artifact path to a local root and proves the result stays under the root on the
 * real file system.
 *
 * `relPath` is first run through {@link validateArtifactPath} (a no-op for an already checked
 * path). Both the root and the joined path are then canonicalized with `fs.realpath` — on the
 * deepest ancestor that exists, so paths about to be created are covered — and the result must
 * equal the real root or lie beneath it. A symlink inside the root that points outside it is
 * therefore rejected, as is a dangling symlink on the way. The root itself may be (or sit under)
 * a symlink; it need not exist yet.
 *
 * What this cannot close: a race in which another process swaps a checked directory for a
 * symlink between this check and the caller's file operation. Roots should be writable only by
 * lablog.
 *
 * @returns the canonical absolute path (symlinks inside the root resolved).
 * @throws LablogError INVALID_PARAMETER_VALUE "Invalid path" when the path is unsafe.
 */
export async function resolveUnderRoot(rootDir: string, relPath: string): Promise<string> {
  const rel = validateArtifactPath(relPath);
  const absRoot = nodePath.resolve(rootDir);
  const realRoot = await realpathOfDeepestExisting(absRoot);
  if (rel === '') return realRoot;
  const candidate = await realpathOfDeepestExisting(nodePath.join(absRoot, ...rel.split('/')));
  if (!isWithin(realRoot, candidate)) throw invalidPath();
  return candidate;
}
