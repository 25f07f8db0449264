import type { ModelStage, ModelVersionStatus } from './enums.js';
import type { ModelVersionTag } from './tag.js';

/** One version of a registered model. Version numbers count 1, 2, 3… and are never reused. */
export interface ModelVersion {
  readonly name: string;
  /** A string holding an integer, as MLflow sends it ("3"). */
  readonly version: string;
  readonly creationTimestamp: number;
  readonly lastUpdatedTimestamp: number;
  readonly userId?: string;
  readonly currentStage: ModelStage;
  readonly description?: string;
  /** Where the model came from, e.g. `runs:/<id>/model`. */
  readonly source: string;
  /** The resolved storage location, when the source was a `runs:/` or `models:/` URI. */
  readonly storageLocation?: string;
  readonly runId?: string;
  readonly status: ModelVersionStatus;
  readonly statusMessage?: string;
  readonly tags: readonly ModelVersionTag[];
  readonly runLink?: string;
  readonly aliases: readonly string[];
}

/** MLflow's JSON for a model version. */
export interface ModelVersionJSON {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: { key: string; value: string }[];
  run_link?: string;
  aliases?: string[];
}

/** Model version → MLflow JSON (empty optionals omitted). */
export function modelVersionToJSON(v: ModelVersion): ModelVersionJSON {
  const out: ModelVersionJSON = {
    name: v.name,
    version: v.version,
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    current_stage: v.currentStage,
    source: v.source,
    status: v.status,
  };
  if (v.userId) out.user_id = v.userId;
  if (v.description) out.description = v.description;
  if (v.runId) out.run_id = v.runId;
  if (v.statusMessage) out.status_message = v.statusMessage;
  if (v.tags.length > 0) out.tags = v.tags.map((t) => ({ key: t.key, value: t.value }));
  out.run_link = v.runLink ?? '';
  if (v.aliases.length > 0) out.aliases = [...v.aliases];
  return out;
}

/** MLflow JSON → model version. */
export function modelVersionFromJSON(j: ModelVersionJSON): ModelVersion {
  const v: { -readonly [K in keyof ModelVersion]: ModelVersion[K] } = {
    name: j.name,
    version: String(j.version),
    creationTimestamp: Number(j.creation_timestamp ?? 0),
    lastUpdatedTimestamp: Number(j.last_updated_timestamp ?? 0),
    currentStage: (j.current_stage ?? 'None') as ModelStage,
    source: j.source ?? '',
    status: j.status ?? 'READY',
    tags: (j.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })),
    aliases: j.aliases ?? [],
  };
  if (j.user_id) v.userId = j.user_id;
  if (j.description) v.description = j.description;
  if (j.run_id) v.runId = j.run_id;
  if (j.status_message) v.statusMessage = j.status_message;
  if (j.run_link) v.runLink = j.run_link;
  return v;
}
