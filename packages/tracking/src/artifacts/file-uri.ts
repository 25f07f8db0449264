/**
 * Conversions between local paths and `file:` URIs, and URI scheme detection, for artifact
 * locations (experiment `artifact_location`, run `artifact_uri`).
 */
import * as nodePath from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidParameter } from '../errors.js';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * The lower-cased scheme of a URI (`file`, `s3`, `mlflow-artifacts`…), or `null` for a plain
 * path. A single letter before `:` is a Windows drive (`C:\runs`), not a scheme.
 */
export function uriScheme(uri: string): string | null {
  const m = SCHEME.exec(uri);
  if (m === null || m[1].length === 1) return null;
  return m[1].toLowerCase();
}

/**
 * The absolute local path of a `file:` URI or a plain path (relative paths resolve against the
 * working directory). A `file:` URI must name no host or `localhost`: `file://host/x` and
 * `file://proc/self/root` are refused rather than read as local paths (CVE-2023-6977).
 * Percent escapes are decoded once, as `fileURLToPath` does; an encoded `/` is refused.
 *
 * @throws LablogError INVALID_PARAMETER_VALUE for another scheme or a malformed `file:` URI.
 */
export function fileUriToPath(uri: string): string {
  const scheme = uriScheme(uri);
  if (scheme === null) return nodePath.resolve(uri);
  if (scheme !== 'file') throw invalidParameter(`Not a local file URI: '${uri}'`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalidParameter(`Malformed file URI: '${uri}'`);
  }
  // The URL parser already turns `file://localhost/x` into `file:///x`.
  if (url.hostname !== '') {
    throw invalidParameter(`File URI '${uri}' names a remote host; only local paths are supported`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalidParameter(`File URI '${uri}' can't include a query or fragment`);
  }
  try {
    return fileURLToPath(url);
  } catch (e) {
    throw invalidParameter(`Malformed file URI '${uri}': ${(e as Error).message}`);
  }
}

/** The `file://` URI of a local path (made absolute first), e.g. `file:///abs/mlruns/1`. */
export function pathToFileUri(path: string): string {
  return pathToFileURL(nodePath.resolve(path)).href;
}
