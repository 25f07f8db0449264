/** A key/value pair: run tags, experiment tags, registry tags, dataset-input tags. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** A run tag (`RunTag` in MLflow's protos). */
export type RunTag = Tag;
/** An experiment tag. */
export type ExperimentTag = Tag;
/** A tag on a dataset input (e.g. `mlflow.data.context`). */
export type InputTag = Tag;
/** A registered-model tag. */
export type RegisteredModelTag = Tag;
/** A model-version tag. */
export type ModelVersionTag = Tag;

/** Turns a `{key: value}` record into tags, in insertion order. */
export function tagsFromRecord(record: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

/** Turns tags into a `{key: value}` record; the last of a repeated key wins. */
export function tagsToRecord(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[t.key] = t.value;
  return out;
}
