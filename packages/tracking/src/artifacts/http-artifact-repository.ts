/**
 * Artifacts through an MLflow server's artifact proxy (ref §4.1): `mlflow-artifacts:/<p>`,
 * `mlflow-artifacts://host:port/<p>` and `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<p>`
 * roots, as MLflow's `MlflowArtifactsRepository` / `HttpArtifactRepository`. One PUT per file,
 * GET to download or stream, `?path=` to list one level, DELETE to remove.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileInfo } from '../entities/file-info.js';
import { invalidParameter, LablogError } from '../errors.js';
import { HttpClient, readJsonResponse, type HttpResponse, type HttpTransportOptions } from '../store/rest/http-client.js';
import { errorFromResponse, redactUrl } from '../store/rest/rest-errors.js';
import type { RetryOptions } from '../store/rest/retry-policy.js';
import { getTrackingUri } from '../tracking-uri.js';
import type { ArtifactRepository } from './artifact-repository.js';
import type { ArtifactRepositoryContext, ArtifactRepositoryFactory } from './artifact-repository-registry.js';
import { validateArtifactPath } from './artifact-path.js';
import { contentTypeFor } from './content-type.js';

/** Where the proxy's artifact endpoints live, relative to the tracking URI. */
export const MLFLOW_ARTIFACTS_API_PATH = '/api/2.0/mlflow-artifacts/artifacts';

function joinRel(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}/${b}`;
}

function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

/**
 * The `http(s)` URL of an `mlflow-artifacts:` URI, as MLflow's `resolve_uri`: the tracking
 * URI's scheme, the artifact URI's host and port when it names one (else the tracking URI's),
 * the tracking URI's path prefix, then `/api/2.0/mlflow-artifacts/artifacts/<p>`.
 *
 * @example resolveMlflowArtifactsUri('mlflow-artifacts:/1/abc/artifacts', 'http://h:5000')
 *   // → 'http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts'
 * @throws LablogError INVALID_PARAMETER_VALUE when the tracking URI is not http(s) or the URI is malformed.
 */
export function resolveMlflowArtifactsUri(artifactUri: string, trackingUri: string): string {
  // Parsed by hand: the URL parser would silently resolve `..` segments before any check.
  const m = /^mlflow-artifacts:(?:\/\/([^/?#]*))?([^?#]*)(.*)$/is.exec(artifactUri);
  if (m === null) throw invalidParameter(`Not an mlflow-artifacts URI: '${artifactUri}'`);
  const [, host = '', rawPath = '', rest = ''] = m;
  if (rest !== '') throw invalidParameter(`mlflow-artifacts URI '${artifactUri}' can't include a query or fragment`);
  const tail = rawPath.replace(/^\/+/, '');
  validateArtifactPath(tail);
  let track: URL | undefined;
  try {
    track = new URL(trackingUri);
  } catch {
    track = undefined;
  }
  if (track === undefined || (track.protocol !== 'http:' && track.protocol !== 'https:')) {
    throw invalidParameter(
      `The mlflow-artifacts URI '${artifactUri}' needs an http or https tracking URI to resolve against; the tracking URI is '${redactUrl(trackingUri)}'.`,
    );
  }
  let origin: string;
  try {
    origin = new URL(`${track.protocol}//${host || track.host}`).origin;
  } catch {
    throw invalidParameter(`Malformed host in mlflow-artifacts URI '${artifactUri}'`);
  }
  const prefix = track.pathname.replace(/\/+$/, '');
  return `${origin}${`${prefix}${MLFLOW_ARTIFACTS_API_PATH}${tail ? `/${tail}` : ''}`.replace(/\/\/+/g, '/')}`.replace(/\/+$/, '');
}

/** Options of {@link HttpArtifactRepository}. */
export interface HttpArtifactRepositoryOptions {
  /** Needed to resolve `mlflow-artifacts:` roots; default {@link getTrackingUri}. */
  trackingUri?: string;
  /** A shared client (its credentials go only to its own origin); default a private one on the tracking URI. */
  http?: HttpClient;
  retry?: Partial<RetryOptions>;
  timeoutMs?: number;
  fetchOptions?: HttpTransportOptions;
}

/**
 * An {@link ArtifactRepository} on an MLflow artifact proxy. Every path goes through
 * {@link validateArtifactPath} before a request is made, and so does every name a listing
 * returns (a hostile server cannot steer a download outside its destination).
 */
export class HttpArtifactRepository implements ArtifactRepository {
  /** The URI this repository was created with, unchanged. */
  readonly rootUri: string;
  /** `…/api/2.0/mlflow-artifacts/artifacts` on the serving host. */
  readonly apiUrl: string;
  /** The root's path under the proxy's artifact destination (validated, decoded), e.g. `1/<run>/artifacts`. */
  readonly rootPath: string;
  private readonly http: HttpClient;
  private readonly ownsHttp: boolean;

  constructor(rootUri: string, options: HttpArtifactRepositoryOptions = {}) {
    this.rootUri = rootUri;
    const isProxyScheme = /^mlflow-artifacts:/i.test(rootUri);
    const trackingUri = options.trackingUri ?? (isProxyScheme || options.http === undefined ? getTrackingUri() : undefined);
    const httpUrl = isProxyScheme ? resolveMlflowArtifactsUri(rootUri, trackingUri ?? '') : rootUri;
    const at = httpUrl.indexOf(MLFLOW_ARTIFACTS_API_PATH);
    if (!/^https?:\/\//i.test(httpUrl) || at < 0) {
      throw invalidParameter(`Not an MLflow artifact proxy URI (expected …${MLFLOW_ARTIFACTS_API_PATH}/<path>): '${rootUri}'`);
    }
    const tail = httpUrl.slice(at + MLFLOW_ARTIFACTS_API_PATH.length);
    if (tail !== '' && !tail.startsWith('/')) throw invalidParameter(`Not an MLflow artifact proxy URI: '${rootUri}'`);
    this.rootPath = validateArtifactPath(tail.replace(/^\/+/, '').replace(/[?#].*$/, ''));
    const api = new URL(httpUrl.slice(0, at + MLFLOW_ARTIFACTS_API_PATH.length));
    api.username = '';
    api.password = '';
    this.apiUrl = api.href;
    if (options.http) {
      this.http = options.http;
      this.ownsHttp = false;
    } else {
      const base = trackingUri && /^https?:/i.test(trackingUri) ? trackingUri : api.origin;
      this.http = new HttpClient({
        ...options.fetchOptions,
        baseUrl: base,
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      this.ownsHttp = true;
    }
  }

  /** Uploads one local file to `<artifactPath>/<basename>` (the root when `artifactPath` is absent). */
  async logArtifact(localFile: string, artifactPath?: string): Promise<void> {
    const dir = validateArtifactPath(artifactPath ?? '');
    const rel = validateArtifactPath(joinRel(dir, nodePath.basename(localFile)));
    const st = await stat(localFile);
    if (!st.isFile()) throw invalidParameter(`Not a file: '${localFile}'`);
    await this.put(rel, () => createReadStream(localFile), st.size);
  }

  /** Uploads a local directory's files, recursively, one PUT each (empty directories are not kept, as in MLflow). */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
    const base = validateArtifactPath(artifactPath ?? '');
    await this.putTree(nodePath.resolve(localDir), base, new Set<string>());
  }

  /** Uploads bytes or UTF-8 text as the file `artifactFile`. */
  async writeArtifact(artifactFile: string, data: string | Uint8Array): Promise<void> {
    const rel = validateArtifactPath(artifactFile);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await this.put(rel, () => bytes, bytes.byteLength);
  }

  /**
   * Lists one level. The proxy answers basenames; they come back relative to the root
   * (listing `sub` gives `sub/a.txt`), sorted. A missing directory lists as empty.
   */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    const rel = validateArtifactPath(path ?? '');
    const full = joinRel(this.rootPath, rel);
    const res = await this.http.send({ method: 'GET', path: this.apiUrl, query: { path: full === '' ? undefined : full }, idempotent: true });
    const json = await readJsonResponse(res);
    const files = Array.isArray(json.files) ? (json.files as { path?: unknown; is_dir?: unknown; file_size?: unknown }[]) : [];
    const out: FileInfo[] = [];
    for (const f of files) {
      const name = typeof f.path === 'string' ? f.path : '';
      if (name === '' || name.includes('/') || validateArtifactPath(name) !== name) {
        throw new LablogError(`The artifact server listed an unsafe name ${JSON.stringify(name)} under '${full}'`, 'INVALID_PARAMETER_VALUE');
      }
      const p = joinRel(rel, name);
      out.push(f.is_dir === true ? { path: p, isDir: true } : f.file_size === undefined ? { path: p, isDir: false } : { path: p, isDir: false, fileSize: Number(f.file_size) });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Downloads a file, or a directory recursively, to `dstDir/<path>` (the root into `dstDir`
   * itself) and returns that local path. A path that lists as a non-empty directory is one.
   * @throws LablogError RESOURCE_DOES_NOT_EXIST when the file is absent.
   */
  async downloadArtifacts(path: string, dstDir: string): Promise<string> {
    const rel = validateArtifactPath(path);
    const dst = rel === '' ? nodePath.resolve(dstDir) : nodePath.join(nodePath.resolve(dstDir), ...rel.split('/'));
    const listing = await this.listArtifacts(rel);
    if (rel === '' || listing.length > 0) await this.downloadTree(listing, dst);
    else await this.downloadFile(rel, dst);
    return dst;
  }

  /** Streams one file. @throws LablogError RESOURCE_DOES_NOT_EXIST when absent. */
  async openArtifact(path: string): Promise<Readable> {
    const rel = validateArtifactPath(path);
    const res = await this.http.send({ method: 'GET', path: this.fileUrl(rel), idempotent: true });
    await this.throwUnlessOk(res, rel);
    return res.body;
  }

  /** Deletes a file or directory (the root when `path` is empty). */
  async deleteArtifacts(path: string): Promise<void> {
    const rel = validateArtifactPath(path);
    await readJsonResponse(await this.http.send({ method: 'DELETE', path: this.fileUrl(rel), idempotent: true }));
  }

  /** Closes the private HTTP client (not a shared one). */
  async close(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private fileUrl(rel: string): string {
    const full = joinRel(this.rootPath, rel);
    return full === '' ? this.apiUrl : `${this.apiUrl}/${encodePath(full)}`;
  }

  private async put(rel: string, body: () => Readable | Uint8Array, size: number): Promise<void> {
    if (rel === '') throw invalidParameter('Invalid path');
    const headers = { 'content-type': contentTypeFor(rel), 'content-length': String(size) };
    await readJsonResponse(await this.http.send({ method: 'PUT', path: this.fileUrl(rel), body, headers, idempotent: true }));
  }

  private async throwUnlessOk(res: HttpResponse, rel: string): Promise<void> {
    if (res.status >= 200 && res.status < 300) return;
    const text = await res.body.text();
    const err = errorFromResponse(res.status, text, res.url);
    // A bare 404 on a file URL means the file is absent; an error JSON keeps its own code.
    if (res.status === 404 && !/"error_code"/.test(text)) {
      throw new LablogError(`Artifact '${rel}' does not exist`, 'RESOURCE_DOES_NOT_EXIST', { httpStatus: 404 });
    }
    throw err;
  }

  private async downloadFile(rel: string, dst: string): Promise<void> {
    const res = await this.http.send({ method: 'GET', path: this.fileUrl(rel), idempotent: true });
    await this.throwUnlessOk(res, rel);
    await mkdir(nodePath.dirname(dst), { recursive: true });
    const tmp = `${dst}.lablog-download-${process.pid}`;
    try {
      await pipeline(res.body, createWriteStream(tmp));
      await rename(tmp, dst);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  private async downloadTree(listing: FileInfo[], dst: string): Promise<void> {
    await mkdir(dst, { recursive: true });
    for (const entry of listing) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      const target = nodePath.join(dst, name);
      if (entry.isDir) await this.downloadTree(await this.listArtifacts(entry.path), target);
      else await this.downloadFile(entry.path, target);
    }
  }

  private async putTree(localDir: string, baseRel: string, seen: Set<string>): Promise<void> {
    const real = await realpath(localDir);
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of (await readdir(localDir)).sort()) {
      const local = nodePath.join(localDir, name);
      const st = await stat(local).catch(() => null);
      if (st === null) continue;
      const rel = validateArtifactPath(joinRel(baseRel, name));
      if (st.isDirectory()) await this.putTree(local, rel, seen);
      else if (st.isFile()) await this.put(rel, () => createReadStream(local), st.size);
    }
  }
}

/** A factory that also closes the HTTP clients it shares between repositories. */
export type ClosableArtifactRepositoryFactory = ArtifactRepositoryFactory & { close(): Promise<void> };

/**
 * The artifact repository factory for `mlflow-artifacts:`, `http:` and `https:` URIs.
 * `trackingUriProvider` is asked at each call (default {@link getTrackingUri}), so
 * `mlflow-artifacts:` roots resolve against the tracking URI in effect. One keep-alive
 * {@link HttpClient} is shared per tracking URI; credentials (MLflow's environment variables)
 * go only to the tracking server's origin.
 *
 * Register with `registerArtifactRepository('mlflow-artifacts', f)`, and `'http'`, `'https'`.
 */
export function httpArtifactRepositoryFactory(
  trackingUriProvider: () => string = getTrackingUri,
  options: Omit<HttpArtifactRepositoryOptions, 'trackingUri' | 'http'> = {},
): ClosableArtifactRepositoryFactory {
  const clients = new Map<string, HttpClient>();
  const env = process.env;
  const clientFor = (baseUrl: string): HttpClient => {
    const key = [baseUrl, env.MLFLOW_TRACKING_USERNAME, env.MLFLOW_TRACKING_PASSWORD, env.MLFLOW_TRACKING_TOKEN].join('\u0000');
    let c = clients.get(key);
    if (c === undefined) {
      c = new HttpClient({
        ...options.fetchOptions,
        baseUrl,
        ...(options.retry ? { retry: options.retry } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      });
      clients.set(key, c);
    }
    return c;
  };
  const factory = (uri: string, context: ArtifactRepositoryContext = {}): ArtifactRepository => {
    const trackingUri = context.trackingUri ?? trackingUriProvider();
    // Resolving first gives the clear error for an mlflow-artifacts: URI without an http tracking URI.
    const httpUrl = /^mlflow-artifacts:/i.test(uri) ? resolveMlflowArtifactsUri(uri, trackingUri) : uri;
    if (!/^https?:\/\//i.test(httpUrl)) throw invalidParameter(`Not an http(s) artifact URI: '${uri}'`);
    const base = /^https?:\/\//i.test(trackingUri) ? trackingUri : new URL(httpUrl).origin;
    return new HttpArtifactRepository(uri, { trackingUri, http: clientFor(base) });
  };
  return Object.assign(factory, {
    close: async () => {
      const all = [...clients.values()];
      clients.clear();
      await Promise.all(all.map((c) => c.close()));
    },
  });
}
