/**
 * `logModel(model, artifactPath)`: MLflow's `log_model` — save to a temporary directory, upload
 * into the run's artifacts, record the model in the run tag `mlflow.log-model.history` (ref
 * §13), and optionally register it in the model registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LablogError,
  TrackingClient,
  activeRun,
  startRun,
  validateArtifactPath,
} from '@lablog/tracking';
import type { ModelVersion } from '@lablog/tracking';
import { mlmodelTagsDict, type Mlmodel } from './mlmodel.js';
import { saveModel, type SaveableModel, type SaveModelOptions } from './save-model.js';

/** Options of {@link logModel}: those of `saveModel`, plus where to log and what to register. */
export interface LogModelOptions extends Omit<SaveModelOptions, 'runId' | 'artifactPath'> {
  /** The run to log to (default: the active run, started if there is none, as MLflow does). */
  runId?: string;
  /** Tracking URI of `runId` (default: the current one). */
  trackingUri?: string;
  /** Registers the model under this name (created when missing) as a new version. */
  registeredModelName?: string;
}

/** What {@link logModel} returns. */
export interface LogModelResult {
  /** `runs:/<runId>/<artifactPath>`. */
  readonly modelUri: string;
  readonly runId: string;
  readonly artifactPath: string;
  /** The MLmodel written. */
  readonly mlmodel: Mlmodel;
  /** The version created when `registeredModelName` was given. */
  readonly registeredModelVersion?: ModelVersion;
}

async function resolveRun(options: LogModelOptions): Promise<{ client: TrackingClient; runId: string }> {
  if (options.runId !== undefined) return { client: new TrackingClient(options.trackingUri), runId: options.runId };
  const run = await (activeRun() ?? (await startRun())).ready;
  return { client: run.client, runId: run.runId };
}

/**
 * Records a logged model in the run's `mlflow.log-model.history` tag through the store's atomic
 * `recordLoggedModel` (`runs/log-model` on a tracking server). As MLflow does, a failure is a
 * warning, never an error: the model's artifacts are logged by then.
 */
export async function recordLoggedModel(client: TrackingClient, runId: string, mlmodel: Mlmodel): Promise<void> {
  try {
    await client.recordLoggedModel(runId, mlmodelTagsDict(mlmodel));
  } catch (e) {
    console.warn(`lablog: logging model metadata to the tracking server failed (${(e as Error).message}); the model artifacts were logged.`);
  }
}

/**
 * Logs a model as an artifact of a run, in MLflow's format, and returns its URI.
 * @throws LablogError INVALID_PARAMETER_VALUE for a bad artifact path or model; what the
 *   store or registry raises when upload or registration fails.
 */
export async function logModel(model: SaveableModel, artifactPath: string, options: LogModelOptions = {}): Promise<LogModelResult> {
  const path = validateArtifactPath(artifactPath);
  if (path === '') throw new LablogError('artifactPath must be a non-empty relative path, e.g. "model"', 'INVALID_PARAMETER_VALUE');
  const { client, runId } = await resolveRun(options);
  const tmp = await mkdtemp(join(tmpdir(), 'lablog-log-model-'));
  try {
    const dir = join(tmp, 'model');
    const { runId: _r, trackingUri: _t, registeredModelName, ...saveOptions } = options;
    const mlmodel = await saveModel(model, dir, { ...saveOptions, runId, artifactPath: path });
    await client.logArtifacts(runId, dir, path);
    await recordLoggedModel(client, runId, mlmodel);
    const modelUri = `runs:/${runId}/${path}`;
    if (registeredModelName === undefined) return { modelUri, runId, artifactPath: path, mlmodel };
    // As MLflow's log_model: through register_model, with its source checks and storage location.
    const registeredModelVersion = await client.registerModel(modelUri, registeredModelName);
    return { modelUri, runId, artifactPath: path, mlmodel, registeredModelVersion };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
