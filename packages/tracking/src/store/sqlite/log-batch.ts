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
import { PointSet } from './point-set.js';

interface LatestRow {
  step: number;
  timestamp: number;
  value: number | null;
  ctx_id: number | null;
  last_block: number;
  last_block_n: number;
}

/**
 * The last block of a (run, key) as this writer last committed it: its columns (to merge small
 * writes into it without reading it back) and, once needed, its points as a set (to check
 * duplicates against it without decoding it again). Valid while the key's `latest_metrics` row
 * still names this block with this size: block ids are never reused (AUTOINCREMENT, blocks are
 * never deleted) and a block only grows by appending, so (id, n) pins its content, also when
 * other processes write to the same file.
 */
interface LastBlock {
  blockId: number;
  n: number;
  cols: PointColumns;
  points: PointSet | undefined;
}

/** (run, key) pairs whose last block is kept (up to ~64 KB each): bounds the cache at a few MB. */
const MAX_CACHED_BLOCKS = 128;

/** Writes batches for one store; remembers metric-key ids once their transaction committed. */
export class BatchWriter {
  private readonly keyIds = new Map<string, number>();
  private readonly lastBlocks = new Map<string, LastBlock>();
  constructor(private readonly db: Db) {}

  /** Writes a validated batch to a run atomically. */
  logBatch(runId: string, batch: ValidatedBatch): void {
    const db = this.db;
    const newKeys = new Map<string, number>();
    const newBlocks = new Map<string, LastBlock>();
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
      if (batch.metrics.length > 0) this.writeMetrics(run.id, batch.metrics, newKeys, newBlocks);
    });
    // Only what committed is remembered (an enclosing transaction could still roll back).
    if (db.driver.inTransaction) return;
    for (const [k, id] of newKeys) this.keyIds.set(k, id);
    for (const [k, b] of newBlocks) {
      this.lastBlocks.delete(k); // re-inserted last: the map's order is least recently written first
      this.lastBlocks.set(k, b);
    }
    while (this.lastBlocks.size > MAX_CACHED_BLOCKS) this.lastBlocks.delete(this.lastBlocks.keys().next().value!);
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
   * earlier point in the batch, are skipped.
   *
   * A point newer than every stored one cannot be a stored duplicate, and one newer than every
   * earlier point of the batch cannot be a batch duplicate, so in-order logging checks nothing.
   * Otherwise (e.g. no step, several points in one millisecond) a point is checked against the
   * batch's earlier points and against the stored blocks whose step and timestamp ranges could
   * hold it: for in-order logging only the last block, which this writer keeps in memory. The
   * cost per point stays constant however long the history grows.
   */
  private writeMetrics(runRowId: number, metrics: readonly Metric[], newKeys: Map<string, number>, newBlocks: Map<string, LastBlock>): void {
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
      const cacheKey = `${runRowId}:${keyId}`;
      const ex = db.get<LatestRow>(
        'SELECT step, timestamp, value, ctx_id, last_block, last_block_n FROM latest_metrics WHERE run_id = ? AND key_id = ?',
        runRowId,
        keyId,
      );
      let cached = ex === undefined ? undefined : this.lastBlocks.get(cacheKey);
      if (cached !== undefined && (cached.blockId !== ex!.last_block || cached.n !== ex!.last_block_n)) cached = undefined;
      const storedLatest: Metric | undefined = ex ? { key, step: ex.step, timestamp: ex.timestamp, value: metricValueOf(ex.value) } : undefined;
      let max = storedLatest;
      let maxCtx = ex?.ctx_id ?? null;
      let stored: PointSet[] | undefined; // the stored points that could equal a point of this batch
      let inBatch: PointSet | undefined; // the points of this batch kept so far, once one needs checking
      const n = points.length;
      const cols: PointColumns = { steps: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n), contexts: undefined };
      let count = 0;
      for (const m of points) {
        const newest = max === undefined || compareMetricRecency(m, max) > 0;
        if (!newest) {
          if (storedLatest !== undefined && compareMetricRecency(m, storedLatest) <= 0) {
            stored ??= this.storedCandidates(runRowId, keyId, points, storedLatest, cached);
            if (containsPoint(stored, m)) continue;
          }
          inBatch ??= PointSet.of(cols.steps, cols.timestamps, cols.values, count, n);
          if (!inBatch.add(m.step, m.timestamp, m.value)) continue;
        } else if (inBatch) {
          inBatch.add(m.step, m.timestamp, m.value);
        }
        const ctx = this.contextId(m, contextCache);
        if (ctx !== null) (cols.contexts ??= new Float64Array(n))[count] = ctx;
        cols.steps[count] = m.step;
        cols.timestamps[count] = m.timestamp;
        cols.values[count] = m.value;
        count++;
        if (newest) {
          max = m;
          maxCtx = ctx;
        }
      }
      if (count === 0) continue;
      const block = count === n ? cols : sliceColumns(cols, count);
      const written = this.appendBlock(runRowId, keyId, block, ex, cached);
      // A new block holds exactly the batch's kept points, so their set (if built) is the block's.
      newBlocks.set(cacheKey, { ...written, points: written.cols === block ? inBatch : undefined });
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
        written.blockId,
        written.n,
      );
    }
  }

  /**
   * The stored points of a key that some point of `points` not newer than the stored latest one
   * could equal, as sets: the blocks whose step and timestamp ranges hold such a point, found in
   * the covering index `metric_blocks_ranges` (no block data read), then decoded — except the
   * last block when this writer has it in memory.
   */
  private storedCandidates(runRowId: number, keyId: number, points: readonly Metric[], storedLatest: Metric, cached: LastBlock | undefined): PointSet[] {
    const old: Metric[] = [];
    let s0 = Infinity;
    let s1 = -Infinity;
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const m of points) {
      if (compareMetricRecency(m, storedLatest) > 0) continue;
      old.push(m);
      if (m.step < s0) s0 = m.step;
      if (m.step > s1) s1 = m.step;
      if (m.timestamp < t0) t0 = m.timestamp;
      if (m.timestamp > t1) t1 = m.timestamp;
    }
    const blocks = this.db
      .stmt(
        `SELECT id, min_step, max_step, min_ts, max_ts FROM metric_blocks INDEXED BY metric_blocks_ranges
         WHERE run_id = ? AND key_id = ? AND max_ts >= ? AND min_ts <= ? AND max_step >= ? AND min_step <= ?`,
      )
      .values(runRowId, keyId, t0, t1, s0, s1) as [id: number, minStep: number, maxStep: number, minTs: number, maxTs: number][];
    // The box around all old points may cover blocks that hold none of them: skip those, unless
    // checking would cost more than it saves.
    const filter = blocks.length > 1 && blocks.length * old.length <= 100_000;
    const sets: PointSet[] = [];
    let rest: PointSet | undefined;
    for (const [id, minStep, maxStep, minTs, maxTs] of blocks) {
      if (filter && !old.some((m) => m.step >= minStep && m.step <= maxStep && m.timestamp >= minTs && m.timestamp <= maxTs)) continue;
      if (cached !== undefined && id === cached.blockId) {
        sets.push((cached.points ??= PointSet.of(cached.cols.steps, cached.cols.timestamps, cached.cols.values)));
        continue;
      }
      const row = this.db.stmt('SELECT steps, timestamps, vals FROM metric_blocks WHERE id = ?').values(id)[0] as [Uint8Array, Uint8Array, Uint8Array] | undefined;
      if (!row) continue;
      const steps = unpackFloat64(row[0]);
      const timestamps = unpackFloat64(row[1]);
      const values = unpackFloat64(row[2]);
      rest ??= new PointSet(steps.length);
      for (let i = 0; i < steps.length; i++) rest.add(steps[i]!, timestamps[i]!, values[i]!);
    }
    if (rest) sets.push(rest);
    return sets;
  }

  /** Writes a block, merging into the key's last block while that one is small. Returns the block as written. */
  private appendBlock(runRowId: number, keyId: number, cols: PointColumns, ex: LatestRow | undefined, cached: LastBlock | undefined): Omit<LastBlock, 'points'> {
    const db = this.db;
    if (ex !== undefined && ex.last_block_n < MERGE_BELOW && ex.last_block_n + cols.steps.length <= MAX_BLOCK_POINTS) {
      let last = cached?.cols;
      if (last === undefined) {
        const row = db.stmt('SELECT steps, timestamps, vals, contexts FROM metric_blocks WHERE id = ?').values(ex.last_block)[0] as
          | [Uint8Array, Uint8Array, Uint8Array, Uint8Array | null]
          | undefined;
        if (row) last = { steps: unpackFloat64(row[0]), timestamps: unpackFloat64(row[1]), values: unpackFloat64(row[2]), contexts: row[3] ? unpackFloat64(row[3]) : undefined };
      }
      if (last) {
        const merged = concatColumns(last, cols);
        const [lo, hi] = minMax(merged.steps);
        const [tlo, thi] = minMax(merged.timestamps);
        db.run(
          'UPDATE metric_blocks SET n = ?, min_step = ?, max_step = ?, min_ts = ?, max_ts = ?, steps = ?, timestamps = ?, vals = ?, contexts = ? WHERE id = ?',
          merged.steps.length,
          lo,
          hi,
          tlo,
          thi,
          packFloat64(merged.steps),
          packFloat64(merged.timestamps),
          packFloat64(merged.values),
          merged.contexts ? packFloat64(merged.contexts) : null,
          ex.last_block,
        );
        return { blockId: ex.last_block, n: merged.steps.length, cols: merged };
      }
    }
    const [lo, hi] = minMax(cols.steps);
    const [tlo, thi] = minMax(cols.timestamps);
    const id = db.run(
      'INSERT INTO metric_blocks (run_id, key_id, n, min_step, max_step, min_ts, max_ts, steps, timestamps, vals, contexts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      runRowId,
      keyId,
      cols.steps.length,
      lo,
      hi,
      tlo,
      thi,
      packFloat64(cols.steps),
      packFloat64(cols.timestamps),
      packFloat64(cols.values),
      cols.contexts ? packFloat64(cols.contexts) : null,
    ).lastInsertRowid;
    return { blockId: Number(id), n: cols.steps.length, cols };
  }
}

function containsPoint(sets: readonly PointSet[], m: Metric): boolean {
  for (const s of sets) if (s.has(m.step, m.timestamp, m.value)) return true;
  return false;
}

function sliceColumns(c: PointColumns, count: number): PointColumns {
  return {
    steps: c.steps.subarray(0, count),
    timestamps: c.timestamps.subarray(0, count),
    values: c.values.subarray(0, count),
    contexts: c.contexts?.subarray(0, count),
  };
}
