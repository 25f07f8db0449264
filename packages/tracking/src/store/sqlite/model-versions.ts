/** Model versions of the registry: create (numbers never reused), read, stages, tags, bulk loading. */
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { ModelVersionTag } from '../../entities/tag.js';
import { MODEL_STAGES, modelStageFrom, type ModelStage } from '../../entities/enums.js';
import type { CreateModelVersionArgs } from '../registry-store.js';
import type { Db } from './db.js';
import { registeredModelRow, touchModel } from './registered-models.js';
import { assembleVersions, type VersionRow } from '../sql/registry-rows.js';
import { invalidStage } from '../store-arguments.js';

/** 404 in MLflow's words. */
export function versionNotFound(name: string, version: string | number): LablogError {
  return resourceDoesNotExist(`Model Version (name=${name}, version=${version}) not found`);
}

/** The (model id, version) of an existing version, or a 404. */
export function versionKey(db: Db, name: string, version: number): { modelId: number; version: number } {
  const row = db.get<{ model_id: number }>(
    'SELECT v.model_id FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = ? AND v.version = ?',
    name,
    version,
  );
  if (!row) throw versionNotFound(name, version);
  return { modelId: row.model_id, version };
}

/** Loads versions by (model id, version), full, in the order given. */
export function loadVersions(db: Db, keys: readonly (readonly [number, number])[]): ModelVersion[] {
  if (keys.length === 0) return [];
  const json = JSON.stringify(keys);
  const rows = db.all<VersionRow>(
    `SELECT v.model_id, m.name, v.version, v.creation_timestamp, v.last_updated_timestamp, v.user_id, v.current_stage, v.description,
            v.source, v.storage_location, v.run_id, v.status, v.status_message, v.run_link
     FROM json_each(?) j JOIN model_versions v ON v.model_id = j.value ->> 0 AND v.version = j.value ->> 1
     JOIN registered_models m ON m.id = v.model_id`,
    json,
  );
  const tags = db.all<{ model_id: number; version: number; key: string; value: string }>(
    `SELECT t.model_id, t.version, t.key, t.value FROM json_each(?) j
     JOIN model_version_tags t ON t.model_id = j.value ->> 0 AND t.version = j.value ->> 1 ORDER BY t.model_id, t.version, t.key`,
    json,
  );
  const aliases = db.all<{ model_id: number; version: number; alias: string }>(
    `SELECT a.model_id, a.version, a.alias FROM json_each(?) j
     JOIN registered_model_aliases a ON a.model_id = j.value ->> 0 AND a.version = j.value ->> 1 ORDER BY a.alias`,
    json,
  );
  return assembleVersions(keys, rows, tags, aliases);
}

/** One version, or a 404. */
export function getVersion(db: Db, name: string, version: number): ModelVersion {
  const key = versionKey(db, name, version);
  return loadVersions(db, [[key.modelId, key.version]])[0]!;
}

/** The (model id, version) of the highest version per stage, in `stages` order. */
export function latestVersionKeys(db: Db, modelIds: readonly number[], stages: readonly ModelStage[] = MODEL_STAGES): Map<number, [number, number][]> {
  const rows = db.all<{ model_id: number; current_stage: ModelStage; version: number }>(
    `SELECT model_id, current_stage, MAX(version) AS version FROM model_versions
     WHERE model_id IN (SELECT value FROM json_each(?)) GROUP BY model_id, current_stage`,
    JSON.stringify(modelIds),
  );
  const out = new Map<number, [number, number][]>();
  for (const stage of stages) {
    for (const r of rows) {
      if (r.current_stage !== stage) continue;
      const list = out.get(r.model_id) ?? [];
      list.push([r.model_id, r.version]);
      out.set(r.model_id, list);
    }
  }
  return out;
}

export { canonicalStages } from '../store-arguments.js';

/** Creates version `next_version` of a model and advances the counter. */
export function insertVersion(db: Db, args: CreateModelVersionArgs): ModelVersion {
  return db.write(() => {
    const model = registeredModelRow(db, args.name);
    const version = model.next_version;
    const now = Date.now();
    db.run('UPDATE registered_models SET next_version = ?, last_updated_timestamp = ? WHERE id = ?', version + 1, now, model.id);
    db.run(
      `INSERT INTO model_versions (model_id, version, creation_timestamp, last_updated_timestamp, user_id, current_stage, description,
         source, storage_location, run_id, status, status_message, run_link)
       VALUES (?, ?, ?, ?, NULL, 'None', ?, ?, ?, ?, 'READY', NULL, ?)`,
      model.id,
      version,
      now,
      now,
      args.description ?? null,
      args.source,
      args.storageLocation ?? null,
      args.runId ?? null,
      args.runLink ?? null,
    );
    for (const t of args.tags ?? []) {
      db.run(
        'INSERT INTO model_version_tags (model_id, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, version, key) DO UPDATE SET value = excluded.value',
        model.id,
        version,
        t.key,
        t.value,
      );
    }
    return loadVersions(db, [[model.id, version]])[0]!;
  });
}

/** Sets the description of a version. */
export function updateVersionDescription(db: Db, name: string, version: number, description: string): ModelVersion {
  return db.write(() => {
    const key = versionKey(db, name, version);
    db.run('UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?', description, Date.now(), key.modelId, version);
    return loadVersions(db, [[key.modelId, version]])[0]!;
  });
}

/** Deletes a version with its tags and aliases; its number stays used. */
export function deleteVersion(db: Db, name: string, version: number): void {
  db.write(() => {
    const key = versionKey(db, name, version);
    db.run('DELETE FROM model_versions WHERE model_id = ? AND version = ?', key.modelId, version);
    touchModel(db, key.modelId);
  });
}

/** Moves a version to a stage, optionally archiving the others in that stage. */
export function transitionStage(db: Db, name: string, version: number, stageName: string, archiveExisting: boolean): ModelVersion {
  const stage = modelStageFrom(stageName);
  if (!stage) throw invalidStage(stageName);
  if (archiveExisting && stage !== 'Staging' && stage !== 'Production') {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production`,
    );
  }
  return db.write(() => {
    const key = versionKey(db, name, version);
    const now = Date.now();
    if (archiveExisting) {
      db.run(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ? WHERE model_id = ? AND current_stage = ? AND version != ?",
        now,
        key.modelId,
        stage,
        version,
      );
    }
    db.run('UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE model_id = ? AND version = ?', stage, now, key.modelId, version);
    touchModel(db, key.modelId, now);
    return loadVersions(db, [[key.modelId, version]])[0]!;
  });
}

/** Sets a tag of a version. */
export function setVersionTag(db: Db, name: string, version: number, tag: ModelVersionTag): void {
  db.write(() => {
    const key = versionKey(db, name, version);
    db.run(
      'INSERT INTO model_version_tags (model_id, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, version, key) DO UPDATE SET value = excluded.value',
      key.modelId,
      version,
      tag.key,
      tag.value,
    );
  });
}

/** Deletes a tag of a version (absent tags are fine, as in MLflow's SQL store). */
export function deleteVersionTag(db: Db, name: string, version: number, tagKey: string): void {
  db.write(() => {
    const key = versionKey(db, name, version);
    db.run('DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?', key.modelId, version, tagKey);
  });
}
