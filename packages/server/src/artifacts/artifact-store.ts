/**
 * The server's view of one artifact root it may touch: the `--artifacts-destination` (a local
 * directory or `s3://bucket/prefix`), or a run's own `file:`/`s3:` root. It adds to the tracking
 * package's repositories what serving needs: streamed reads with size and validators
 * (`Last-Modified`, `ETag`), and streamed writes that never hold a whole body in memory.
 *
 * Every method takes a path relative to the root and runs it through `validateArtifactPath`;
 * local paths are then resolved with `resolveUnderRoot`, so symlinks inside the root that point
 * out of it are refused (security.md §2.1–2.2).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  fileUriToPath,
  getArtifactRepository,
  invalidParameter,
  LablogError,
  LocalArtifactRepository,
  pathToFileUri,
  resolveUnderRoot,
  resourceDoesNotExist,
  validateArtifactPath,
  type ArtifactRepository,
  type FileInfo,
} from '@lablog/tracking';

/** One file opened for download. */
export interface ArtifactDownload {
  stream: Readable;
  /** Bytes, when known (sent as `Content-Length`). */
  size?: number;
  lastModified?: Date;
  /** A quoted (possibly weak) entity tag. */
  etag?: string;
}

/** A root the server reads and writes artifacts in. */
export interface ArtifactStore {
  /** `file:///…` or `s3://bucket/prefix`. */
  readonly rootUri: string;
  /** The absolute directory, for a local root; null otherwise. */
  readonly localDir: string | null;
  /** Bucket and key prefix, for an S3 root; null otherwise. */
  readonly s3: { readonly bucket: string; readonly prefix: string } | null;
  /** Opens one file. RESOURCE_DOES_NOT_EXIST when absent, INVALID_PARAMETER_VALUE for a directory. */
  open(path: string): Promise<ArtifactDownload>;
  /** Streams `body` into the file at `path` (replacing it); `size` when the length is known. */
  put(path: string, body: Readable, size?: number): Promise<void>;
  /** One directory level; paths relative to this root. */
  list(path: string): Promise<FileInfo[]>;
  /** Deletes a file or directory recursively. */
  delete(path: string): Promise<void>;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await stat(p);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return null;
    throw e;
  }
}

/** A nonempty validated path, or INVALID_PARAMETER_VALUE "Invalid path". */
function fileRel(path: string): string {
  const rel = validateArtifactPath(path);
  if (rel === '') throw invalidParameter('Invalid path');
  return rel;
}

/** A local directory root. */
class LocalArtifactStore implements ArtifactStore {
  readonly localDir: string;
  readonly s3 = null;
  private readonly repo: LocalArtifactRepository;

  constructor(readonly rootUri: string) {
    this.repo = new LocalArtifactRepository(rootUri);
    this.localDir = this.repo.rootDir;
  }

  async open(path: string): Promise<ArtifactDownload> {
    const rel = fileRel(path);
    const real = await resolveUnderRoot(this.localDir, rel);
    const st = await statOrNull(real);
    if (st === null) throw resourceDoesNotExist(`Artifact '${rel}' does not exist`);
    if (!st.isFile()) throw invalidParameter(`Artifact '${rel}' is a directory, not a file`);
    return {
      stream: createReadStream(real),
      size: st.size,
      lastModified: st.mtime,
      etag: `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    };
  }

  /** Writes to a hidden temp file beside the target (the local repository's naming), then renames it into place. */
  async put(path: string, body: Readable): Promise<void> {
    const rel = fileRel(path);
    const cut = rel.lastIndexOf('/');
    const name = rel.slice(cut + 1);
    let dir = await resolveUnderRoot(this.localDir, cut < 0 ? '' : rel.slice(0, cut));
    try {
      await mkdir(dir, { recursive: true });
      // Checked again now that it exists: a concurrent swap for a symlink would show here.
      dir = await resolveUnderRoot(this.localDir, cut < 0 ? '' : rel.slice(0, cut));
    } catch (e) {
      if (errno(e) === 'EEXIST' || errno(e) === 'ENOTDIR') throw invalidParameter(`Cannot write artifact '${rel}': a file is in the way`);
      throw e;
    }
    const target = nodePath.join(dir, name);
    if ((await statOrNull(target))?.isDirectory()) throw invalidParameter(`Cannot write artifact '${rel}': a directory exists there`);
    const tmp = nodePath.join(dir, `.${name}.lablog-tmp-${randomBytes(8).toString('hex')}`);
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      if (errno(e) === 'ENAMETOOLONG') throw invalidParameter('Invalid path');
      throw e;
    }
  }

  list(path: string): Promise<FileInfo[]> {
    return this.repo.listArtifacts(validateArtifactPath(path));
  }

  delete(path: string): Promise<void> {
    return this.repo.deleteArtifacts(validateArtifactPath(path));
  }
}

/** What an S3 repository adds to the ArtifactRepository contract (duck-typed: it is registered by scheme). */
interface StreamingRepository extends ArtifactRepository {
  readonly bucket: string;
  readonly prefix: string;
  openArtifactWithInfo(path: string): Promise<ArtifactDownload>;
  putStream(path: string, body: Readable, size?: number): Promise<void>;
}

function isStreamingRepository(repo: ArtifactRepository): repo is StreamingRepository {
  const r = repo as Partial<StreamingRepository>;
  return typeof r.openArtifactWithInfo === 'function' && typeof r.putStream === 'function' && typeof r.bucket === 'string';
}

/** An S3 root, through the `s3:` repository the tracking package registers. */
class S3ArtifactStore implements ArtifactStore {
  readonly localDir = null;
  readonly s3: { bucket: string; prefix: string };

  constructor(
    readonly rootUri: string,
    private readonly repo: StreamingRepository,
  ) {
    this.s3 = { bucket: repo.bucket, prefix: repo.prefix };
  }

  open(path: string): Promise<ArtifactDownload> {
    return this.repo.openArtifactWithInfo(fileRel(path));
  }

  put(path: string, body: Readable, size?: number): Promise<void> {
    return this.repo.putStream(fileRel(path), body, size);
  }

  list(path: string): Promise<FileInfo[]> {
    return this.repo.listArtifacts(validateArtifactPath(path));
  }

  delete(path: string): Promise<void> {
    return this.repo.deleteArtifacts(validateArtifactPath(path));
  }
}

/** The scheme of a URI, lower-cased; null for a plain path (or a Windows drive). */
function schemeOf(uri: string): string | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  return m === null || m[1]!.length === 1 ? null : m[1]!.toLowerCase();
}

/**
 * The store for a root URI: a plain path or `file:` URI (local), or `s3://bucket/prefix`.
 * @throws LablogError INVALID_PARAMETER_VALUE for any other scheme: the server never reads
 *   artifacts from remote locations on a client's behalf (security.md §2.5).
 */
export function openArtifactStore(rootUri: string): ArtifactStore {
  const scheme = schemeOf(rootUri);
  if (scheme === null || scheme === 'file') return new LocalArtifactStore(scheme === null ? pathToFileUri(rootUri) : rootUri);
  if (scheme === 's3') {
    const repo = getArtifactRepository(rootUri);
    if (!isStreamingRepository(repo)) throw new LablogError('The s3: artifact repository cannot stream', 'NOT_IMPLEMENTED');
    return new S3ArtifactStore(rootUri, repo);
  }
  throw invalidParameter(`This server does not serve artifacts from '${scheme}:' locations`);
}

/**
 * Parses `--artifacts-destination`: a directory path (relative to the working directory),
 * a `file://` URI, or `s3://bucket/prefix`.
 * @throws LablogError INVALID_PARAMETER_VALUE for anything else.
 */
export function openArtifactsDestination(destination: string): ArtifactStore {
  if (typeof destination !== 'string' || destination.trim() === '') throw invalidParameter('The artifacts destination must be a non-empty path or URI');
  const scheme = schemeOf(destination);
  if (scheme !== null && scheme !== 'file' && scheme !== 's3') {
    throw invalidParameter(`Unsupported artifacts destination '${destination}': use a directory, a file:// URI or s3://bucket/prefix`);
  }
  // Normalized so that equal roots compare equal (file:///abs/dir).
  return openArtifactStore(scheme === 's3' ? destination : pathToFileUri(fileUriToPath(destination)));
}
