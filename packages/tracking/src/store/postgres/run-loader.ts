/**
 * Builds full {@link Run} objects for many runs at once: one query per table for the whole page
 * (info, latest metrics, params, tags, dataset inputs), never one query per run. Call it inside
 * a read transaction so every query sees the same snapshot. The rows become runs in
 * ../sql/run-rows.ts, shared with the SQLite store.
 */
import type { Run } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import { RUN_COLUMNS, assembleRuns, datasetInputsByRun, groupKeyValues, pushTo, type InputRow, type KeyValueRow, type RunRow } from '../sql/run-rows.js';
import type { Queryable } from './db.js';

export { RUN_COLUMNS, runInfoOf, type RunRow } from '../sql/run-rows.js';

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

type LatestRow = [number, string, number | null, number, number, string | null, string | null, string | null];

/** Loads the runs with these integer ids, full, in the order given (absent ids skipped). */
export async function loadRuns(q: Queryable, ids: readonly number[]): Promise<Run[]> {
  if (ids.length === 0) return [];
  const rows = await q.rows<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ANY($1::integer[])`, [ids]);

  const metrics = new Map<number, Metric[]>();
  const latest = (await q.arrays(
    `SELECT lm.run_id, k.key, lm.value, lm.timestamp, lm.step, lm.dataset_name, lm.dataset_digest, lm.model_id
     FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id WHERE lm.run_id = ANY($1::integer[]) ORDER BY lm.run_id, k.key`,
    [ids],
  )) as LatestRow[];
  for (const [runId, key, value, timestamp, step, dn, dd, mid] of latest) pushTo(metrics, runId, metricOf(key, value, timestamp, step, dn, dd, mid));
  const params = groupKeyValues((await q.arrays('SELECT run_id, key, value FROM params WHERE run_id = ANY($1::integer[]) ORDER BY run_id, key', [ids])) as KeyValueRow[]);
  const tags = groupKeyValues((await q.arrays('SELECT run_id, key, value FROM tags WHERE run_id = ANY($1::integer[]) ORDER BY run_id, key', [ids])) as KeyValueRow[]);

  const inputRows = await q.rows<InputRow>(
    `SELECT i.id AS input_id, i.run_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
     FROM inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.run_id = ANY($1::integer[]) ORDER BY i.id`,
    [ids],
  );
  const inputTagRows =
    inputRows.length === 0
      ? []
      : ((await q.arrays('SELECT input_id, key, value FROM input_tags WHERE input_id = ANY($1::integer[]) ORDER BY input_id, key', [
          inputRows.map((r) => r.input_id),
        ])) as KeyValueRow[]);

  return assembleRuns(ids, rows, { metrics, params, tags, inputs: datasetInputsByRun(inputRows, inputTagRows) });
}
