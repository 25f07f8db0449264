import type { RegisteredModelTag } from './tag.js';
import type { ModelVersion, ModelVersionJSON } from './model-version.js';
import { modelVersionFromJSON, modelVersionToJSON } from './model-version.js';

/** An alias of a registered model: a name pointing at exactly one version. */
export interface RegisteredModelAlias {
  readonly alias: string;
  readonly version: string;
}

/** A named model in the registry, with its versions' summary. */
export interface RegisteredModel {
  readonly name: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly description?: string;
  /** The highest version in each stage that has one. */
  readonly latestVersions: readonly ModelVersion[];
  readonly tags: readonly RegisteredModelTag[];
  readonly aliases: readonly RegisteredModelAlias[];
}

/** MLflow's JSON for a registered model. */
export interface RegisteredModelJSON {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ModelVersionJSON[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

/** Registered model → MLflow JSON (empty optionals omitted). */
export function registeredModelToJSON(m: RegisteredModel): RegisteredModelJSON {
  const out: RegisteredModelJSON = {
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
  };
  if (m.description) out.description = m.description;
  if (m.latestVersions.length > 0) out.latest_versions = m.latestVersions.map(modelVersionToJSON);
  if (m.tags.length > 0) out.tags = m.tags.map((t) => ({ key: t.key, value: t.value }));
  if (m.aliases.length > 0) out.aliases = m.aliases.map((a) => ({ alias: a.alias, version: a.version }));
  return out;
}

/** MLflow JSON → registered model. */
export function registeredModelFromJSON(j: RegisteredModelJSON): RegisteredModel {
  const m: { -readonly [K in keyof RegisteredModel]: RegisteredModel[K] } = {
    name: j.name,
    creationTimestamp: Number(j.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(j.last_updated_timestamp ?? 0),
    latestVersions: (j.latest_versions ?? []).map(modelVersionFromJSON),
    tags: (j.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
    aliases: (j.aliases ?? []).map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
  if (j.description) m.description = j.description;
  return m;
}
