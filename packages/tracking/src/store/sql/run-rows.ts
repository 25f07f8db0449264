/**
 * Rows → {@link Run} entities for the SQL stores. Both schemas store runs, params, tags and
 * dataset inputs in the same columns; the stores run their own (dialect-specific) queries and
 * hand the rows here to be grouped by run and assembled.
 */
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { LifecycleStage, RunStatus } from '../../entities/enums.js';

/** A row of the `runs` table. */
export interface RunRow {
  id: number;
  run_uuid: string;
  experiment_id: number;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time: number | null;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

/** The columns of {@link RunRow}. */
export const RUN_COLUMNS = 'id, run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage';

/** A run row as a {@link RunInfo}. */
export function runInfoOf(r: RunRow): RunInfo {
  return {
    runId: r.run_uuid,
    experimentId: String(r.experiment_id),
    runName: r.name,
    userId: r.user_id,
    status: r.status,
    startTime: r.start_time,
    endTime: r.end_time ?? null,
    artifactUri: r.artifact_uri,
    lifecycleStage: r.lifecycle_stage,
  };
}

/** `[owner id, key, value]`: a param, tag or input tag row. */
export type KeyValueRow = [number, string, string];

/** A dataset input of a run joined with its dataset. */
export interface InputRow {
  input_id: number;
  run_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

/** Appends `v` to the list of `k`. */
export function pushTo<T>(m: Map<number, T[]>, k: number, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Key/value rows grouped by owner id, in row order. */
export function groupKeyValues(rows: readonly KeyValueRow[]): Map<number, { key: string; value: string }[]> {
  const out = new Map<number, { key: string; value: string }[]>();
  for (const [id, key, value] of rows) pushTo(out, id, { key, value });
  return out;
}

/** Dataset inputs grouped by run id, each with its tags (`tagRows` keyed by input id). */
export function datasetInputsByRun(inputRows: readonly InputRow[], tagRows: readonly KeyValueRow[]): Map<number, DatasetInput[]> {
  const inputs = new Map<number, DatasetInput[]>();
  if (inputRows.length === 0) return inputs;
  const inputTags = groupKeyValues(tagRows);
  for (const r of inputRows) {
    const dataset: { -readonly [K in keyof DatasetInput['dataset']]: DatasetInput['dataset'][K] } = {
      name: r.name,
      digest: r.digest,
      sourceType: r.source_type,
      source: r.source,
    };
    if (r.schema !== null) dataset.schema = r.schema;
    if (r.profile !== null) dataset.profile = r.profile;
    pushTo(inputs, r.run_id, { dataset, tags: inputTags.get(r.input_id) ?? [] });
  }
  return inputs;
}

/** The parts of a page of runs, grouped by run id. */
export interface RunParts {
  metrics: ReadonlyMap<number, Metric[]>;
  params: ReadonlyMap<number, { key: string; value: string }[]>;
  tags: ReadonlyMap<number, { key: string; value: string }[]>;
  inputs: ReadonlyMap<number, DatasetInput[]>;
}

/** The runs of `ids`, in that order (ids without a row skipped). */
export function assembleRuns(ids: readonly number[], rows: readonly RunRow[], parts: RunParts): Run[] {
  const byId = new Map<number, Run>();
  for (const r of rows) {
    byId.set(r.id, {
      info: runInfoOf(r),
      data: { metrics: parts.metrics.get(r.id) ?? [], params: parts.params.get(r.id) ?? [], tags: parts.tags.get(r.id) ?? [] },
      inputs: { datasetInputs: parts.inputs.get(r.id) ?? [] },
    });
  }
  return ids.map((id) => byId.get(id)).filter((x): x is Run => x !== undefined);
}
