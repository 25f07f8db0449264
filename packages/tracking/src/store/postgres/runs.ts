/** Runs: create, read, update, soft delete, tags, dataset inputs. Batches live in log-batch.ts. */
import { randomUUID } from 'node:crypto';
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import type { Run, RunInfo } from '../../entities/run.js';
import type { RunTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import { generateRunName } from '../../run-name.js';
import { MLFLOW_LOGGED_MODELS, MLFLOW_RUN_NAME } from '../../tags.js';
import { appendLoggedModel } from '../../logged-model-history.js';
import type { PyJsonValue } from '../../py-json.js';
import type { CreateRunArgs, UpdateRunArgs } from '../tracking-store.js';
import type { Db, Queryable } from './db.js';
import { experimentRow } from './experiments.js';
import { joinUri } from './migrations.js';
import { RUN_COLUMNS, loadRuns, runInfoOf, type RunRow } from './run-loader.js';

/** 404 in MLflow's SQL-store words. */
export function runNotFound(runId: string): LablogError {
  return resourceDoesNotExist(`Run with id=${runId} not found`);
}

/** The row of a run (deleted ones too), or a 404. */
export async function runRow(q: Queryable, runId: string): Promise<RunRow> {
  const row = await q.one<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = $1`, [runId]);
  if (!row) throw runNotFound(runId);
  return row;
}

/** Throws INVALID_PARAMETER_VALUE unless the run is active. */
export function assertActive(row: RunRow, runId: string): RunRow {
  if (row.lifecycle_stage !== 'active') {
    throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

/** The row of an active run: 404 when absent, INVALID_PARAMETER_VALUE when deleted. */
export async function activeRunRow(q: Queryable, runId: string): Promise<RunRow> {
  return assertActive(await runRow(q, runId), runId);
}

const UPSERT_TAG = 'INSERT INTO tags (run_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value';

/** Writes a run tag, keeping `runs.name` in step with `mlflow.runName`. */
export async function upsertRunTag(q: Queryable, runRowId: number, key: string, value: string): Promise<void> {
  await q.exec(UPSERT_TAG, [runRowId, key, value]);
  if (key === MLFLOW_RUN_NAME) await q.exec('UPDATE runs SET name = $1 WHERE id = $2', [value, runRowId]);
}

/** Creates a run (tags already validated) and returns it. */
export async function insertRun(db: Db, args: CreateRunArgs, tags: readonly RunTag[]): Promise<Run> {
  const tagName = [...tags].reverse().find((t) => t.key === MLFLOW_RUN_NAME)?.value;
  if (args.runName !== undefined && args.runName !== '' && tagName !== undefined && tagName !== args.runName) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${args.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const name = args.runName || tagName || generateRunName();
  // Last value wins for a key given twice; one row per key.
  const byKey = new Map<string, string>();
  for (const t of tags) if (t.key !== MLFLOW_RUN_NAME) byKey.set(t.key, t.value);
  byKey.set(MLFLOW_RUN_NAME, name);
  return db.write(async (q) => {
    const exp = await experimentRow(q, args.experimentId);
    if (exp.lifecycle_stage !== 'active') throw new LablogError(`Experiment id=${args.experimentId} must be active`, 'INVALID_STATE');
    const uuid = randomUUID().replaceAll('-', '');
    const artifactUri = joinUri(joinUri(exp.artifact_location, uuid), 'artifacts');
    const { id } = (await q.one<{ id: number }>(
      `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
       VALUES ($1, $2, $3, $4, 'RUNNING', $5, NULL, $6, 'active') RETURNING id`,
      [uuid, exp.experiment_id, name, args.userId ?? '', args.startTime ?? 0, artifactUri],
    ))!;
    await q.exec('INSERT INTO tags (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t (k, v)', [id, [...byKey.keys()], [...byKey.values()]]);
    return (await loadRuns(q, [id]))[0]!;
  });
}

/** One run, full, or a 404. */
export async function getRun(db: Db, runId: string): Promise<Run> {
  return db.read(async (q) => (await loadRuns(q, [(await runRow(q, runId)).id]))[0]!);
}

/** Changes status, end time and/or name of an active run. */
export async function updateRun(db: Db, runId: string, args: UpdateRunArgs): Promise<RunInfo> {
  return db.write(async (q) => {
    const row = await activeRunRow(q, runId);
    const updated = await q.one<RunRow>(
      `UPDATE runs SET status = coalesce($1, status), end_time = coalesce($2, end_time) WHERE id = $3 RETURNING ${RUN_COLUMNS}`,
      [args.status ?? null, args.endTime ?? null, row.id],
    );
    if (args.runName !== undefined && args.runName !== null) {
      await upsertRunTag(q, row.id, MLFLOW_RUN_NAME, args.runName);
      return runInfoOf({ ...updated!, name: args.runName });
    }
    return runInfoOf(updated!);
  });
}

/** Soft-deletes or restores a run. */
export async function setRunLifecycle(db: Db, runId: string, stage: 'active' | 'deleted'): Promise<void> {
  const n = await db.exec('UPDATE runs SET lifecycle_stage = $1, deleted_time = $2 WHERE run_uuid = $3', [stage, stage === 'deleted' ? Date.now() : null, runId]);
  if (n === 0) throw runNotFound(runId);
}

/** Deletes a run tag; 404 when absent. */
export async function deleteRunTag(db: Db, runId: string, key: string): Promise<void> {
  await db.write(async (q) => {
    const row = await activeRunRow(q, runId);
    const n = await q.exec('DELETE FROM tags WHERE run_id = $1 AND key = $2', [row.id, key]);
    if (n === 0) throw resourceDoesNotExist(`No tag with name: ${key} in run with id ${runId}`);
  });
}

/**
 * `recordLoggedModel`: appends a history entry to the run's `mlflow.log-model.history` tag in one
 * transaction; the run's row is locked (`FOR UPDATE`) before the tag is read, so concurrent
 * appends to a run take turns and none is lost.
 */
export async function appendLoggedModelTag(db: Db, runId: string, entry: Record<string, PyJsonValue>): Promise<void> {
  await db.write(async (q) => {
    const row = await q.one<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = $1 FOR UPDATE`, [runId]);
    if (!row) throw runNotFound(runId);
    assertActive(row, runId);
    const current = (await q.one<{ value: string }>('SELECT value FROM tags WHERE run_id = $1 AND key = $2', [row.id, MLFLOW_LOGGED_MODELS]))?.value;
    await upsertRunTag(q, row.id, MLFLOW_LOGGED_MODELS, appendLoggedModel(current, entry));
  });
}

/**
 * Records dataset inputs of a run. A dataset is shared per (experiment, name, digest); an input
 * is recorded once per (run, dataset), with the tags of its first logging.
 */
export async function insertInputs(db: Db, runId: string, datasets: readonly DatasetInput[]): Promise<void> {
  await db.write(async (q) => {
    const run = await activeRunRow(q, runId);
    for (const input of datasets) {
      const d = input.dataset;
      await q.exec(
        `INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (experiment_id, name, digest) DO NOTHING`,
        [run.experiment_id, d.name, d.digest, d.sourceType, d.source, d.schema ?? null, d.profile ?? null],
      );
      const ds = (await q.one<{ id: number }>('SELECT id FROM datasets WHERE experiment_id = $1 AND name = $2 AND digest = $3', [run.experiment_id, d.name, d.digest]))!;
      const inserted = await q.one<{ id: number }>(
        'INSERT INTO inputs (run_id, dataset_id) VALUES ($1, $2) ON CONFLICT (run_id, dataset_id) DO NOTHING RETURNING id',
        [run.id, ds.id],
      );
      if (!inserted) continue;
      for (const t of input.tags) {
        await q.exec('INSERT INTO input_tags (input_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (input_id, key) DO UPDATE SET value = excluded.value', [
          inserted.id,
          t.key,
          t.value,
        ]);
      }
    }
  });
}
