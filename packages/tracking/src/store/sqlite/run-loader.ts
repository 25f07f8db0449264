/**
 * Builds full {@link Run} objects for many runs at once: one query per table for the whole page
 * (info, latest metrics, params, tags, dataset inputs), never one query per run. The rows become
 * runs in ../sql/run-rows.ts, shared with the PostgreSQL store.
 */
import type { Run } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import { RUN_COLUMNS, assembleRuns, datasetInputsByRun, groupKeyValues, pushTo, type InputRow, type KeyValueRow, type RunRow } from '../sql/run-rows.js';
import type { Db } from './db.js';

export { RUN_COLUMNS, runInfoOf, type RunRow } from '../sql/run-rows.js';

/** A stored metric value: NULL stands for NaN. */
export function metricValueOf(v: number | null): number {
  return v === null ? NaN : v;
}

interface Context {
  dataset_name: string;
  dataset_digest: string;
  model_id: string;
}

/** Adds the dataset/model context of a point to a metric. */
export function withContext(m: { -readonly [K in keyof Metric]: Metric[K] }, ctx: Context | undefined): Metric {
  if (ctx) {
    if (ctx.dataset_name) m.datasetName = ctx.dataset_name;
    if (ctx.dataset_digest) m.datasetDigest = ctx.dataset_digest;
    if (ctx.model_id) m.modelId = ctx.model_id;
  }
  return m;
}

/** Loads contexts by id (few rows: contexts are rare and shared). */
export function loadContexts(db: Db, ids: Iterable<number>): Map<number, Context> {
  const list = [...new Set(ids)];
  const out = new Map<number, Context>();
  if (list.length === 0) return out;
  for (const c of db.all<Context & { id: number }>(
    'SELECT id, dataset_name, dataset_digest, model_id FROM metric_contexts WHERE id IN (SELECT value FROM json_each(?))',
    JSON.stringify(list),
  )) {
    out.set(c.id, c);
  }
  return out;
}

/** Loads the runs with these integer ids, full, in the order given (absent ids skipped). */
export function loadRuns(db: Db, ids: readonly number[]): Run[] {
  if (ids.length === 0) return [];
  return db.read(() => {
    const json = JSON.stringify(ids);
    const rows = db.all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id IN (SELECT value FROM json_each(?))`, json);

    const metrics = new Map<number, Metric[]>();
    const latest = db
      .stmt(
        `SELECT lm.run_id, k.key, lm.value, lm.timestamp, lm.step, lm.ctx_id FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id
         WHERE lm.run_id IN (SELECT value FROM json_each(?)) ORDER BY lm.run_id, k.key`,
      )
      .values(json) as [number, string, number | null, number, number, number | null][];
    const contexts = loadContexts(db, latest.filter((r) => r[5] !== null).map((r) => r[5]!));
    for (const [runId, key, value, timestamp, step, ctx] of latest) {
      pushTo(metrics, runId, withContext({ key, value: metricValueOf(value), timestamp, step }, ctx === null ? undefined : contexts.get(ctx)));
    }
    const params = groupKeyValues(db.stmt('SELECT run_id, key, value FROM params WHERE run_id IN (SELECT value FROM json_each(?))').values(json) as KeyValueRow[]);
    const tags = groupKeyValues(db.stmt('SELECT run_id, key, value FROM tags WHERE run_id IN (SELECT value FROM json_each(?))').values(json) as KeyValueRow[]);

    const inputRows = db.all<InputRow>(
      `SELECT i.id AS input_id, i.run_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
       FROM inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.run_id IN (SELECT value FROM json_each(?)) ORDER BY i.id`,
      json,
    );
    const inputTagRows =
      inputRows.length === 0
        ? []
        : (db
            .stmt('SELECT input_id, key, value FROM input_tags WHERE input_id IN (SELECT value FROM json_each(?))')
            .values(JSON.stringify(inputRows.map((r) => r.input_id))) as KeyValueRow[]);

    return assembleRuns(ids, rows, { metrics, params, tags, inputs: datasetInputsByRun(inputRows, inputTagRows) });
  });
}
