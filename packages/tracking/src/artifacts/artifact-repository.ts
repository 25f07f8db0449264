import type { Readable } from 'node:stream';
import type { FileInfo } from '../entities/file-info.js';

/**
 * Where a run's artifacts live: a local directory, an `mlflow-artifacts:` proxy over HTTP, S3.
 * Paths are relative to the repository's root, `/`-separated; every implementation confines
 * them to the root (no `..`, no absolute paths, no percent-encoded traversal) and rejects a bad
 * one with INVALID_PARAMETER_VALUE "Invalid path".
 */
export interface ArtifactRepository {
  /** The root URI, e.g. `file:///abs/lablog/artifacts/1/<run>/artifacts`. */
  readonly rootUri: string;
  /** Copies one local file to `<artifactPath>/<basename>` (root when `artifactPath` is absent). */
  logArtifact(localFile: string, artifactPath?: string): Promise<void>;
  /** Copies a local directory's contents, recursively, under `artifactPath`. */
  logArtifacts(localDir: string, artifactPath?: string): Promise<void>;
  /** Writes bytes or text to the file at `artifactFile` (a path with a file name). */
  writeArtifact(artifactFile: string, data: string | Uint8Array): Promise<void>;
  /** Lists one directory level; paths come back relative to the root, as MLflow's `artifacts/list`. */
  listArtifacts(path?: string): Promise<FileInfo[]>;
  /** Downloads a file or directory into `dstDir` and returns the local path of what was downloaded. */
  downloadArtifacts(path: string, dstDir: string): Promise<string>;
  /** Streams one file. RESOURCE_DOES_NOT_EXIST when absent. */
  openArtifact(path: string): Promise<Readable>;
  /** Deletes a file or directory (recursively). */
  deleteArtifacts(path: string): Promise<void>;
}
