import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { FileInfo } from '../entities/file-info.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { getArtifactRepository } from '../artifacts/artifact-repository-registry.js';
import { SearchClient } from './search.js';

const MAX_CACHED_URIS = 1000;

/**
 * Artifact calls of {@link TrackingClient}: each goes to the repository of the run's
 * `artifactUri` (cached per run, since it never changes).
 */
export class ArtifactsClient extends SearchClient {
  private readonly artifactUris = new Map<string, string>();

  /** The artifact repository of a run. */
  async artifactRepository(runId: string): Promise<ArtifactRepository> {
    let uri = this.artifactUris.get(runId);
    if (uri === undefined) {
      uri = (await this.getRun(runId)).info.artifactUri;
      if (this.artifactUris.size >= MAX_CACHED_URIS) this.artifactUris.clear();
      this.artifactUris.set(runId, uri);
    }
    return getArtifactRepository(uri, this.trackingUri.startsWith('<') ? {} : { trackingUri: this.trackingUri });
  }

  /** Copies a local file to `<artifactPath>/<basename>` in the run's artifacts. */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    await (await this.artifactRepository(runId)).logArtifact(localPath, artifactPath);
  }

  /** Copies a local directory's contents, recursively, under `artifactPath`. */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<void> {
    await (await this.artifactRepository(runId)).logArtifacts(localDir, artifactPath);
  }

  /** Writes text to `artifactFile` (a path with a file name, e.g. `notes/summary.md`). */
  async logText(runId: string, text: string, artifactFile: string): Promise<void> {
    await (await this.artifactRepository(runId)).writeArtifact(artifactFile, text);
  }

  /**
   * Writes a JSON-serialisable object to `artifactFile`: YAML when the name ends `.yaml` or
   * `.yml`, JSON (indented by 2, as MLflow's `log_dict`) otherwise.
   */
  async logDict(runId: string, obj: unknown, artifactFile: string): Promise<void> {
    const text = /\.ya?ml$/i.test(artifactFile) ? toYaml(obj) : JSON.stringify(obj, null, 2);
    await this.logText(runId, text, artifactFile);
  }

  /** Lists one directory level of the run's artifacts (the root when `path` is absent). */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    return (await this.artifactRepository(runId)).listArtifacts(path);
  }

  /**
   * Downloads a file or directory of the run's artifacts (everything when `path` is `''`) into
   * `dstPath` (default: a fresh temporary directory) and returns the local path.
   */
  async downloadArtifacts(runId: string, path = '', dstPath?: string): Promise<string> {
    const dst = dstPath ?? (await mkdtemp(join(tmpdir(), 'lablog-artifacts-')));
    return (await this.artifactRepository(runId)).downloadArtifacts(path, dst);
  }
}
