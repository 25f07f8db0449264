/** Registered models of the registry: CRUD, tags, aliases, bulk loading with latest versions. */
import { LablogError, invalidParameter, resourceAlreadyExists, resourceDoesNotExist } from '../../errors.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { RegisteredModelTag } from '../../entities/tag.js';
import type { ModelVersion } from '../../entities/model-version.js';
import { isUniqueViolation, type Db, type Queryable } from './db.js';
import { latestVersionKeys, loadVersions, versionModelId } from './model-versions.js';
import { assembleModels, type RegisteredModelRow } from '../sql/registry-rows.js';

export type { RegisteredModelRow } from '../sql/registry-rows.js';

const MODEL_COLUMNS = 'id, name, creation_timestamp, last_updated_timestamp, description, next_version';
const UPSERT_TAG = 'INSERT INTO registered_model_tags (model_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value';

/** 404 in MLflow's words. */
export function modelNotFound(name: string): LablogError {
  return resourceDoesNotExist(`Registered Model with name=${name} not found`);
}

function alreadyExists(name: string): LablogError {
  return resourceAlreadyExists(`Registered Model (name=${name}) already exists.`);
}

/** The row of a registered model (locked for update when `lock`), or a 404. */
export async function registeredModelRow(q: Queryable, name: string, lock = false): Promise<RegisteredModelRow> {
  const row = await q.one<RegisteredModelRow>(`SELECT ${MODEL_COLUMNS} FROM registered_models WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
  if (!row) throw modelNotFound(name);
  return row;
}

/** Bumps a model's `last_updated_timestamp`. */
export async function touchModel(q: Queryable, modelId: number, now = Date.now()): Promise<void> {
  await q.exec('UPDATE registered_models SET last_updated_timestamp = $1 WHERE id = $2', [now, modelId]);
}

/** Loads registered models by id, full, in the order given. */
export async function loadModels(q: Queryable, ids: readonly number[]): Promise<RegisteredModel[]> {
  if (ids.length === 0) return [];
  const rows = await q.rows<RegisteredModelRow>(`SELECT ${MODEL_COLUMNS} FROM registered_models WHERE id = ANY($1::integer[])`, [ids]);
  const tags = await q.rows<{ model_id: number; key: string; value: string }>(
    'SELECT model_id, key, value FROM registered_model_tags WHERE model_id = ANY($1::integer[]) ORDER BY model_id, key',
    [ids],
  );
  const aliases = await q.rows<{ model_id: number; alias: string; version: number }>(
    'SELECT model_id, alias, version FROM registered_model_aliases WHERE model_id = ANY($1::integer[]) ORDER BY model_id, alias',
    [ids],
  );
  const latestKeys = await latestVersionKeys(q, ids);
  const versions = await loadVersions(q, [...latestKeys.values()].flat());
  return assembleModels(ids, rows, tags, aliases, versions);
}

/** Creates a registered model; RESOURCE_ALREADY_EXISTS for a taken name. */
export async function insertModel(db: Db, name: string, tags: readonly RegisteredModelTag[], description?: string): Promise<RegisteredModel> {
  try {
    return await db.write(async (q) => {
      const now = Date.now();
      const row = await q.one<{ id: number }>(
        'INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description) VALUES ($1, $2, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id',
        [name, now, description ?? null],
      );
      if (!row) throw alreadyExists(name);
      for (const t of tags) await q.exec(UPSERT_TAG, [row.id, t.key, t.value]);
      return (await loadModels(q, [row.id]))[0]!;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'registered_models_name_key')) throw alreadyExists(name);
    throw e;
  }
}

/** One registered model, or a 404. */
export async function getModel(db: Db, name: string): Promise<RegisteredModel> {
  return db.read(async (q) => (await loadModels(q, [(await registeredModelRow(q, name)).id]))[0]!);
}

/** Renames a model; its versions move with it. */
export async function renameModel(db: Db, name: string, newName: string): Promise<RegisteredModel> {
  try {
    return await db.write(async (q) => {
      const row = await registeredModelRow(q, name, true);
      if (name !== newName && (await q.one('SELECT 1 FROM registered_models WHERE name = $1', [newName]))) throw alreadyExists(newName);
      await q.exec('UPDATE registered_models SET name = $1, last_updated_timestamp = $2 WHERE id = $3', [newName, Date.now(), row.id]);
      return (await loadModels(q, [row.id]))[0]!;
    });
  } catch (e) {
    if (isUniqueViolation(e, 'registered_models_name_key')) throw alreadyExists(newName);
    throw e;
  }
}

/** Sets a model's description. */
export async function updateModelDescription(db: Db, name: string, description: string): Promise<RegisteredModel> {
  return db.write(async (q) => {
    const row = await q.one<{ id: number }>('UPDATE registered_models SET description = $1, last_updated_timestamp = $2 WHERE name = $3 RETURNING id', [
      description,
      Date.now(),
      name,
    ]);
    if (!row) throw modelNotFound(name);
    return (await loadModels(q, [row.id]))[0]!;
  });
}

/** Deletes a model with its versions, tags and aliases (foreign keys cascade). */
export async function deleteModel(db: Db, name: string): Promise<void> {
  const n = await db.exec('DELETE FROM registered_models WHERE name = $1', [name]);
  if (n === 0) throw modelNotFound(name);
}

/** Sets a model tag. */
export async function setModelTag(db: Db, name: string, tag: RegisteredModelTag): Promise<void> {
  await db.write(async (q) => {
    await q.exec(UPSERT_TAG, [(await registeredModelRow(q, name)).id, tag.key, tag.value]);
  });
}

/** Deletes a model tag (absent tags are fine, as in MLflow's SQL store). */
export async function deleteModelTag(db: Db, name: string, key: string): Promise<void> {
  await db.write(async (q) => {
    await q.exec('DELETE FROM registered_model_tags WHERE model_id = $1 AND key = $2', [(await registeredModelRow(q, name)).id, key]);
  });
}

/** Points an alias at a version, moving it if it pointed elsewhere. */
export async function setAlias(db: Db, name: string, alias: string, version: number): Promise<void> {
  await db.write(async (q) => {
    const modelId = await versionModelId(q, name, version);
    await q.exec(
      'INSERT INTO registered_model_aliases (model_id, alias, version) VALUES ($1, $2, $3) ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version',
      [modelId, alias, version],
    );
  });
}

/** Removes an alias (an absent alias is fine). */
export async function deleteAlias(db: Db, name: string, alias: string): Promise<void> {
  await db.write(async (q) => {
    await q.exec('DELETE FROM registered_model_aliases WHERE model_id = $1 AND alias = $2', [(await registeredModelRow(q, name)).id, alias]);
  });
}

/**
 * The version an alias points to. `latest` (any case) means the highest version (MLflow
 * answers the first of its latest-per-stage list, usually but not always the same).
 */
export async function versionByAlias(db: Db, name: string, alias: string): Promise<ModelVersion> {
  return db.read(async (q) => {
    const model = await registeredModelRow(q, name);
    const row =
      alias.toLowerCase() === 'latest'
        ? await q.one<{ version: number | null }>('SELECT max(version) AS version FROM model_versions WHERE model_id = $1', [model.id])
        : await q.one<{ version: number }>('SELECT version FROM registered_model_aliases WHERE model_id = $1 AND alias = $2', [model.id, alias]);
    const version = row?.version ?? undefined;
    if (version === undefined || version === null) throw invalidParameter(`Registered model alias ${alias} not found.`);
    return (await loadVersions(q, [[model.id, version]]))[0]!;
  });
}
