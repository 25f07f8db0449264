/** Registered models of the registry: CRUD, tags, aliases, bulk loading with latest versions. */
import { LablogError, invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { RegisteredModelTag } from '../../entities/tag.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { Db } from './db.js';
import { latestVersionKeys, loadVersions, versionKey } from './model-versions.js';
import { assembleModels, type RegisteredModelRow } from '../sql/registry-rows.js';

export type { RegisteredModelRow } from '../sql/registry-rows.js';

/** 404 in MLflow's words. */
export function modelNotFound(name: string): LablogError {
  return resourceDoesNotExist(`Registered Model with name=${name} not found`);
}

/** The row of a registered model, or a 404. */
export function registeredModelRow(db: Db, name: string): RegisteredModelRow {
  const row = db.get<RegisteredModelRow>('SELECT id, name, creation_timestamp, last_updated_timestamp, description, next_version FROM registered_models WHERE name = ?', name);
  if (!row) throw modelNotFound(name);
  return row;
}

/** Bumps a model's `last_updated_timestamp`. */
export function touchModel(db: Db, modelId: number, now = Date.now()): void {
  db.run('UPDATE registered_models SET last_updated_timestamp = ? WHERE id = ?', now, modelId);
}

/** Loads registered models by id, full, in the order given. */
export function loadModels(db: Db, ids: readonly number[]): RegisteredModel[] {
  if (ids.length === 0) return [];
  const json = JSON.stringify(ids);
  const rows = db.all<RegisteredModelRow>(
    'SELECT id, name, creation_timestamp, last_updated_timestamp, description, next_version FROM registered_models WHERE id IN (SELECT value FROM json_each(?))',
    json,
  );
  const tags = db.all<{ model_id: number; key: string; value: string }>(
    'SELECT model_id, key, value FROM registered_model_tags WHERE model_id IN (SELECT value FROM json_each(?)) ORDER BY model_id, key',
    json,
  );
  const aliases = db.all<{ model_id: number; alias: string; version: number }>(
    'SELECT model_id, alias, version FROM registered_model_aliases WHERE model_id IN (SELECT value FROM json_each(?)) ORDER BY model_id, alias',
    json,
  );
  const latestKeys = latestVersionKeys(db, ids);
  const versions = loadVersions(db, [...latestKeys.values()].flat());
  return assembleModels(ids, rows, tags, aliases, versions);
}

/** Creates a registered model; RESOURCE_ALREADY_EXISTS for a taken name. */
export function insertModel(db: Db, name: string, tags: readonly RegisteredModelTag[], description?: string): RegisteredModel {
  return db.write(() => {
    if (db.get('SELECT 1 FROM registered_models WHERE name = ?', name)) throw resourceAlreadyExists(`Registered Model (name=${name}) already exists.`);
    const now = Date.now();
    const id = Number(
      db.run('INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description) VALUES (?, ?, ?, ?)', name, now, now, description ?? null)
        .lastInsertRowid,
    );
    for (const t of tags) setModelTagRow(db, id, t);
    return loadModels(db, [id])[0]!;
  });
}

function setModelTagRow(db: Db, modelId: number, t: RegisteredModelTag): void {
  db.run('INSERT INTO registered_model_tags (model_id, key, value) VALUES (?, ?, ?) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value', modelId, t.key, t.value);
}

/** One registered model, or a 404. */
export function getModel(db: Db, name: string): RegisteredModel {
  return loadModels(db, [registeredModelRow(db, name).id])[0]!;
}

/** Renames a model; its versions move with it. */
export function renameModel(db: Db, name: string, newName: string): RegisteredModel {
  return db.write(() => {
    const row = registeredModelRow(db, name);
    if (name !== newName && db.get('SELECT 1 FROM registered_models WHERE name = ?', newName)) {
      throw resourceAlreadyExists(`Registered Model (name=${newName}) already exists.`);
    }
    db.run('UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE id = ?', newName, Date.now(), row.id);
    return loadModels(db, [row.id])[0]!;
  });
}

/** Sets a model's description. */
export function updateModelDescription(db: Db, name: string, description: string): RegisteredModel {
  return db.write(() => {
    const row = registeredModelRow(db, name);
    db.run('UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE id = ?', description, Date.now(), row.id);
    return loadModels(db, [row.id])[0]!;
  });
}

/** Deletes a model with its versions, tags and aliases (foreign keys cascade). */
export function deleteModel(db: Db, name: string): void {
  db.write(() => {
    const row = registeredModelRow(db, name);
    db.run('DELETE FROM registered_models WHERE id = ?', row.id);
  });
}

/** Sets a model tag. */
export function setModelTag(db: Db, name: string, tag: RegisteredModelTag): void {
  db.write(() => setModelTagRow(db, registeredModelRow(db, name).id, tag));
}

/** Deletes a model tag (absent tags are fine, as in MLflow's SQL store). */
export function deleteModelTag(db: Db, name: string, key: string): void {
  db.write(() => {
    db.run('DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?', registeredModelRow(db, name).id, key);
  });
}

/** Points an alias at a version, moving it if it pointed elsewhere. */
export function setAlias(db: Db, name: string, alias: string, version: number): void {
  db.write(() => {
    const key = versionKey(db, name, version);
    db.run(
      'INSERT INTO registered_model_aliases (model_id, alias, version) VALUES (?, ?, ?) ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version',
      key.modelId,
      alias,
      version,
    );
  });
}

/** Removes an alias (an absent alias is fine). */
export function deleteAlias(db: Db, name: string, alias: string): void {
  db.write(() => {
    db.run('DELETE FROM registered_model_aliases WHERE model_id = ? AND alias = ?', registeredModelRow(db, name).id, alias);
  });
}

/**
 * The version an alias points to. `latest` (any case) means the highest version (MLflow
 * answers the first of its latest-per-stage list, usually but not always the same).
 */
export function versionByAlias(db: Db, name: string, alias: string): ModelVersion {
  const model = registeredModelRow(db, name);
  let version: number | undefined;
  if (alias.toLowerCase() === 'latest') {
    version = db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM model_versions WHERE model_id = ?', model.id)?.v ?? undefined;
  } else {
    version = db.get<{ version: number }>('SELECT version FROM registered_model_aliases WHERE model_id = ? AND alias = ?', model.id, alias)?.version;
  }
  if (version === undefined) throw invalidParameter(`Registered model alias ${alias} not found.`);
  return loadVersions(db, [[model.id, version]])[0]!;
}
