/** Artifacts and dataset inputs of the active run, for the fluent API. Each call waits for the store. */
import type { Table } from 'apache-arrow';
import type { Dataset } from '../entities/dataset.js';
import type { FileInfo } from '../entities/file-info.js';
import type { InputTag } from '../entities/tag.js';
import { datasetFromArrowTable } from '../datasets/dataset-from-arrow-table.js';
import { datasetInput } from '../datasets/dataset-input.js';
import { activeOrStartedRun } from './runs.js';

/** Copies a local file into the active run's artifacts, under `artifactPath` (default: the root). */
export async function logArtifact(localPath: string, artifactPath?: string): Promise<void> {
  const run = await activeOrStartedRun().ready;
  await run.client.logArtifact(run.runId, localPath, artifactPath);
}

/** Copies a local directory's contents, recursively, into the active run's artifacts. */
export async function logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
  const run = await activeOrStartedRun().ready;
  await run.client.logArtifacts(run.runId, localDir, artifactPath);
}

/** Writes text to `artifactFile` in the active run's artifacts. */
export async function logText(text: string, artifactFile: string): Promise<void> {
  const run = await activeOrStartedRun().ready;
  await run.client.logText(run.runId, text, artifactFile);
}

/** Writes an object as JSON (or YAML for `.yaml`/`.yml`) to `artifactFile` in the active run's artifacts. */
export async function logDict(obj: unknown, artifactFile: string): Promise<void> {
  const run = await activeOrStartedRun().ready;
  await run.client.logDict(run.runId, obj, artifactFile);
}

/** Lists the active run's artifacts (one level). */
export async function listArtifacts(path?: string): Promise<FileInfo[]> {
  const run = await activeOrStartedRun().ready;
  return run.client.listArtifacts(run.runId, path);
}

/** Options of {@link logInput}. */
export interface LogInputOptions {
  /** How the dataset is used: `training`, `eval`… (the `mlflow.data.context` input tag). */
  context?: string;
  /** Dataset name when logging an Arrow table (default `dataset`). */
  name?: string;
  /** More input tags. */
  tags?: Readonly<Record<string, string>> | readonly InputTag[];
}

/**
 * Records that the active run consumed a dataset (MLflow's `log_input`): a {@link Dataset}, or an
 * Arrow table described as MLflow describes a DataFrame (digest, schema, profile).
 */
export async function logInput(dataset: Dataset | Table, options: LogInputOptions = {}): Promise<void> {
  const ds: Dataset = isDataset(dataset) ? dataset : datasetFromArrowTable(dataset, { ...(options.name !== undefined ? { name: options.name } : {}) });
  const input = datasetInput(ds, options.context, options.tags ?? []);
  const run = activeOrStartedRun();
  await run.logger.afterQueued(run.queue, (runId) => run.client.logInputs(runId, [input]));
}

function isDataset(x: Dataset | Table): x is Dataset {
  return typeof (x as Dataset).digest === 'string' && typeof (x as Dataset).sourceType === 'string';
}
