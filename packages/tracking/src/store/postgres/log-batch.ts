/**
 * `logBatch`, the primitive write: params (write-once), tags (overwrite) and metric points
 * (append, exact duplicates dropped) in one transaction, all or nothing.
 *
 * Round trips per batch, whatever its size: BEGIN, the run check, one statement per kind
 * present (params, plus one read when a key already existed; tags), three for metrics (read
 * the stored latest points of the batch's keys, insert every point, upsert the latest points),
 * COMMIT. All points of a batch go in as one `INSERT … SELECT FROM unnest($arrays)`.
 *
 * Exact duplicates are dropped by the unique index on (run, key, step, timestamp, value):
 * `ON CONFLICT DO NOTHING` when a point could be a duplicate. A point greater (by step,
 * timestamp, value) than every stored and earlier point of its key cannot be, so a batch made
 * only of such points (in-order logging, the common case) takes a plain INSERT, about twice as
 * fast (no speculative insertion). Should another writer commit one of those very points
 * meanwhile, the unique violation sends the batch once more down the `ON CONFLICT` path.
 *
 * Safe with many writers (several server processes) on one run:
 * - params: `INSERT … ON CONFLICT DO NOTHING`, then the keys that were not inserted are read
 *   back (a fresh statement, so a value committed meanwhile by another writer is seen) and
 *   compared; a different value fails the whole batch;
 * - latest_metrics: an upsert whose `WHERE` only replaces a row by a greater
 *   (step, timestamp, value), evaluated on the locked, current row;
 * - rows are written in key order so concurrent batches lock them in the same order; a
 *   deadlock that remains (replays racing on the same points) is retried by {@link Db.write}.
 */
import { invalidParameter } from '../../errors.js';
import type { Metric } from '../../entities/metric.js';
import { compareMetricRecency } from '../../entities/metric.js';
import type { Tag } from '../../entities/tag.js';
import type { Param } from '../../entities/param.js';
import { paramChangedMessage, type ValidatedBatch } from '../../validation.js';
import { MLFLOW_RUN_NAME } from '../../tags.js';
import { isUniqueViolation, type Db, type Queryable } from './db.js';
import { activeRunRow } from './runs.js';

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Writes batches for one store; caches metric-key ids (keys are never deleted). */
export class BatchWriter {
  private readonly keyIds = new Map<string, number>();
  constructor(private readonly db: Db) {}

  /** Writes a validated batch to a run atomically. */
  async logBatch(runId: string, batch: ValidatedBatch): Promise<void> {
    if (batch.metrics.length === 0 && batch.params.length === 0 && batch.tags.length === 0) {
      await activeRunRow(this.db, runId); // still 404 / INVALID_PARAMETER_VALUE for a bad run
      return;
    }
    // Key ids are created outside the batch transaction: a key row is harmless if the batch fails.
    const keyIds = batch.metrics.length > 0 ? await this.resolveKeys(batch.metrics) : undefined;
    const write = (allowPlainInsert: boolean) =>
      this.db.write(async (q) => {
        const run = await activeRunRow(q, runId);
        if (batch.params.length > 0) await writeParams(q, run.id, runId, batch.params);
        if (batch.tags.length > 0) await writeTags(q, run.id, batch.tags);
        if (keyIds) await writeMetrics(q, run.id, batch.metrics, keyIds, allowPlainInsert);
      });
    try {
      await write(true);
    } catch (e) {
      if (!isUniqueViolation(e, POINT_INDEX)) throw e;
      await write(false); // a concurrent writer stored one of our "new" points first
    }
  }

  /** The id of every key of the batch, creating missing ones. */
  private async resolveKeys(metrics: readonly Metric[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing = new Set<string>();
    for (const m of metrics) {
      const id = this.keyIds.get(m.key);
      if (id === undefined) missing.add(m.key);
      else out.set(m.key, id);
    }
    if (missing.size > 0) {
      const keys = [...missing].sort(); // one lock order for concurrent creators
      await this.db.exec('INSERT INTO metric_keys (key) SELECT unnest($1::text[]) ON CONFLICT (key) DO NOTHING', [keys]);
      for (const r of await this.db.rows<{ id: number; key: string }>('SELECT id, key FROM metric_keys WHERE key = ANY($1::text[])', [keys])) {
        this.keyIds.set(r.key, r.id);
        out.set(r.key, r.id);
      }
    }
    return out;
  }
}

/** Inserts params; an existing key with another value fails the batch (MLflow's message). */
async function writeParams(q: Queryable, runRowId: number, runId: string, params: readonly Param[]): Promise<void> {
  const sorted = [...params].sort(byKey);
  const inserted = await q.rows<{ key: string }>(
    'INSERT INTO params (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS p (k, v) ON CONFLICT (run_id, key) DO NOTHING RETURNING key',
    [runRowId, sorted.map((p) => p.key), sorted.map((p) => p.value)],
  );
  if (inserted.length === sorted.length) return;
  const done = new Set(inserted.map((r) => r.key));
  const existing = sorted.filter((p) => !done.has(p.key));
  const stored = new Map(
    (await q.rows<{ key: string; value: string }>('SELECT key, value FROM params WHERE run_id = $1 AND key = ANY($2::text[])', [runRowId, existing.map((p) => p.key)])).map(
      (r) => [r.key, r.value] as const,
    ),
  );
  for (const p of existing) {
    const old = stored.get(p.key);
    if (old !== undefined && old !== p.value) throw invalidParameter(paramChangedMessage(p.key, old, p.value, runId));
  }
}

/** Upserts tags (last value wins within the batch), keeping the run name in step. */
async function writeTags(q: Queryable, runRowId: number, tags: readonly Tag[]): Promise<void> {
  const last = new Map<string, string>();
  for (const t of tags) last.set(t.key, t.value);
  const keys = [...last.keys()].sort();
  await q.exec(
    'INSERT INTO tags (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t (k, v) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
    [runRowId, keys, keys.map((k) => last.get(k)!)],
  );
  const runName = last.get(MLFLOW_RUN_NAME);
  if (runName !== undefined) await q.exec('UPDATE runs SET name = $1 WHERE id = $2', [runName, runRowId]);
}

const hasContext = (m: Metric) => m.datasetName !== undefined || m.datasetDigest !== undefined || m.modelId !== undefined;

/** The unique index of metric points (exact duplicates). */
const POINT_INDEX = 'metrics_point';

/**
 * Upserts `latest_metrics` from `unnest` arrays: replaces a stored row only by a greater
 * (step, timestamp, value); NaN (NULL) is above every number.
 */
const UPSERT_LATEST = `INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, dataset_name, dataset_digest, model_id)
SELECT $1, k, s, t, v, dn, dd, mi FROM unnest($2::integer[], $3::bigint[], $4::bigint[], $5::double precision[], $6::text[], $7::text[], $8::text[]) AS l (k, s, t, v, dn, dd, mi)
ON CONFLICT (run_id, key_id) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value,
  dataset_name = excluded.dataset_name, dataset_digest = excluded.dataset_digest, model_id = excluded.model_id
WHERE (excluded.step, excluded.timestamp, excluded.value IS NULL, coalesce(excluded.value, 0))
    > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value IS NULL, coalesce(latest_metrics.value, 0))`;

const INSERT_POINTS = `INSERT INTO metrics (run_id, key_id, step, timestamp, value)
SELECT $1, k, s, t, v FROM unnest($2::integer[], $3::bigint[], $4::bigint[], $5::double precision[]) AS p (k, s, t, v)`;
const INSERT_POINTS_WITH_CONTEXT = `INSERT INTO metrics (run_id, key_id, step, timestamp, value, dataset_name, dataset_digest, model_id)
SELECT $1, k, s, t, v, dn, dd, mi FROM unnest($2::integer[], $3::bigint[], $4::bigint[], $5::double precision[], $6::text[], $7::text[], $8::text[]) AS p (k, s, t, v, dn, dd, mi)`;
const SKIP_DUPLICATES = ' ON CONFLICT DO NOTHING';

/**
 * Appends the points (exact duplicates of stored or earlier points dropped) and updates each
 * key's latest point. `allowPlainInsert` lets a batch of only new points skip `ON CONFLICT`.
 */
async function writeMetrics(q: Queryable, runRowId: number, metrics: readonly Metric[], keyIds: Map<string, number>, allowPlainInsert: boolean): Promise<void> {
  const n = metrics.length;
  const k = new Array<number>(n);
  for (let i = 0; i < n; i++) k[i] = keyIds.get(metrics[i]!.key)!;
  const batchKeys = [...new Set(k)].sort((a, b) => a - b);
  // The stored latest point per key: anything above it (and above the batch's earlier points) is new.
  const latest = new Map<number, Metric>();
  let onlyNew = allowPlainInsert;
  if (onlyNew) {
    const stored = await q.arrays('SELECT key_id, step, timestamp, value FROM latest_metrics WHERE run_id = $1 AND key_id = ANY($2::integer[])', [runRowId, batchKeys]);
    for (const [id, step, timestamp, value] of stored as [number, number, number, number | null][]) {
      latest.set(id, { key: '', step, timestamp, value: value === null ? NaN : value });
    }
  }
  const best = new Map<number, Metric>(); // the batch's own max per key, for latest_metrics
  let context = false;
  for (let i = 0; i < n; i++) {
    const m = metrics[i]!;
    const above = latest.get(k[i]!);
    if (above === undefined || compareMetricRecency(m, above) > 0) latest.set(k[i]!, m);
    else onlyNew = false;
    const b = best.get(k[i]!);
    if (b === undefined || compareMetricRecency(m, b) > 0) best.set(k[i]!, m);
    if (!context && hasContext(m)) context = true;
  }
  const cols = [runRowId, k, metrics.map((m) => m.step), metrics.map((m) => m.timestamp), metrics.map((m) => m.value)];
  const suffix = onlyNew ? '' : SKIP_DUPLICATES;
  if (context) {
    await q.exec(INSERT_POINTS_WITH_CONTEXT + suffix, [
      ...cols,
      metrics.map((m) => m.datasetName ?? null),
      metrics.map((m) => m.datasetDigest ?? null),
      metrics.map((m) => m.modelId ?? null),
    ]);
  } else {
    await q.exec(INSERT_POINTS + suffix, cols);
  }
  const lm = batchKeys.map((id) => best.get(id)!); // key order: one lock order for concurrent writers
  await q.exec(UPSERT_LATEST, [
    runRowId,
    batchKeys,
    lm.map((m) => m.step),
    lm.map((m) => m.timestamp),
    lm.map((m) => (Number.isNaN(m.value) ? null : m.value)), // NaN is NULL in latest_metrics
    lm.map((m) => m.datasetName ?? null),
    lm.map((m) => m.datasetDigest ?? null),
    lm.map((m) => m.modelId ?? null),
  ]);
}
