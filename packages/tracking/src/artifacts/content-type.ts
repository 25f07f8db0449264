/**
 * The `Content-Type` of an uploaded artifact, guessed from its extension as MLflow's client
 * does with Python's `mimetypes.guess_type` (`application/octet-stream` when unknown).
 */

/** Extension (lower case, no dot) → media type, for the types artifacts usually have. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  py: 'text/x-python',
  ipynb: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
  bmp: 'image/bmp',
  mp4: 'video/mp4',
  wav: 'audio/x-wav',
  mp3: 'audio/mpeg',
};

/** The media type for a file name; `application/octet-stream` when the extension is unknown. */
export function contentTypeFor(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return 'application/octet-stream';
  return CONTENT_TYPES[base.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}
