/**
 * Builds full {@link Run} objects for many runs at once: one query per table for the whole page
 * (info, latest metrics, params, tags, dataset inputs), never one query per run.
 */
import type { Run, RunInfo } from '../../entities/run.js';
import type { Metric } from '../../entities/metric.js';
import type { Param } from '../../entities/param.js';
import type { RunTag } from '../../entities/tag.js';
import type { DatasetInput } from '../../entities/dataset.js';
import type { LifecycleStage, RunStatus } from '../../entities/enums.js';
import type { Db } from './db.js';

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
    const params = new Map<number, Param[]>();
    const tags = new Map<number, RunTag[]>();
    const inputs = new Map<number, DatasetInput[]>();
    const push = <T>(m: Map<number, T[]>, k: number, v: T) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };

    const latest = db
      .stmt(
        `SELECT lm.run_id, k.key, lm.value, lm.timestamp, lm.step, lm.ctx_id FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id
         WHERE lm.run_id IN (SELECT value FROM json_each(?)) ORDER BY lm.run_id, k.key`,
      )
      .values(json) as [number, string, number | null, number, number, number | null][];
    const contexts = loadContexts(db, latest.filter((r) => r[5] !== null).map((r) => r[5]!));
    for (const [runId, key, value, timestamp, step, ctx] of latest) {
      push(metrics, runId, withContext({ key, value: metricValueOf(value), timestamp, step }, ctx === null ? undefined : contexts.get(ctx)));
    }
    for (const [runId, key, value] of db.stmt('SELECT run_id, key, value FROM params WHERE run_id IN (SELECT value FROM json_each(?))').values(json) as [number, string, string][]) {
      push(params, runId, { key, value });
    }
    for (const [runId, key, value] of db.stmt('SELECT run_id, key, value FROM tags WHERE run_id IN (SELECT value FROM json_each(?))').values(json) as [number, string, string][]) {
      push(tags, runId, { key, value });
    }

    const inputRows = db.all<{ input_id: number; run_id: number; name: string; digest: string; source_type: string; source: string; schema: string | null; profile: string | null }>(
      `SELECT i.id AS input_id, i.run_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
       FROM inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.run_id IN (SELECT value FROM json_each(?)) ORDER BY i.id`,
      json,
    );
    if (inputRows.length > 0) {
      const inputTags = new Map<number, { key: string; value: string }[]>();
      for (const [inputId, key, value] of db
        .stmt('SELECT input_id, key, value FROM input_tags WHERE input_id IN (SELECT value FROM json_each(?))')
        .values(JSON.stringify(inputRows.map((r) => r.input_id))) as [number, string, string][]) {
        push(inputTags, inputId, { key, value });
      }
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
  });
}
