/** Artifact storage: the repository contract, the local implementation, and the path checks every route uses. */
export type { ArtifactRepository } from './artifact-repository.js';
export { validateArtifactPath, resolveUnderRoot, MAX_ARTIFACT_PATH_DECODE_ROUNDS } from './artifact-path.js';
export { LocalArtifactRepository } from './local-artifact-repository.js';
export type { ArtifactRepositoryFactory, ArtifactRepositoryContext } from './artifact-repository-registry.js';
export {
  getArtifactRepository,
  registerArtifactRepository,
  PENDING_ARTIFACT_SCHEMES,
} from './artifact-repository-registry.js';
export { fileUriToPath, pathToFileUri, uriScheme } from './file-uri.js';
