/**
 * Where a model URI points, and fetching it into a local directory (ref §6.3):
 * `runs:/<run_id>/<path>`, `models:/<name>/<version>`, `models:/<name>/<stage>` (highest version
 * in the stage), `models:/<name>/latest` (highest version), `models:/<name>@<alias>`, `file://`
 * URIs and plain local paths; other schemes go to tracking's artifact repositories. Parsing and
 * resolving registry URIs is tracking's (`parseModelUri`, `resolveModelVersion`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrackingClient, fileUriToPath, getArtifactRepository, invalidParameter, parseModelUri, resolveModelVersion } from '@lablog/tracking';

/** Options of {@link downloadModel}. */
export interface DownloadModelOptions {
  /** Tracking URI for `runs:/` and `models:/` URIs (default: the current one). */
  trackingUri?: string;
  /** Directory to download into (default: a new temporary directory). */
  dstDir?: string;
}

/** A model directory on local disk; `cleanup` removes it when it was downloaded to a temporary directory. */
export interface LocalModel {
  readonly path: string;
  cleanup(): Promise<void>;
}

function isLocal(uri: string): boolean {
  return !/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) || /^[a-zA-Z]:[\\/]/.test(uri) || /^file:/i.test(uri);
}

/**
 * Makes the model a URI names available as a local directory: local paths and `file:` URIs as
 * they are (nothing copied), everything else downloaded through the run's or the URI's
 * artifact repository.
 * @throws LablogError INVALID_PARAMETER_VALUE for a malformed URI; RESOURCE_DOES_NOT_EXIST
 *   for a missing run, model version or artifact.
 */
export async function downloadModel(uri: string, options: DownloadModelOptions = {}): Promise<LocalModel> {
  if (typeof uri !== 'string' || uri.trim() === '') throw invalidParameter('A model URI must be a non-empty string');
  if (isLocal(uri)) return { path: fileUriToPath(uri), cleanup: async () => undefined };
  const tmp = options.dstDir ?? (await mkdtemp(join(tmpdir(), 'lablog-model-')));
  const cleanup = async () => {
    if (options.dstDir === undefined) await rm(tmp, { recursive: true, force: true });
  };
  try {
    return { path: await fetchInto(uri, tmp, options, 0), cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

async function fetchInto(uri: string, dst: string, options: DownloadModelOptions, depth: number): Promise<string> {
  if (depth > 3) throw invalidParameter(`Model URI '${uri}' resolves through too many registry hops`);
  if (/^(runs|models):/i.test(uri)) {
    const parsed = parseModelUri(uri);
    const client = new TrackingClient(options.trackingUri);
    if (parsed.kind === 'run') return client.downloadArtifacts(parsed.runId, parsed.artifactPath, dst);
    const version = await resolveModelVersion(client, parsed);
    const source = await client.getModelVersionDownloadUri(version.name, version.version);
    return fetchInto(source, dst, options, depth + 1);
  }
  return getArtifactRepository(uri, options.trackingUri ? { trackingUri: options.trackingUri } : {}).downloadArtifacts('', dst);
}
