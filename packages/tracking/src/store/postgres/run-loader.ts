/**
 * Builds full {@link Run} objects for many runs at once: one query per table for the whole page
 * (info, latest metrics, params, tags, dataset inputs), never one query per run. Call it inside
 * a read transaction so every query sees the same snapshot.
 */
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { Param } from '../../entities/param.js';
import type { RunTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { LifecycleStage, RunStatus } from '../../entities/enums.js';
import type { Queryable } from './db.js';

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

/** A metric point from stored columns: a NULL value (latest_metrics) is NaN; context when set. */
export function metricOf(
  key: string,
  value: number | null,
  timestamp: number,
  step: number,
  datasetName: string | null,
  datasetDigest: string | null,
  modelId: string | null,
): Metric {
  const m: { -readonly [K in keyof Metric]: Metric[K] } = { key, value: value === null ? NaN : value, timestamp, step };
  if (datasetName !== null) m.datasetName = datasetName;
  if (datasetDigest !== null) m.datasetDigest = datasetDigest;
  if (modelId !== null) m.modelId = modelId;
  return m;
}

function push<T>(m: Map<number, T[]>, k: number, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

type LatestRow = [number, string, number | null, number, number, string | null, string | null, string | null];
type KeyValueRow = [number, string, string];
interface InputRow {
  input_id: number;
  run_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

/** Loads the runs with these integer ids, full, in the order given (absent ids skipped). */
export async function loadRuns(q: Queryable, ids: readonly number[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  const rows = await q.rows<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::integer[])`, [ids]);
  const metrics = new Map<number, Metric[]>();
  const params = new Map<number, Param[]>();
  const tags = new Map<number, RunTag[]>();
  const inputs = new Map<number, DatasetInput[]>();

  const latest = (await q.arrays(
    `SELECT lm.run_id, k.key, lm.value, lm.timestamp, lm.step, lm.dataset_name, lm.dataset_digest, lm.model_id
     FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id WHERE lm.run_id = ANY($1::integer[]) ORDER BY lm.run_id, k.key`,
    [ids],
  )) as LatestRow[];
  for (const [runId, key, value, timestamp, step, dn, dd, mid] of latest) push(metrics, runId, metricOf(key, value, timestamp, step, dn, dd, mid));
  for (const [runId, key, value] of (await q.arrays('SELECT run_id, key, value FROM params WHERE run_id = ANY($1::integer[]) ORDER BY run_id, key', [ids])) as KeyValueRow[]) {
    push(params, runId, { key, value });
  }
  for (const [runId, key, value] of (await q.arrays('SELECT run_id, key, value FROM tags WHERE run_id = ANY($1::integer[]) ORDER BY run_id, key', [ids])) as KeyValueRow[]) {
    push(tags, runId, { key, value });
  }

  const inputRows = await q.rows<InputRow>(
    `SELECT i.id AS input_id, i.run_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
     FROM inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.run_id = ANY($1::integer[]) ORDER BY i.id`,
    [ids],
  );
  if (inputRows.length > 0) {
    const inputTags = new Map<number, { key: string; value: string }[]>();
    const tagRows = (await q.arrays('SELECT input_id, key, value FROM input_tags WHERE input_id = ANY($1::integer[]) ORDER BY input_id, key', [
      inputRows.map((r) => r.input_id),
    ])) as KeyValueRow[];
    for (const [inputId, key, value] of tagRows) push(inputTags, inputId, { key, value });
    for (const r of inputRows) {
      const dataset: { -readonly [K in keyof DatasetInput['dataset']]: DatasetInput['dataset'][K] } = {
        name: r.name,
        digest: r.digest,
        sourceType: r.source_type,
        source: r.source,
      };
      if (r.schema !== null) dataset.schema = r.schema;
      if (r.profile !== null) dataset.profile = r.profile;
      push(inputs, r.run_id, { dataset, tags: inputTags.get(r.input_id) ?? [] });
    }
  }

  const byId = new Map<number, Run>();
  for (const r of rows) {
    byId.set(r.id, {
      info: runInfoOf(r),
      data: { metrics: metrics.get(r.id) ?? [], params: params.get(r.id) ?? [], tags: tags.get(r.id) ?? [] },
      inputs: { datasetInputs: inputs.get(r.id) ?? [] },
    });
  }
  return ids.map((id) => byId.get(id)).filter((x): x is Run => x !== undefined);
}
