/**
 * Where the server reads a run's (or model version's) artifacts: the one mapping from an
 * artifact root URI to an {@link ArtifactStore} and a base path inside it (ref §4.1 "URI
 * mapping").
 *
 * | root URI                                                | store                       | base   |
 * |---------------------------------------------------------|-----------------------------|--------|
 * | `mlflow-artifacts:/<p>`, `mlflow-artifacts://h:p/<p>`    | the artifacts destination   | `<p>`  |
 * | `http(s)://…/api/2.0/mlflow-artifacts/artifacts/<p>`    | the artifacts destination   | `<p>`  |
 * | `file:///dir`, `/dir`                                   | that directory              | `''`   |
 * | `s3://bucket/prefix`                                    | that prefix                 | `''`   |
 * | anything else (other http URLs, ftp, gs, …)             | refused: the server never fetches remote URIs for a client |
 *
 * Proxied roots need the server to serve artifacts: without a destination they answer 503.
 */
import { invalidParameter, LablogError, validateArtifactPath } from '@lablog/tracking';
import { openArtifactStore, type ArtifactStore } from './artifact-store.js';

/** An artifact root resolved to a store and a base path inside it. */
export interface ResolvedArtifactRoot {
  readonly store: ArtifactStore;
  /** Validated path of the root inside {@link store}; `''` for the store root. */
  readonly base: string;
  /** True when the root maps into the artifacts destination. */
  readonly proxied: boolean;
}

/** The path after `/api/2.0/mlflow-artifacts/artifacts` in an http(s) root that names the proxy. */
const PROXY_PATH = /^https?:\/\/[^/?#]*(?:\/[^?#]*)?\/api\/2\.0\/mlflow-artifacts\/artifacts(\/[^?#]*)?$/i;

/** MLflow's 503 for proxy features on a server started with `--no-serve-artifacts`. */
export function artifactsNotServed(): LablogError {
  return new LablogError(
    'This endpoint is disabled because the server runs with --no-serve-artifacts. ' +
      'Start the server with --serve-artifacts to enable the artifact proxy.',
    'TEMPORARILY_UNAVAILABLE',
  );
}

/**
 * The path part of a proxied root (`mlflow-artifacts:` or an http(s) URL of the proxy), or null
 * when `uri` is not one. The path is validated (no traversal, no query or fragment).
 * @throws LablogError INVALID_PARAMETER_VALUE for a proxied URI with an unsafe path.
 */
export function proxiedArtifactPath(uri: string): string | null {
  const m = /^mlflow-artifacts:(?:\/\/[^/?#]*)?([^?#]*)(.*)$/is.exec(uri);
  if (m !== null) {
    if (m[2] !== '') throw invalidParameter(`Artifact URI '${uri}' can't include a query or fragment`);
    return validateArtifactPath(m[1]!.replace(/^\/+/, ''));
  }
  const h = PROXY_PATH.exec(uri);
  if (h !== null) return validateArtifactPath((h[1] ?? '').replace(/^\/+/, ''));
  return null;
}

/**
 * Resolves an artifact root URI (see the module comment).
 *
 * @param destination - the artifacts destination, or null when the server does not serve artifacts.
 * @throws LablogError TEMPORARILY_UNAVAILABLE (503) for a proxied root without a destination;
 *   INVALID_PARAMETER_VALUE for a root the server will not read.
 */
export function resolveArtifactRoot(uri: string, destination: ArtifactStore | null): ResolvedArtifactRoot {
  const proxied = proxiedArtifactPath(uri);
  if (proxied !== null) {
    if (destination === null) throw artifactsNotServed();
    return { store: destination, base: proxied, proxied: true };
  }
  if (/^https?:/i.test(uri)) throw invalidParameter('This server does not read artifacts from remote http(s) locations');
  return { store: openArtifactStore(uri), base: '', proxied: false };
}

/** `base/rel` for validated parts (either may be `''`). */
export function joinArtifactPath(base: string, rel: string): string {
  return base === '' ? rel : rel === '' ? base : `${base}/${rel}`;
}
