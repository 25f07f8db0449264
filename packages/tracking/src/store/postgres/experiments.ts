/** Experiments and their tags in the PostgreSQL store. */
import { LablogError, invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import type { Experiment } from '../../entities/experiment.js';
import type { ExperimentTag } from '../../entities/tag.js';
import { isUniqueViolation, parseIntegerId, type Db, type Queryable } from './db.js';
import { joinUri } from './migrations.js';
import { EXPERIMENT_COLUMNS, assembleExperiments, type ExperimentRow } from '../sql/experiment-rows.js';

const UPSERT_TAG = 'INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value';

/** RESOURCE_DOES_NOT_EXIST in MLflow's words. */
export function experimentNotFound(id: string | number): LablogError {
  return resourceDoesNotExist(`No Experiment with id=${id} exists`);
}

function alreadyExists(name: string): LablogError {
  return resourceAlreadyExists(`Experiment(name=${name}) already exists.`);
}

/** The row of an experiment (locked for update when `lock`), or a 404. */
export async function experimentRow(q: Queryable, experimentId: string, lock = false): Promise<ExperimentRow> {
  const id = parseIntegerId(experimentId);
  const row =
    id === undefined ? undefined : await q.one<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw experimentNotFound(experimentId);
  return row;
}

async function activeExperimentRow(q: Queryable, experimentId: string): Promise<ExperimentRow> {
  const row = await experimentRow(q, experimentId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidParameter(`The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

/** Inserts an experiment (name already validated) and returns its id. */
export async function insertExperiment(db: Db, name: string, defaultArtifactRoot: string, artifactLocation?: string, tags: readonly ExperimentTag[] = []): Promise<string> {
  try {
    return await db.write(async (q) => {
      if (await q.one('SELECT 1 FROM experiments WHERE name = $1', [name])) throw alreadyExists(name);
      const id = Number((await q.one<{ id: number }>("SELECT nextval('experiments_id_seq')::integer AS id"))!.id);
      const now = Date.now();
      await q.exec(
        `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES ($1, $2, $3, 'active', $4, $4)`,
        [id, name, artifactLocation || joinUri(defaultArtifactRoot, String(id)), now],
      );
      for (const t of tags) await q.exec(UPSERT_TAG, [id, t.key, t.value]);
      return String(id);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'experiments_name_key')) throw alreadyExists(name); // lost a race for the name
    throw e;
  }
}

/** Loads experiments with their tags, in the order of `ids`. */
export async function loadExperiments(q: Queryable, ids: readonly number[]): Promise<Experiment[]> {
  if (ids.length === 0) return [];
  const rows = await q.rows<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ANY($1::integer[])`, [ids]);
  const tags = await q.rows<{ experiment_id: number; key: string; value: string }>(
    'SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY($1::integer[]) ORDER BY experiment_id, key',
    [ids],
  );
  return assembleExperiments(ids, rows, tags);
}

/** One experiment by id, or a 404. */
export async function getExperiment(db: Db, experimentId: string): Promise<Experiment> {
  return db.read(async (q) => (await loadExperiments(q, [(await experimentRow(q, experimentId)).experiment_id]))[0]!);
}

/** One experiment by name (names are unique, deleted ones included), or null. */
export async function getExperimentByName(db: Db, name: string): Promise<Experiment | null> {
  return db.read(async (q) => {
    const row = await q.one<{ experiment_id: number }>(
      "SELECT experiment_id FROM experiments WHERE name = $1 ORDER BY lifecycle_stage = 'active' DESC LIMIT 1",
      [name],
    );
    return row ? (await loadExperiments(q, [row.experiment_id]))[0]! : null;
  });
}

/** Soft-deletes an active experiment and its active runs. */
export async function deleteExperiment(db: Db, experimentId: string): Promise<void> {
  await db.write(async (q) => {
    const row = await experimentRow(q, experimentId, true);
    if (row.lifecycle_stage !== 'active') throw experimentNotFound(experimentId);
    const now = Date.now();
    await q.exec("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = $1 WHERE experiment_id = $2", [now, row.experiment_id]);
    await q.exec("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = $1 WHERE experiment_id = $2 AND lifecycle_stage = 'active'", [now, row.experiment_id]);
  });
}

/** Restores a deleted experiment and the runs deleted with it (or after). */
export async function restoreExperiment(db: Db, experimentId: string): Promise<void> {
  await db.write(async (q) => {
    const row = await experimentRow(q, experimentId, true);
    if (row.lifecycle_stage !== 'deleted') throw experimentNotFound(experimentId);
    await q.exec("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = $1 WHERE experiment_id = $2", [Date.now(), row.experiment_id]);
    await q.exec(
      "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = $1 AND lifecycle_stage = 'deleted' AND (deleted_time IS NULL OR deleted_time >= $2)",
      [row.experiment_id, row.last_update_time],
    );
  });
}

/** Renames an active experiment; the new name must be free. */
export async function renameExperiment(db: Db, experimentId: string, newName: string): Promise<void> {
  try {
    await db.write(async (q) => {
      const row = await experimentRow(q, experimentId, true);
      if (row.lifecycle_stage !== 'active') throw new LablogError('Cannot rename a non-active experiment.', 'INVALID_STATE');
      if (row.name === newName) return;
      if (await q.one('SELECT 1 FROM experiments WHERE name = $1', [newName])) throw alreadyExists(newName);
      await q.exec('UPDATE experiments SET name = $1, last_update_time = $2 WHERE experiment_id = $3', [newName, Date.now(), row.experiment_id]);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'experiments_name_key')) throw alreadyExists(newName);
    throw e;
  }
}

/** Sets (overwrites) a tag of an active experiment. */
export async function setExperimentTag(db: Db, experimentId: string, tag: ExperimentTag): Promise<void> {
  await db.write(async (q) => {
    const row = await activeExperimentRow(q, experimentId);
    await q.exec(UPSERT_TAG, [row.experiment_id, tag.key, tag.value]);
  });
}

/** Deletes a tag of an active experiment; 404 when absent. */
export async function deleteExperimentTag(db: Db, experimentId: string, key: string): Promise<void> {
  await db.write(async (q) => {
    const row = await activeExperimentRow(q, experimentId);
    const n = await q.exec('DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2', [row.experiment_id, key]);
    if (n === 0) throw resourceDoesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`);
  });
}
