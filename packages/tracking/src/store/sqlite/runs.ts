/** Runs: create, read, update, soft delete, tags, dataset inputs. Batches live in log-batch.ts. */
import { randomUUID } from 'node:crypto';
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import type { RunInfo } from '../../entities/run.js';
import type { RunTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import { generateRunName } from '../../run-name.js';
import { MLFLOW_LOGGED_MODELS, MLFLOW_RUN_NAME } from '../../tags.js';
import { appendLoggedModel } from '../../logged-model-history.js';
import type { PyJsonValue } from '../../py-json.js';
import type { CreateRunArgs, UpdateRunArgs } from '../tracking-store.js';
import type { Db } from './db.js';
import { experimentRow } from './experiments.js';
import { joinUri } from './migrations.js';
import { RUN_COLUMNS, runInfoOf, type RunRow } from './run-loader.js';

/** 404 in MLflow's SQL-store words. */
export function runNotFound(runId: string): LablogError {
  return resourceDoesNotExist(`Run with id=${runId} not found`);
}

/** The row of a run (deleted ones too), or a 404. */
export function runRow(db: Db, runId: string): RunRow {
  const row = db.get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`, runId);
  if (!row) throw runNotFound(runId);
  return row;
}

/** The row of an active run: 404 when absent, INVALID_PARAMETER_VALUE when deleted. */
export function activeRunRow(db: Db, runId: string): RunRow {
  const row = runRow(db, runId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

const UPSERT_TAG = 'INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value';

/** Writes a run tag, keeping `runs.name` in step with `mlflow.runName`. */
export function upsertRunTag(db: Db, runRowId: number, key: string, value: string): void {
  db.run(UPSERT_TAG, runRowId, key, value);
  if (key === MLFLOW_RUN_NAME) db.run('UPDATE runs SET name = ? WHERE id = ?', value, runRowId);
}

/** Creates a run (tags already validated) and returns its integer id. */
export function insertRun(db: Db, args: CreateRunArgs, tags: readonly RunTag[]): number {
  const tagName = [...tags].reverse().find((t) => t.key === MLFLOW_RUN_NAME)?.value;
  if (args.runName !== undefined && args.runName !== '' && tagName !== undefined && tagName !== args.runName) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${args.runName}', mlflow.runName='${tagName}').`,
    );
  }
  const name = args.runName || tagName || generateRunName();
  return db.write(() => {
    const exp = experimentRow(db, args.experimentId);
    if (exp.lifecycle_stage !== 'active') throw new LablogError(`Experiment id=${args.experimentId} must be active`, 'INVALID_STATE');
    const uuid = randomUUID().replaceAll('-', '');
    const artifactUri = joinUri(joinUri(exp.artifact_location, uuid), 'artifacts');
    const id = Number(
      db.run(
        `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
         VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')`,
        uuid,
        exp.experiment_id,
        name,
        args.userId ?? '',
        args.startTime ?? 0,
        artifactUri,
      ).lastInsertRowid,
    );
    for (const t of tags) if (t.key !== MLFLOW_RUN_NAME) db.run(UPSERT_TAG, id, t.key, t.value);
    db.run(UPSERT_TAG, id, MLFLOW_RUN_NAME, name);
    return id;
  });
}

/** Changes status, end time and/or name of an active run. */
export function updateRun(db: Db, runId: string, args: UpdateRunArgs): RunInfo {
  return db.write(() => {
    const row = activeRunRow(db, runId);
    if (args.status !== undefined) db.run('UPDATE runs SET status = ? WHERE id = ?', args.status, row.id);
    if (args.endTime !== undefined && args.endTime !== null) db.run('UPDATE runs SET end_time = ? WHERE id = ?', args.endTime, row.id);
    if (args.runName !== undefined && args.runName !== null) upsertRunTag(db, row.id, MLFLOW_RUN_NAME, args.runName);
    return runInfoOf(runRow(db, runId));
  });
}

/** Soft-deletes or restores a run. */
export function setRunLifecycle(db: Db, runId: string, stage: 'active' | 'deleted'): void {
  db.write(() => {
    const row = runRow(db, runId);
    db.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE id = ?', stage, stage === 'deleted' ? Date.now() : null, row.id);
  });
}

/** Deletes a run tag; 404 when absent. */
export function deleteRunTag(db: Db, runId: string, key: string): void {
  db.write(() => {
    const row = activeRunRow(db, runId);
    const { changes } = db.run('DELETE FROM tags WHERE run_id = ? AND key = ?', row.id, key);
    if (changes === 0) throw resourceDoesNotExist(`No tag with name: ${key} in run with id ${runId}`);
  });
}

/**
 * `recordLoggedModel`: appends a history entry to the run's `mlflow.log-model.history` tag, the
 * read and the write in one `BEGIN IMMEDIATE` transaction (no concurrent append is lost).
 */
export function appendLoggedModelTag(db: Db, runId: string, entry: Record<string, PyJsonValue>): void {
  db.write(() => {
    const row = activeRunRow(db, runId);
    const current = db.get<{ value: string }>('SELECT value FROM tags WHERE run_id = ? AND key = ?', row.id, MLFLOW_LOGGED_MODELS)?.value;
    upsertRunTag(db, row.id, MLFLOW_LOGGED_MODELS, appendLoggedModel(current, entry));
  });
}

/**
 * Records dataset inputs of a run. A dataset is shared per (experiment, name, digest); an input
 * is recorded once per (run, dataset), with the tags of its first logging.
 */
export function insertInputs(db: Db, runId: string, datasets: readonly DatasetInput[]): void {
  db.write(() => {
    const run = activeRunRow(db, runId);
    for (const input of datasets) {
      const d = input.dataset;
      db.run(
        `INSERT INTO datasets (experiment_id, name, digest, source_type, source, schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (experiment_id, name, digest) DO NOTHING`,
        run.experiment_id,
        d.name,
        d.digest,
        d.sourceType,
        d.source,
        d.schema ?? null,
        d.profile ?? null,
      );
      const ds = db.get<{ id: number }>('SELECT id FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?', run.experiment_id, d.name, d.digest)!;
      const inserted = db.run('INSERT INTO inputs (run_id, dataset_id) VALUES (?, ?) ON CONFLICT (run_id, dataset_id) DO NOTHING', run.id, ds.id);
      if (inserted.changes === 0) continue;
      const inputId = Number(inserted.lastInsertRowid);
      for (const t of input.tags) {
        db.run('INSERT INTO input_tags (input_id, key, value) VALUES (?, ?, ?) ON CONFLICT (input_id, key) DO UPDATE SET value = excluded.value', inputId, t.key, t.value);
      }
    }
  });
}
