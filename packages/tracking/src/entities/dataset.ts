import type { InputTag } from './tag.js';

/** A dataset as MLflow records it: identity (name + digest), where it came from, its shape. */
export interface Dataset {
  readonly name: string;
  /** Usually 8 hex characters (MD5 of the content, truncated). */
  readonly digest: string;
  /** e.g. `code`, `local`, `s3`, `http`. */
  readonly sourceType: string;
  /** JSON text describing the source, e.g. `{"uri": "…"}`. */
  readonly source: string;
  /** JSON text, e.g. `{"mlflow_colspec": […]}`. */
  readonly schema?: string;
  /** JSON text, e.g. `{"num_rows": …, "num_elements": …}`. */
  readonly profile?: string;
}

/** The edge between a run and a dataset, with its tags (`mlflow.data.context`, …). */
export interface DatasetInput {
  readonly dataset: Dataset;
  readonly tags: readonly InputTag[];
}

/** MLflow's JSON for a dataset. */
export interface DatasetJSON {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** MLflow's JSON for a dataset input. */
export interface DatasetInputJSON {
  tags?: { key: string; value: string }[];
  dataset: DatasetJSON;
}

/** Dataset → MLflow JSON. */
export function datasetToJSON(d: Dataset): DatasetJSON {
  const out: DatasetJSON = { name: d.name, digest: d.digest, source_type: d.sourceType, source: d.source };
  if (d.schema !== undefined) out.schema = d.schema;
  if (d.profile !== undefined) out.profile = d.profile;
  return out;
}

/** MLflow JSON → dataset. */
export function datasetFromJSON(j: DatasetJSON): Dataset {
  const d: { -readonly [K in keyof Dataset]: Dataset[K] } = {
    name: j.name,
    digest: j.digest,
    sourceType: j.source_type,
    source: j.source,
  };
  if (j.schema !== undefined && j.schema !== null) d.schema = j.schema;
  if (j.profile !== undefined && j.profile !== null) d.profile = j.profile;
  return d;
}

/** Dataset input → MLflow JSON. */
export function datasetInputToJSON(d: DatasetInput): DatasetInputJSON {
  const out: DatasetInputJSON = { dataset: datasetToJSON(d.dataset) };
  if (d.tags.length > 0) out.tags = d.tags.map((t) => ({ key: t.key, value: t.value }));
  return out;
}

/** MLflow JSON → dataset input. */
export function datasetInputFromJSON(j: DatasetInputJSON): DatasetInput {
  return { dataset: datasetFromJSON(j.dataset), tags: (j.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })) };
}
