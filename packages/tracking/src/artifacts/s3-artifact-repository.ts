/**
 * Artifacts in Amazon S3 or an S3-compatible server (MinIO, Ceph, s3rver): `s3://bucket/prefix`
 * roots, as MLflow's `S3ArtifactRepository`, configured the way MLflow configures boto:
 *
 * | environment variable              | effect                                                   |
 * |-----------------------------------|----------------------------------------------------------|
 * | `MLFLOW_S3_ENDPOINT_URL`          | endpoint of an S3-compatible server; path-style addressing |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | static credentials (else the SDK's default chain) |
 * | `AWS_REGION` / `AWS_DEFAULT_REGION` | region; default `us-east-1`                            |
 * | `MLFLOW_S3_IGNORE_TLS`            | `true`: do not verify the endpoint's TLS certificate      |
 *
 * `@aws-sdk/client-s3` is loaded lazily, on the first request, so importing lablog costs nothing
 * for users without S3. Every path goes through {@link validateArtifactPath} before any request
 * is made; keys coming back from the bucket are checked again before they become local paths
 * (a hostile listing cannot write outside a download directory: security.md §2.5).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { FileInfo } from '../entities/file-info.js';
import { invalidParameter, LablogError, resourceDoesNotExist } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { resolveUnderRoot, validateArtifactPath } from './artifact-path.js';
import { contentTypeFor } from './content-type.js';

type S3Module = typeof import('@aws-sdk/client-s3');

let sdk: Promise<S3Module> | undefined;

/** Loads `@aws-sdk/client-s3` once, on first use. */
function loadSdk(): Promise<S3Module> {
  sdk ??= import('@aws-sdk/client-s3').catch((e: unknown) => {
    sdk = undefined;
    throw new LablogError(`s3: artifact URIs need the @aws-sdk/client-s3 package: ${(e as Error).message}`, 'NOT_IMPLEMENTED');
  });
  return sdk;
}

/** How to reach S3; {@link s3OptionsFromEnv} reads MLflow's environment variables into one. */
export interface S3ArtifactRepositoryOptions {
  /** An S3-compatible endpoint, e.g. `http://127.0.0.1:9000`; absent: AWS. */
  endpointUrl?: string;
  /** Default `us-east-1`. */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Skip TLS certificate verification for an `https` endpoint. */
  ignoreTls?: boolean;
  /** Path-style addressing (`endpoint/bucket/key`); default: on when `endpointUrl` is set. */
  forcePathStyle?: boolean;
  /** A ready client (tests, custom middleware); the other options are then ignored. */
  client?: S3Client;
}

/** The options MLflow's environment variables describe (see the module comment). */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv = process.env): S3ArtifactRepositoryOptions {
  const out: S3ArtifactRepositoryOptions = {};
  if (env.MLFLOW_S3_ENDPOINT_URL) out.endpointUrl = env.MLFLOW_S3_ENDPOINT_URL;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) out.region = region;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    out.accessKeyId = env.AWS_ACCESS_KEY_ID;
    out.secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (env.AWS_SESSION_TOKEN) out.sessionToken = env.AWS_SESSION_TOKEN;
  }
  if (/^(true|1|yes)$/i.test(env.MLFLOW_S3_IGNORE_TLS ?? '')) out.ignoreTls = true;
  return out;
}

/** The bucket and key prefix of an `s3://bucket/prefix` URI (prefix `''` for the bucket root). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri);
  if (m === null) throw invalidParameter(`Not an s3://bucket/prefix URI: '${uri}'`);
  const bucket = m[1]!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw invalidParameter(`Invalid S3 bucket name in '${uri}'`);
  return { bucket, prefix: validateArtifactPath(m[2] === undefined ? '' : m[2].replace(/^\/+/, '')) };
}

/** Builds an S3 client for the options (path-style, checksums only when required, for S3-compatible servers). */
export async function createS3Client(options: S3ArtifactRepositoryOptions): Promise<S3Client> {
  if (options.client) return options.client;
  const { S3Client: Client } = await loadSdk();
  const config: S3ClientConfig = { region: options.region ?? 'us-east-1' };
  if (options.endpointUrl) {
    config.endpoint = options.endpointUrl;
    // Third-party servers rarely implement the newer default checksums (aws-chunked uploads).
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  config.forcePathStyle = options.forcePathStyle ?? Boolean(options.endpointUrl);
  if (options.accessKeyId && options.secretAccessKey) {
    config.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    };
  }
  if (options.ignoreTls) config.requestHandler = { httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) };
  return new Client(config);
}

function joinRel(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}/${b}`;
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

/** A relative name from the bucket, or null when it is not a path lablog can address unchanged. */
function safeRel(rel: string): string | null {
  try {
    return validateArtifactPath(rel) === rel && rel !== '' ? rel : null;
  } catch {
    return null;
  }
}

/** What {@link S3ArtifactRepository.openArtifactWithInfo} returns. */
export interface ArtifactDownload {
  stream: Readable;
  /** Bytes, when known. */
  size?: number;
  lastModified?: Date;
  /** The object's ETag, quoted as HTTP sends it. */
  etag?: string;
}

/**
 * An artifact repository on S3 (`s3://bucket/prefix`). Listing is one level (`Delimiter: '/'`),
 * deletes are recursive (the key itself and everything under `key/`), downloads of a
 * "directory" fetch every object below it.
 */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly rootUri: string;
  readonly bucket: string;
  /** The key prefix of the root, without a trailing `/` (`''` for the bucket root). */
  readonly prefix: string;
  private readonly options: S3ArtifactRepositoryOptions;
  private client: Promise<S3Client> | undefined;

  /** @param options - default {@link s3OptionsFromEnv}(). */
  constructor(rootUri: string, options: S3ArtifactRepositoryOptions = s3OptionsFromEnv()) {
    const { bucket, prefix } = parseS3Uri(rootUri);
    this.rootUri = rootUri;
    this.bucket = bucket;
    this.prefix = prefix;
    this.options = options;
  }

  /** The object key of a validated relative path. */
  keyOf(rel: string): string {
    return joinRel(this.prefix, rel);
  }

  private async s3(): Promise<{ c: S3Client; m: S3Module }> {
    this.client ??= createS3Client(this.options);
    const [c, m] = await Promise.all([this.client, loadSdk()]);
    return { c, m };
  }

  /** Copies one local file to `<artifactPath>/<basename>`. */
  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const rel = validateArtifactPath(joinRel(validateArtifactPath(artifactPath ?? ''), nodePath.basename(localFile)));
    const st = await stat(localFile);
    await this.putStream(rel, createReadStream(localFile), st.size);
  }

  /** Uploads a local directory's files, recursively, under `artifactPath` (symlinks followed once). */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const base = validateArtifactPath(artifactPath ?? '');
    const seen = new Set<string>();
    const walk = async (dir: string, rel: string): Promise<void> => {
      const real = await realpath(dir);
      if (seen.has(real)) return;
      seen.add(real);
      for (const name of (await readdir(dir)).sort()) {
        const local = nodePath.join(dir, name);
        const st = await stat(local).catch(() => null);
        if (st === null) continue;
        const childRel = validateArtifactPath(joinRel(rel, name));
        if (st.isDirectory()) await walk(local, childRel);
        else if (st.isFile()) await this.putStream(childRel, createReadStream(local), st.size);
      }
    };
    await walk(nodePath.resolve(localDir), base);
  }

  /** Writes bytes or UTF-8 text to `artifactFile`. */
  async writeArtifact(artifactFile: string, data: string | Uint8Array): Promise<void> {
    const rel = validateArtifactPath(artifactFile);
    if (rel === '') throw invalidParameter('Invalid path');
    const { c, m } = await this.s3();
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await c.send(new m.PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(rel), Body: body, ContentType: contentTypeFor(rel) }));
  }

  /**
   * Streams `body` into the object at `path`. With `size` the stream goes straight to S3;
   * without it (a chunked upload) it is first spooled to a temporary file, since a plain
   * PutObject needs the length up front.
   */
  async putStream(path: string, body: Readable, size?: number): Promise<void> {
    const rel = validateArtifactPath(path);
    if (rel === '') throw invalidParameter('Invalid path');
    if (size === undefined) {
      const dir = await mkdtemp(nodePath.join(tmpdir(), 'lablog-s3-'));
      try {
        const tmp = nodePath.join(dir, 'body');
        await pipeline(body, createWriteStream(tmp));
        await this.putStream(rel, createReadStream(tmp), (await stat(tmp)).size);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return;
    }
    const { c, m } = await this.s3();
    await c.send(
      new m.PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(rel), Body: body, ContentLength: size, ContentType: contentTypeFor(rel) }),
    );
  }

  /** Lists one level below `path`, sorted; paths are relative to the root, as MLflow's. */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const rel = validateArtifactPath(path ?? '');
    const listPrefix = this.keyOf(rel) === '' ? '' : `${this.keyOf(rel)}/`;
    const out: FileInfo[] = [];
    for await (const page of this.pages(listPrefix, '/')) {
      for (const cp of page.CommonPrefixes ?? []) {
        const name = (cp.Prefix ?? '').slice(listPrefix.length).replace(/\/$/, '');
        const child = safeRel(joinRel(rel, name));
        if (child !== null && !name.includes('/')) out.push({ path: child, isDir: true });
      }
      for (const obj of page.Contents ?? []) {
        const name = (obj.Key ?? '').slice(listPrefix.length);
        if (name === '') continue; // a "directory marker" object
        const child = safeRel(joinRel(rel, name));
        if (child !== null) out.push({ path: child, isDir: false, fileSize: obj.Size ?? 0 });
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Pages of ListObjectsV2 under a key prefix. */
  private async *pages(prefix: string, delimiter?: string) {
    const { c, m } = await this.s3();
    let token: string | undefined;
    do {
      const page = await c.send(
        new m.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Every key strictly below a "directory" (relative names, unsafe ones skipped). */
  private async keysUnder(rel: string): Promise<string[]> {
    const dirPrefix = this.keyOf(rel) === '' ? '' : `${this.keyOf(rel)}/`;
    const keys: string[] = [];
    for await (const page of this.pages(dirPrefix)) for (const obj of page.Contents ?? []) if (obj.Key) keys.push(obj.Key);
    return keys;
  }

  /**
   * Downloads the object or "directory" at `path` to `dstDir/<path>` and returns that path.
   * @throws LablogError RESOURCE_DOES_NOT_EXIST when nothing is there.
   */
  async downloadArtifacts(path: string, dstDir: string): Promise<string> {
    const rel = validateArtifactPath(path);
    const dstRoot = nodePath.resolve(dstDir);
    const dst = rel === '' ? dstRoot : nodePath.join(dstRoot, ...rel.split('/'));
    if (rel !== '' && (await this.fetchTo(rel, dstRoot))) return dst;
    const dirPrefix = this.keyOf(rel) === '' ? '' : `${this.keyOf(rel)}/`;
    const keys = await this.keysUnder(rel);
    if (keys.length === 0 && rel !== '') throw resourceDoesNotExist(`Artifact '${rel}' does not exist`);
    await mkdir(dst, { recursive: true });
    for (const key of keys) {
      const sub = key.slice(dirPrefix.length);
      if (sub.endsWith('/')) {
        const dirRel = safeRel(joinRel(rel, sub.replace(/\/+$/, '')));
        if (dirRel !== null) await mkdir(await resolveUnderRoot(dstRoot, dirRel), { recursive: true });
        continue;
      }
      const fileRel = safeRel(joinRel(rel, sub));
      if (fileRel !== null) await this.fetchTo(fileRel, dstRoot);
    }
    return dst;
  }

  /** Downloads one object to `dstRoot/<rel>`; false when it does not exist. */
  private async fetchTo(rel: string, dstRoot: string): Promise<boolean> {
    let download: ArtifactDownload;
    try {
      download = await this.openArtifactWithInfo(rel);
    } catch (e) {
      if (LablogError.is(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return false;
      throw e;
    }
    const local = await resolveUnderRoot(dstRoot, rel);
    await mkdir(nodePath.dirname(local), { recursive: true });
    await pipeline(download.stream, createWriteStream(local));
    return true;
  }

  /** Streams one object. @throws LablogError RESOURCE_DOES_NOT_EXIST when absent. */
  async openArtifact(path: string): Promise<Readable> {
    return (await this.openArtifactWithInfo(path)).stream;
  }

  /** Streams one object, with its size, modification time and ETag. */
  async openArtifactWithInfo(path: string): Promise<ArtifactDownload> {
    const rel = validateArtifactPath(path);
    if (rel === '') throw invalidParameter('Invalid path');
    const { c, m } = await this.s3();
    try {
      const res = await c.send(new m.GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(rel) }));
      const out: ArtifactDownload = { stream: res.Body as Readable };
      if (res.ContentLength !== undefined) out.size = res.ContentLength;
      if (res.LastModified) out.lastModified = res.LastModified;
      if (res.ETag) out.etag = res.ETag;
      return out;
    } catch (e) {
      if (isNotFound(e)) throw resourceDoesNotExist(`Artifact '${rel}' does not exist`);
      throw e;
    }
  }

  /** Deletes the object at `path` and everything below `path/`; the empty path deletes the whole root. */
  async deleteArtifacts(path: string): Promise<void> {
    const rel = validateArtifactPath(path);
    const keys = await this.keysUnder(rel);
    if (rel !== '') keys.push(this.keyOf(rel));
    const { c, m } = await this.s3();
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const res = await c.send(new m.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }));
      const failed = (res.Errors ?? []).filter((err) => err.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new LablogError(`S3 delete failed for ${failed.length} object(s): ${failed[0]?.Code ?? ''}`, 'INTERNAL_ERROR');
    }
  }
}
