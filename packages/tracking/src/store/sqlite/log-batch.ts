/**
 * `logBatch`, the primitive write: params (write-once), tags (overwrite) and metric points
 * (append) in one `BEGIN IMMEDIATE` transaction, all or nothing.
 *
 * The metric path is the hot one: metric keys map to cached integer ids, the points of each key
 * go in as one packed block (metric-blocks.ts), and the latest point per key is computed in JS
 * once per batch and written as one upsert per key.
 */
import { invalidParameter } from '../../errors.js';
import type { Metric } from '../../entities/metric.js';
import { compareMetricRecency } from '../../entities/metric.js';
import { paramChangedMessage, type ValidatedBatch } from '../../validation.js';
import type { Db } from './db.js';
import { activeRunRow, upsertRunTag } from './runs.js';
import { metricValueOf } from './run-loader.js';
import { MAX_BLOCK_POINTS, MERGE_BELOW, concatColumns, minMax, packFloat64, unpackFloat64, type PointColumns } from './metric-blocks.js';

interface LatestRow {
  step: number;
  timestamp: number;
  value: number | null;
  ctx_id: number | null;
  last_block: number;
  last_block_n: number;
}

/** Identity of a point for de-duplication: MLflow's SQL store keeps one of equal (step, timestamp, value). */
function pointId(step: number, timestamp: number, value: number): string {
  return `${step}|${timestamp}|${value}`;
}

/** Writes batches for one store; remembers metric-key ids once their transaction committed. */
export class BatchWriter {
  private readonly keyIds = new Map<string, number>();
  constructor(private readonly db: Db) {}

  /** Writes a validated batch to a run atomically. */
  logBatch(runId: string, batch: ValidatedBatch): void {
    const db = this.db;
    const newKeys = new Map<string, number>();
    db.write(() => {
      const run = activeRunRow(db, runId);
      for (const p of batch.params) {
        const r = db.run('INSERT INTO params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING', run.id, p.key, p.value);
        if (r.changes === 0) {
          const old = db.get<{ value: string }>('SELECT value FROM params WHERE run_id = ? AND key = ?', run.id, p.key)!;
          if (old.value !== p.value) throw invalidParameter(paramChangedMessage(p.key, old.value, p.value, runId));
        }
      }
      for (const t of batch.tags) upsertRunTag(db, run.id, t.key, t.value);
      if (batch.metrics.length > 0) this.writeMetrics(run.id, batch.metrics, newKeys);
    });
    for (const [k, id] of newKeys) this.keyIds.set(k, id);
  }

  private keyId(key: string, newKeys: Map<string, number>): number {
    const known = this.keyIds.get(key) ?? newKeys.get(key);
    if (known !== undefined) return known;
    this.db.run('INSERT INTO metric_keys (key) VALUES (?) ON CONFLICT (key) DO NOTHING', key);
    const id = this.db.get<{ id: number }>('SELECT id FROM metric_keys WHERE key = ?', key)!.id;
    newKeys.set(key, id);
    return id;
  }

  private contextId(m: Metric, cache: Map<string, number>): number | null {
    if (m.datasetName === undefined && m.datasetDigest === undefined && m.modelId === undefined) return null;
    const parts = [m.datasetName ?? '', m.datasetDigest ?? '', m.modelId ?? ''] as const;
    const cacheKey = parts.join('\u0000');
    const known = cache.get(cacheKey);
    if (known !== undefined) return known;
    this.db.run('INSERT INTO metric_contexts (dataset_name, dataset_digest, model_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', ...parts);
    const id = this.db.get<{ id: number }>('SELECT id FROM metric_contexts WHERE dataset_name = ? AND dataset_digest = ? AND model_id = ?', ...parts)!.id;
    cache.set(cacheKey, id);
    return id;
  }

  /**
   * Appends the points of each key as one block (or merges them into the key's small last
   * block) and updates the key's latest point. Exact duplicates of a stored point, or of an
   * earlier point in the batch, are skipped; a point newer than every stored one cannot be a
   * duplicate, so in-order logging never reads the history.
   */
  private writeMetrics(runRowId: number, metrics: readonly Metric[], newKeys: Map<string, number>): void {
    const db = this.db;
    const groups = new Map<string, Metric[]>();
    for (const m of metrics) {
      const g = groups.get(m.key);
      if (g) g.push(m);
      else groups.set(m.key, [m]);
    }
    const contextCache = new Map<string, number>();
    for (const [key, points] of groups) {
      const keyId = this.keyId(key, newKeys);
      const ex = db.get<LatestRow>(
        'SELECT step, timestamp, value, ctx_id, last_block, last_block_n FROM latest_metrics WHERE run_id = ? AND key_id = ?',
        runRowId,
        keyId,
      );
      let max: Metric | undefined = ex ? { key, step: ex.step, timestamp: ex.timestamp, value: metricValueOf(ex.value) } : undefined;
      let maxCtx = ex?.ctx_id ?? null;
      let seen: Set<string> | undefined;
      const n = points.length;
      const cols: PointColumns = { steps: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n), contexts: undefined };
      let count = 0;
      for (const m of points) {
        if (max !== undefined && compareMetricRecency(m, max) <= 0) {
          seen ??= this.storedPointIds(runRowId, keyId, cols, count);
          const id = pointId(m.step, m.timestamp, m.value);
          if (seen.has(id)) continue;
          seen.add(id);
        } else if (seen) {
          seen.add(pointId(m.step, m.timestamp, m.value));
        }
        const ctx = this.contextId(m, contextCache);
        if (ctx !== null) (cols.contexts ??= new Float64Array(n))[count] = ctx;
        cols.steps[count] = m.step;
        cols.timestamps[count] = m.timestamp;
        cols.values[count] = m.value;
        count++;
        if (max === undefined || compareMetricRecency(m, max) > 0) {
          max = m;
          maxCtx = ctx;
        }
      }
      if (count === 0) continue;
      const block = count === n ? cols : sliceColumns(cols, count);
      const [blockId, blockN] = this.appendBlock(runRowId, keyId, block, ex);
      db.run(
        `INSERT INTO latest_metrics (run_id, key_id, step, timestamp, value, ctx_id, last_block, last_block_n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, key_id) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value,
           ctx_id = excluded.ctx_id, last_block = excluded.last_block, last_block_n = excluded.last_block_n`,
        runRowId,
        keyId,
        max!.step,
        max!.timestamp,
        Number.isNaN(max!.value) ? null : max!.value, // NaN is NULL in latest_metrics
        maxCtx,
        blockId,
        blockN,
      );
    }
  }

  /** Ids of every stored point of a key plus the first `count` points of `pending`. */
  private storedPointIds(runRowId: number, keyId: number, pending: PointColumns, count: number): Set<string> {
    const seen = new Set<string>();
    const rows = this.db
      .stmt('SELECT steps, timestamps, vals FROM metric_blocks WHERE run_id = ? AND key_id = ? ORDER BY id')
      .values(runRowId, keyId) as [Uint8Array, Uint8Array, Uint8Array][];
    for (const [s, t, v] of rows) {
      const steps = unpackFloat64(s);
      const timestamps = unpackFloat64(t);
      const values = unpackFloat64(v);
      for (let i = 0; i < steps.length; i++) seen.add(pointId(steps[i]!, timestamps[i]!, values[i]!));
    }
    for (let i = 0; i < count; i++) seen.add(pointId(pending.steps[i]!, pending.timestamps[i]!, pending.values[i]!));
    return seen;
  }

  /** Writes a block, merging into the key's last block while that one is small. Returns [block id, its size]. */
  private appendBlock(runRowId: number, keyId: number, cols: PointColumns, ex: LatestRow | undefined): [number, number] {
    const db = this.db;
    if (ex !== undefined && ex.last_block_n < MERGE_BELOW && ex.last_block_n + cols.steps.length <= MAX_BLOCK_POINTS) {
      const last = db.stmt('SELECT steps, timestamps, vals, contexts FROM metric_blocks WHERE id = ?').values(ex.last_block)[0] as
        | [Uint8Array, Uint8Array, Uint8Array, Uint8Array | null]
        | undefined;
      if (last) {
        const merged = concatColumns(
          { steps: unpackFloat64(last[0]), timestamps: unpackFloat64(last[1]), values: unpackFloat64(last[2]), contexts: last[3] ? unpackFloat64(last[3]) : undefined },
          cols,
        );
        const [lo, hi] = minMax(merged.steps);
        db.run(
          'UPDATE metric_blocks SET n = ?, min_step = ?, max_step = ?, steps = ?, timestamps = ?, vals = ?, contexts = ? WHERE id = ?',
          merged.steps.length,
          lo,
          hi,
          packFloat64(merged.steps),
          packFloat64(merged.timestamps),
          packFloat64(merged.values),
          merged.contexts ? packFloat64(merged.contexts) : null,
          ex.last_block,
        );
        return [ex.last_block, merged.steps.length];
      }
    }
    const [lo, hi] = minMax(cols.steps);
    const id = db.run(
      'INSERT INTO metric_blocks (run_id, key_id, n, min_step, max_step, steps, timestamps, vals, contexts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      runRowId,
      keyId,
      cols.steps.length,
      lo,
      hi,
      packFloat64(cols.steps),
      packFloat64(cols.timestamps),
      packFloat64(cols.values),
      cols.contexts ? packFloat64(cols.contexts) : null,
    ).lastInsertRowid;
    return [Number(id), cols.steps.length];
  }
}

function sliceColumns(c: PointColumns, count: number): PointColumns {
  return {
    steps: c.steps.subarray(0, count),
    timestamps: c.timestamps.subarray(0, count),
    values: c.values.subarray(0, count),
    contexts: c.contexts?.subarray(0, count),
  };
}
