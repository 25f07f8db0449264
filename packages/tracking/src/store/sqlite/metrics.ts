/** Metric history reads: the key's blocks in write order, decoded from packed float64 columns. */
import type { Metric } from '../../entities/metric.js';
import type { PagedList } from '../../entities/paged-list.js';
import { decodePageToken, encodePageToken } from '../../search/page-token.js';
import { validateSearchMaxResults } from '../../validation.js';
import type { MetricHistoryArgs } from '../tracking-store.js';
import type { Db } from './db.js';
import { runRow } from './runs.js';
import { loadContexts, withContext } from './run-loader.js';
import { unpackFloat64 } from './metric-blocks.js';

type BlockRow = [n: number, steps: Uint8Array, timestamps: Uint8Array, values: Uint8Array, contexts: Uint8Array | null];

/** Every point of one metric of a run, in logged order; paged when `maxResults` is given. */
export function metricHistory(db: Db, runId: string, key: string, args: MetricHistoryArgs = {}): PagedList<Metric> {
  const offset = decodePageToken(args.pageToken);
  const max = args.maxResults;
  if (max !== undefined) validateSearchMaxResults(max, Number.MAX_SAFE_INTEGER, 'max_results');
  return db.read(() => {
    const run = runRow(db, runId);
    const keyRow = db.get<{ id: number }>('SELECT id FROM metric_keys WHERE key = ?', key);
    if (!keyRow) return { items: [] };
    let blocks: BlockRow[];
    let skip = offset; // points to drop from the first block read
    let total = Infinity;
    if (max === undefined && offset === 0) {
      blocks = db.stmt('SELECT n, steps, timestamps, vals, contexts FROM metric_blocks WHERE run_id = ? AND key_id = ? ORDER BY id').values(run.id, keyRow.id) as BlockRow[];
    } else {
      // Find the blocks covering [offset, offset + max] from their sizes, then read only those.
      const sizes = db.stmt('SELECT id, n FROM metric_blocks WHERE run_id = ? AND key_id = ? ORDER BY id').values(run.id, keyRow.id) as [number, number][];
      total = sizes.reduce((a, [, n]) => a + n, 0);
      let first = -1;
      let last = -1;
      let before = 0;
      for (let i = 0; i < sizes.length; i++) {
        const n = sizes[i]![1];
        if (first === -1 && before + n > offset) {
          first = i;
          skip = offset - before;
        }
        if (first !== -1) {
          last = i;
          if (max !== undefined && before + n >= offset + max) break;
        }
        before += n;
      }
      blocks =
        first === -1
          ? []
          : (db
              .stmt('SELECT n, steps, timestamps, vals, contexts FROM metric_blocks WHERE run_id = ? AND key_id = ? AND id BETWEEN ? AND ? ORDER BY id')
              .values(run.id, keyRow.id, sizes[first]![0], sizes[last]![0]) as BlockRow[]);
    }
    const items = decode(db, key, blocks, skip, max ?? Infinity);
    const more = max !== undefined && offset + items.length < total;
    return more ? { items, nextPageToken: encodePageToken(offset + items.length) } : { items };
  });
}

function decode(db: Db, key: string, blocks: BlockRow[], skip: number, limit: number): Metric[] {
  let size = 0;
  for (const b of blocks) size += b[0];
  const items: Metric[] = new Array(Math.max(0, Math.min(size - skip, limit)));
  let o = 0;
  let withCtx: [index: number, ctx: number][] | undefined;
  for (const [n, s, t, v, c] of blocks) {
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const steps = unpackFloat64(s);
    const timestamps = unpackFloat64(t);
    const values = unpackFloat64(v);
    const contexts = c ? unpackFloat64(c) : undefined;
    for (let i = skip; i < n && o < items.length; i++) {
      if (contexts && contexts[i]! > 0) (withCtx ??= []).push([o, contexts[i]!]);
      items[o++] = { key, value: values[i]!, timestamp: timestamps[i]!, step: steps[i]! };
    }
    skip = 0;
  }
  if (withCtx) {
    const contexts = loadContexts(db, withCtx.map(([, c]) => c));
    for (const [i, c] of withCtx) items[i] = withContext({ ...items[i]! }, contexts.get(c));
  }
  return items;
}
