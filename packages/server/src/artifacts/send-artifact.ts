/**
 * Sends one artifact file as a download, the way every artifact route does (MLflow's
 * `_send_artifact`, hardened): always an attachment, never rendered by the browser on the
 * server's origin (security.md §2.1 note, §2.6).
 *
 * - `Content-Disposition: attachment; filename=…` with an RFC 6266 / RFC 5987 encoding of
 *   names that are not plain tokens (quotes, spaces, non-ASCII, control characters);
 * - `Content-Type` from the extension, but active types (HTML, XHTML, JavaScript) are sent as
 *   `text/plain`, and unknown ones as `application/octet-stream`;
 * - `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'; sandbox`;
 * - `Content-Length` when known, `Last-Modified` and `ETag` when the store gives them
 *   (local files do), and `304 Not Modified` for a matching `If-None-Match`.
 *
 * The route that owns `/model-versions/get-artifact` uses this too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArtifactDownload } from './artifact-store.js';

/** Extension → media type for what artifacts usually are; anything else is octet-stream. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  ipynb: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  xml: 'application/xml',
  py: 'text/x-python',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  wav: 'audio/x-wav',
  onnx: 'application/octet-stream',
  parquet: 'application/octet-stream',
  // Active content: sent as text, never as a document the browser would run.
  html: 'text/plain',
  htm: 'text/plain',
  xhtml: 'text/plain',
  js: 'text/plain',
  mjs: 'text/plain',
};

/** The `Content-Type` an artifact is served with (see the module comment). */
export function artifactContentType(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const type = dot > 0 ? (MEDIA_TYPES[base.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream') : 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

/** RFC 7230 token characters: a name made of these needs no quoting. */
const TOKEN = /^[A-Za-z0-9!#$&+\-.^_`|~]+$/;

/** RFC 5987 `value-chars`: percent-encode everything but attr-char. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * `attachment; filename=…` for a file name (its last `/` segment): a plain token as is, other
 * printable ASCII quoted, anything else with an ASCII fallback plus `filename*=UTF-8''…`.
 */
export function contentDispositionAttachment(fileName: string): string {
  const name = fileName.slice(fileName.lastIndexOf('/') + 1) || 'artifact';
  if (TOKEN.test(name)) return `attachment; filename=${name}`;
  // eslint-disable-next-line no-control-regex
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === name) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

/**
 * Sends an opened artifact as an attachment named after `fileName`'s last segment.
 * @returns the reply, for `return sendArtifact(…)` in a handler.
 */
export function sendArtifact(request: FastifyRequest, reply: FastifyReply, download: ArtifactDownload, fileName: string): FastifyReply {
  void reply.headers({
    'content-type': artifactContentType(fileName),
    'content-disposition': contentDispositionAttachment(fileName),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'no-cache',
  });
  if (download.lastModified) void reply.header('last-modified', download.lastModified.toUTCString());
  if (download.etag) {
    void reply.header('etag', download.etag);
    if (etagMatches(request.headers['if-none-match'], download.etag)) {
      download.stream.destroy();
      return reply.code(304).send();
    }
  }
  if (download.size !== undefined) void reply.header('content-length', download.size);
  return reply.code(200).send(download.stream);
}
