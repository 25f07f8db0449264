/**
 * Rows → {@link RegisteredModel} and {@link ModelVersion} entities for the SQL stores (same
 * columns in both schemas); the stores run their own queries and assemble the rows here.
 */
import type { RegisteredModel, RegisteredModelAlias } from '../../entities/registered-model.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { ModelVersionTag } from '../../entities/tag.js';
import type { ModelStage, ModelVersionStatus } from '../../entities/enums.js';

/** A row of `registered_models`. */
export interface RegisteredModelRow {
  id: number;
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string | null;
  next_version: number;
}

/** A row of `model_versions` with its model's name. */
export interface VersionRow {
  model_id: number;
  name: string;
  version: number;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string | null;
  current_stage: ModelStage;
  description: string | null;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  status: ModelVersionStatus;
  status_message: string | null;
  run_link: string | null;
}

const keyString = (m: number, v: number) => `${m}/${v}`;

/** The versions of `keys` (model id, version), in that order (keys without a row skipped). */
export function assembleVersions(
  keys: readonly (readonly [number, number])[],
  rows: readonly VersionRow[],
  tags: readonly { model_id: number; version: number; key: string; value: string }[],
  aliases: readonly { model_id: number; version: number; alias: string }[],
): ModelVersion[] {
  const tagMap = new Map<string, ModelVersionTag[]>();
  for (const t of tags) {
    const k = keyString(t.model_id, t.version);
    const list = tagMap.get(k) ?? [];
    list.push({ key: t.key, value: t.value });
    tagMap.set(k, list);
  }
  const aliasMap = new Map<string, string[]>();
  for (const a of aliases) {
    const k = keyString(a.model_id, a.version);
    const list = aliasMap.get(k) ?? [];
    list.push(a.alias);
    aliasMap.set(k, list);
  }
  const byKey = new Map<string, ModelVersion>();
  for (const r of rows) {
    const k = keyString(r.model_id, r.version);
    const v: { -readonly [K in keyof ModelVersion]: ModelVersion[K] } = {
      name: r.name,
      version: String(r.version),
      creationTimestamp: r.creation_timestamp,
      lastUpdatedTimestamp: r.last_updated_timestamp,
      currentStage: r.current_stage,
      source: r.source,
      status: r.status,
      tags: tagMap.get(k) ?? [],
      aliases: aliasMap.get(k) ?? [],
    };
    if (r.user_id) v.userId = r.user_id;
    if (r.description) v.description = r.description;
    if (r.storage_location) v.storageLocation = r.storage_location;
    if (r.run_id) v.runId = r.run_id;
    if (r.status_message) v.statusMessage = r.status_message;
    if (r.run_link) v.runLink = r.run_link;
    byKey.set(k, v);
  }
  return keys.map(([m, v]) => byKey.get(keyString(m, v))).filter((x): x is ModelVersion => x !== undefined);
}

/** The models of `ids`, in that order (ids without a row skipped), with their latest versions. */
export function assembleModels(
  ids: readonly number[],
  rows: readonly RegisteredModelRow[],
  tags: readonly { model_id: number; key: string; value: string }[],
  aliases: readonly { model_id: number; alias: string; version: number }[],
  latestVersions: readonly ModelVersion[],
): RegisteredModel[] {
  const versionsByName = new Map<string, ModelVersion[]>();
  for (const v of latestVersions) versionsByName.set(v.name, [...(versionsByName.get(v.name) ?? []), v]);
  const out = new Map<number, RegisteredModel>();
  for (const r of rows) {
    const m: { -readonly [K in keyof RegisteredModel]: RegisteredModel[K] } = {
      name: r.name,
      creationTimestamp: r.creation_timestamp,
      lastUpdatedTimestamp: r.last_updated_timestamp,
      latestVersions: versionsByName.get(r.name) ?? [],
      tags: tags.filter((t) => t.model_id === r.id).map((t) => ({ key: t.key, value: t.value })),
      aliases: aliases.filter((a) => a.model_id === r.id).map((a): RegisteredModelAlias => ({ alias: a.alias, version: String(a.version) })),
    };
    if (r.description) m.description = r.description;
    out.set(r.id, m);
  }
  return ids.map((id) => out.get(id)).filter((x): x is RegisteredModel => x !== undefined);
}
