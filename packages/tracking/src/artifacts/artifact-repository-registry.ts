/**
 * Picks the artifact repository for an artifact URI by its scheme, as MLflow's
 * `get_artifact_repository` does. `file:` URIs and plain paths get a
 * {@link LocalArtifactRepository}; the remote schemes are not implemented yet.
 */
import { invalidParameter, LablogError } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { uriScheme } from './file-uri.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

/** Builds a repository for one artifact URI. */
export type ArtifactRepositoryFactory = (uri: string) => ArtifactRepository;

/** Schemes MLflow supports that lablog will add with its server; named so the error can say so. */
export const PENDING_ARTIFACT_SCHEMES: readonly string[] = ['mlflow-artifacts', 'http', 'https', 's3'];

const factories = new Map<string, ArtifactRepositoryFactory>([
  ['file', (uri) => new LocalArtifactRepository(uri)],
]);

/**
 * Registers (or replaces) the factory for a URI scheme, e.g. the server's `mlflow-artifacts`
 * repository. Returns a function that restores what was registered before.
 */
export function registerArtifactRepository(scheme: string, factory: ArtifactRepositoryFactory): () => void {
  const key = scheme.toLowerCase().replace(/:$/, '');
  const previous = factories.get(key);
  factories.set(key, factory);
  return () => {
    if (previous === undefined) factories.delete(key);
    else factories.set(key, previous);
  };
}

/**
 * The artifact repository for `uri`: `file:///abs/dir`, `/abs/dir`, `relative/dir` (and
 * `C:\dir` on Windows) give a {@link LocalArtifactRepository}.
 *
 * @throws LablogError NOT_IMPLEMENTED for `mlflow-artifacts:`, `http(s):` and `s3:` until the
 *   lablog server provides them; INVALID_PARAMETER_VALUE for an empty URI or an unknown scheme.
 */
export function getArtifactRepository(uri: string): ArtifactRepository {
  if (typeof uri !== 'string' || uri === '') throw invalidParameter('Artifact URI must be a non-empty string');
  const scheme = uriScheme(uri) ?? 'file';
  const factory = factories.get(scheme);
  if (factory !== undefined) return factory(uri);
  if (PENDING_ARTIFACT_SCHEMES.includes(scheme)) {
    throw new LablogError(
      `Artifact URI scheme '${scheme}:' is not supported yet (URI '${uri}'): the ${scheme}: artifact ` +
        `repository arrives with the lablog server. Use a file: URI or a local path for now.`,
      'NOT_IMPLEMENTED',
    );
  }
  throw invalidParameter(`Unsupported artifact URI scheme '${scheme}:' in '${uri}'`);
}
