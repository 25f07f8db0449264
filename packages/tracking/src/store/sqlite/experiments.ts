/** Experiments and their tags in the SQLite store. */
import { LablogError, invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import type { Experiment } from '../../entities/experiment.js';
import type { ExperimentTag } from '../../entities/tag.js';
import { parseIntegerId, type Db } from './db.js';
import { joinUri } from './migrations.js';
import { EXPERIMENT_COLUMNS, assembleExperiments, type ExperimentRow } from '../sql/experiment-rows.js';


/** RESOURCE_DOES_NOT_EXIST in MLflow's words. */
export function experimentNotFound(id: string | number): LablogError {
  return resourceDoesNotExist(`No Experiment with id=${id} exists`);
}

/** The row of an experiment, or a 404. */
export function experimentRow(db: Db, experimentId: string): ExperimentRow {
  const id = parseIntegerId(experimentId);
  const row = id === undefined ? undefined : db.get<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?`, id);
  if (!row) throw experimentNotFound(experimentId);
  return row;
}

/** The row of an active experiment: 404 when absent, INVALID_PARAMETER_VALUE when deleted. */
export function activeExperimentRow(db: Db, experimentId: string): ExperimentRow {
  const row = experimentRow(db, experimentId);
  if (row.lifecycle_stage !== 'active') {
    throw invalidParameter(`The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
  }
  return row;
}

/** Inserts an experiment (name already validated) and returns its id. */
export function insertExperiment(db: Db, name: string, defaultArtifactRoot: string, artifactLocation?: string, tags: readonly ExperimentTag[] = []): string {
  return db.write(() => {
    if (db.get('SELECT 1 FROM experiments WHERE name = ?', name)) {
      throw resourceAlreadyExists(`Experiment(name=${name}) already exists.`);
    }
    const now = Date.now();
    const id = Number(
      db.run(
        'INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)',
        name,
        artifactLocation ?? '',
        'active',
        now,
        now,
      ).lastInsertRowid,
    );
    if (!artifactLocation) db.run('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?', joinUri(defaultArtifactRoot, String(id)), id);
    for (const t of tags) {
      db.run('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value', id, t.key, t.value);
    }
    return String(id);
  });
}

/** Loads experiments with their tags, in the order of `ids`. */
export function loadExperiments(db: Db, ids: readonly number[]): Experiment[] {
  if (ids.length === 0) return [];
  const json = JSON.stringify(ids);
  const rows = db.all<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id IN (SELECT value FROM json_each(?))`, json);
  const tags = db.all<{ experiment_id: number; key: string; value: string }>(
    'SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (SELECT value FROM json_each(?)) ORDER BY experiment_id, key',
    json,
  );
  return assembleExperiments(ids, rows, tags);
}

/** One experiment by id, or a 404. */
export function getExperiment(db: Db, experimentId: string): Experiment {
  const row = experimentRow(db, experimentId);
  return loadExperiments(db, [row.experiment_id])[0]!;
}

/** One experiment by name (names are unique, deleted ones included), or null. */
export function getExperimentByName(db: Db, name: string): Experiment | null {
  const row = db.get<{ experiment_id: number }>(
    "SELECT experiment_id FROM experiments WHERE name = ? ORDER BY lifecycle_stage = 'active' DESC LIMIT 1",
    name,
  );
  return row ? loadExperiments(db, [row.experiment_id])[0]! : null;
}

/** Soft-deletes an active experiment and its active runs. */
export function deleteExperiment(db: Db, experimentId: string): void {
  db.write(() => {
    const row = experimentRow(db, experimentId);
    if (row.lifecycle_stage !== 'active') throw experimentNotFound(experimentId);
    const now = Date.now();
    db.run("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?", now, row.experiment_id);
    db.run("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'", now, row.experiment_id);
  });
}

/** Restores a deleted experiment and the runs deleted with it (or after). */
export function restoreExperiment(db: Db, experimentId: string): void {
  db.write(() => {
    const row = experimentRow(db, experimentId);
    if (row.lifecycle_stage !== 'deleted') throw experimentNotFound(experimentId);
    db.run("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?", Date.now(), row.experiment_id);
    db.run(
      "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ? AND lifecycle_stage = 'deleted' AND (deleted_time IS NULL OR deleted_time >= ?)",
      row.experiment_id,
      row.last_update_time,
    );
  });
}

/** Renames an active experiment; the new name must be free. */
export function renameExperiment(db: Db, experimentId: string, newName: string): void {
  db.write(() => {
    const row = experimentRow(db, experimentId);
    if (row.lifecycle_stage !== 'active') throw new LablogError('Cannot rename a non-active experiment.', 'INVALID_STATE');
    if (row.name === newName) return;
    if (db.get('SELECT 1 FROM experiments WHERE name = ?', newName)) throw resourceAlreadyExists(`Experiment(name=${newName}) already exists.`);
    db.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', newName, Date.now(), row.experiment_id);
  });
}

/** Sets (overwrites) a tag of an active experiment. */
export function setExperimentTag(db: Db, experimentId: string, tag: ExperimentTag): void {
  db.write(() => {
    const row = activeExperimentRow(db, experimentId);
    db.run(
      'INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value',
      row.experiment_id,
      tag.key,
      tag.value,
    );
  });
}

/** Deletes a tag of an active experiment; 404 when absent. */
export function deleteExperimentTag(db: Db, experimentId: string, key: string): void {
  db.write(() => {
    const row = activeExperimentRow(db, experimentId);
    const { changes } = db.run('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?', row.experiment_id, key);
    if (changes === 0) throw resourceDoesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`);
  });
}
