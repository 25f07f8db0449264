/** Model versions of the registry: create (numbers never reused), read, stages, tags, bulk loading. */
import { LablogError, invalidParameter, resourceDoesNotExist } from '../../errors.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { ModelVersionTag } from '../../entities/tag.js';
import { MODEL_STAGES, modelStageFrom, type ModelStage } from '../../entities/enums.js';
import type { CreateModelVersionArgs } from '../registry-store.js';
import type { Db, Queryable } from './db.js';
import { modelNotFound, touchModel } from './registered-models.js';
import { assembleVersions, type VersionRow } from '../sql/registry-rows.js';
import { invalidStage } from '../store-arguments.js';

/** A (model id, version) pair. */
export type VersionKey = readonly [modelId: number, version: number];

/** 404 in MLflow's words. */
export function versionNotFound(name: string, version: string | number): LablogError {
  return resourceDoesNotExist(`Model Version (name=${name}, version=${version}) not found`);
}

/** The model id of an existing version (row locked when `lock`), or a 404. */
export async function versionModelId(q: Queryable, name: string, version: number, lock = false): Promise<number> {
  const row = await q.one<{ model_id: number }>(
    `SELECT v.model_id FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2${lock ? ' FOR UPDATE OF v' : ''}`,
    [name, version],
  );
  if (!row) throw versionNotFound(name, version);
  return row.model_id;
}

/** Loads versions by (model id, version), full, in the order given. */
export async function loadVersions(q: Queryable, keys: readonly VersionKey[]): Promise<ModelVersion[]> {
  if (keys.length === 0) return [];
  const params = [keys.map((k) => k[0]), keys.map((k) => k[1])];
  const wanted = 'unnest($1::integer[], $2::integer[]) AS w (model_id, version)';
  const rows = await q.rows<VersionRow>(
    `SELECT v.model_id, m.name, v.version, v.creation_timestamp, v.last_updated_timestamp, v.user_id, v.current_stage, v.description,
            v.source, v.storage_location, v.run_id, v.status, v.status_message, v.run_link
     FROM ${wanted} JOIN model_versions v USING (model_id, version) JOIN registered_models m ON m.id = v.model_id`,
    params,
  );
  const tags = await q.rows<{ model_id: number; version: number; key: string; value: string }>(
    `SELECT t.model_id, t.version, t.key, t.value FROM ${wanted} JOIN model_version_tags t USING (model_id, version) ORDER BY t.model_id, t.version, t.key`,
    params,
  );
  const aliases = await q.rows<{ model_id: number; version: number; alias: string }>(
    `SELECT a.model_id, a.version, a.alias FROM ${wanted} JOIN registered_model_aliases a USING (model_id, version) ORDER BY a.alias`,
    params,
  );
  return assembleVersions(keys, rows, tags, aliases);
}

/** One version, or a 404. */
export async function getVersion(db: Db, name: string, version: number): Promise<ModelVersion> {
  return db.read(async (q) => (await loadVersions(q, [[await versionModelId(q, name, version), version]]))[0]!);
}

/** The (model id, version) of the highest version per stage, in `stages` order. */
export async function latestVersionKeys(q: Queryable, modelIds: readonly number[], stages: readonly ModelStage[] = MODEL_STAGES): Promise<Map<number, VersionKey[]>> {
  const out = new Map<number, VersionKey[]>();
  if (modelIds.length === 0) return out;
  const rows = await q.rows<{ model_id: number; current_stage: ModelStage; version: number }>(
    'SELECT model_id, current_stage, max(version) AS version FROM model_versions WHERE model_id = ANY($1::integer[]) GROUP BY model_id, current_stage',
    [modelIds],
  );
  for (const stage of stages) {
    for (const r of rows) {
      if (r.current_stage !== stage) continue;
      out.set(r.model_id, [...(out.get(r.model_id) ?? []), [r.model_id, r.version]]);
    }
  }
  return out;
}

export { canonicalStages } from '../store-arguments.js';

const UPSERT_TAG =
  'INSERT INTO model_version_tags (model_id, version, key, value) VALUES ($1, $2, $3, $4) ON CONFLICT (model_id, version, key) DO UPDATE SET value = excluded.value';

/**
 * Creates version `next_version` of a model. The counter moves in the same `UPDATE … RETURNING`
 * that reads it, under the model's row lock, so concurrent creators get distinct numbers and a
 * number is never handed out twice, even after deletion.
 */
export async function insertVersion(db: Db, args: CreateModelVersionArgs): Promise<ModelVersion> {
  return db.write(async (q) => {
    const now = Date.now();
    const model = await q.one<{ id: number; version: number }>(
      'UPDATE registered_models SET next_version = next_version + 1, last_updated_timestamp = $1 WHERE name = $2 RETURNING id, next_version - 1 AS version',
      [now, args.name],
    );
    if (!model) throw modelNotFound(args.name);
    await q.exec(
      `INSERT INTO model_versions (model_id, version, creation_timestamp, last_updated_timestamp, user_id, current_stage, description,
         source, storage_location, run_id, status, status_message, run_link)
       VALUES ($1, $2, $3, $3, NULL, 'None', $4, $5, $6, $7, 'READY', NULL, $8)`,
      [model.id, model.version, now, args.description ?? null, args.source, args.storageLocation ?? null, args.runId ?? null, args.runLink ?? null],
    );
    for (const t of args.tags ?? []) await q.exec(UPSERT_TAG, [model.id, model.version, t.key, t.value]);
    return (await loadVersions(q, [[model.id, model.version]]))[0]!;
  });
}

/** Sets the description of a version. */
export async function updateVersionDescription(db: Db, name: string, version: number, description: string): Promise<ModelVersion> {
  return db.write(async (q) => {
    const modelId = await versionModelId(q, name, version, true);
    await q.exec('UPDATE model_versions SET description = $1, last_updated_timestamp = $2 WHERE model_id = $3 AND version = $4', [description, Date.now(), modelId, version]);
    return (await loadVersions(q, [[modelId, version]]))[0]!;
  });
}

/** Deletes a version with its tags and aliases; its number stays used. */
export async function deleteVersion(db: Db, name: string, version: number): Promise<void> {
  await db.write(async (q) => {
    const modelId = await versionModelId(q, name, version, true);
    await q.exec('DELETE FROM model_versions WHERE model_id = $1 AND version = $2', [modelId, version]);
    await touchModel(q, modelId);
  });
}

/** Moves a version to a stage, optionally archiving the others in that stage. */
export async function transitionStage(db: Db, name: string, version: number, stageName: string, archiveExisting: boolean): Promise<ModelVersion> {
  const stage = modelStageFrom(stageName);
  if (!stage) throw invalidStage(stageName);
  if (archiveExisting && stage !== 'Staging' && stage !== 'Production') {
    throw invalidParameter(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are Staging, Production`,
    );
  }
  return db.write(async (q) => {
    const modelId = await versionModelId(q, name, version, true);
    const now = Date.now();
    if (archiveExisting) {
      await q.exec(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = $1 WHERE model_id = $2 AND current_stage = $3 AND version != $4",
        [now, modelId, stage, version],
      );
    }
    await q.exec('UPDATE model_versions SET current_stage = $1, last_updated_timestamp = $2 WHERE model_id = $3 AND version = $4', [stage, now, modelId, version]);
    await touchModel(q, modelId, now);
    return (await loadVersions(q, [[modelId, version]]))[0]!;
  });
}

/** Sets a tag of a version. */
export async function setVersionTag(db: Db, name: string, version: number, tag: ModelVersionTag): Promise<void> {
  await db.write(async (q) => {
    await q.exec(UPSERT_TAG, [await versionModelId(q, name, version), version, tag.key, tag.value]);
  });
}

/** Deletes a tag of a version (absent tags are fine, as in MLflow's SQL store). */
export async function deleteVersionTag(db: Db, name: string, version: number, tagKey: string): Promise<void> {
  await db.write(async (q) => {
    await q.exec('DELETE FROM model_version_tags WHERE model_id = $1 AND version = $2 AND key = $3', [await versionModelId(q, name, version), version, tagKey]);
  });
}
