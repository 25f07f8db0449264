/**
 * Picks the artifact repository for an artifact URI by its scheme, as MLflow's
 * `get_artifact_repository` does: `file:` URIs and plain paths get a
 * {@link LocalArtifactRepository}; `mlflow-artifacts:` and `http(s):` the proxy client
 * ({@link HttpArtifactRepository}); `s3:` the S3 client ({@link S3ArtifactRepository}, whose AWS
 * SDK loads on the first request). Other schemes plug in with {@link registerArtifactRepository}.
 */
import { invalidParameter, LablogError } from '../errors.js';
import type { ArtifactRepository } from './artifact-repository.js';
import { uriScheme } from './file-uri.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import { httpArtifactRepositoryFactory } from './http-artifact-repository.js';
import { S3ArtifactRepository } from './s3-artifact-repository.js';

/** What a factory may need beyond the URI. */
export interface ArtifactRepositoryContext {
  /**
   * The tracking URI the artifact URI belongs to: `mlflow-artifacts:/…` resolves against it.
   * Default: the process-wide tracking URI.
   */
  trackingUri?: string;
}

/** Builds a repository for one artifact URI. */
export type ArtifactRepositoryFactory = (uri: string, context: ArtifactRepositoryContext) => ArtifactRepository;

/** Schemes MLflow supports that lablog has no repository for (yet); named so the error can say so. */
export const PENDING_ARTIFACT_SCHEMES: readonly string[] = ['gs', 'wasbs', 'hdfs', 'dbfs'];

const httpArtifacts = httpArtifactRepositoryFactory();
const factories = new Map<string, ArtifactRepositoryFactory>([
  ['file', (uri) => new LocalArtifactRepository(uri)],
  ['mlflow-artifacts', httpArtifacts],
  ['http', httpArtifacts],
  ['https', httpArtifacts],
  ['s3', (uri) => new S3ArtifactRepository(uri)],
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
 * `C:\dir` on Windows) give a {@link LocalArtifactRepository}; `mlflow-artifacts:/…` resolves
 * against `context.trackingUri` (default: the process-wide tracking URI).
 *
 * @throws LablogError NOT_IMPLEMENTED for a scheme MLflow knows and lablog does not serve
 *   (`gs:`, `wasbs:`, …); INVALID_PARAMETER_VALUE for an empty URI or an unknown scheme.
 */
export function getArtifactRepository(uri: string, context: ArtifactRepositoryContext = {}): ArtifactRepository {
  if (typeof uri !== 'string' || uri === '') throw invalidParameter('Artifact URI must be a non-empty string');
  const scheme = uriScheme(uri) ?? 'file';
  const factory = factories.get(scheme);
  if (factory !== undefined) return factory(uri, context);
  if (PENDING_ARTIFACT_SCHEMES.includes(scheme)) {
    throw new LablogError(
      `Artifact URI scheme '${scheme}:' is not supported by lablog (URI '${uri}'). Supported: file:, ` +
        `mlflow-artifacts:, http(s): (an MLflow artifact proxy) and s3: (S3 and S3-compatible stores).`,
      'NOT_IMPLEMENTED',
    );
  }
  throw invalidParameter(`Unsupported artifact URI scheme '${scheme}:' in '${uri}'`);
}
