/** Metric history reads: one key of one run, in logged order (`seq`), paged by offset. */
import type { Metric } from '../../entities/metric.js';
import type { PagedList } from '../../entities/paged-list.js';
import { decodePageToken, encodePageToken } from '../../search/page-token.js';
import { validateSearchMaxResults } from '../../validation.js';
import type { MetricHistoryArgs } from '../tracking-store.js';
import type { Db } from './db.js';
import { runRow } from './runs.js';
import { metricOf } from './run-loader.js';

type PointRow = [step: number, timestamp: number, value: number, dn: string | null, dd: string | null, mi: string | null];

/** Every point of one metric of a run, in logged order; paged when `maxResults` is given. */
export async function metricHistory(db: Db, runId: string, key: string, args: MetricHistoryArgs = {}): Promise<PagedList<Metric>> {
  const offset = decodePageToken(args.pageToken);
  const max = args.maxResults;
  if (max !== undefined) validateSearchMaxResults(max, Number.MAX_SAFE_INTEGER, 'max_results');
  return db.read(async (q) => {
    const run = await runRow(q, runId);
    const keyRow = await q.one<{ id: number }>('SELECT id FROM metric_keys WHERE key = $1', [key]);
    if (!keyRow) return { items: [] };
    const paged = max !== undefined || offset > 0;
    const rows = (await q.arrays(
      `SELECT step, timestamp, value, dataset_name, dataset_digest, model_id FROM metrics WHERE run_id = $1 AND key_id = $2 ORDER BY seq` +
        (paged ? ' LIMIT $3 OFFSET $4' : ''),
      paged ? [run.id, keyRow.id, max === undefined ? null : max + 1, offset] : [run.id, keyRow.id],
    )) as PointRow[];
    const more = max !== undefined && rows.length > max;
    const items = (more ? rows.slice(0, max) : rows).map(([step, timestamp, value, dn, dd, mi]) => metricOf(key, value, timestamp, step, dn, dd, mi));
    return more ? { items, nextPageToken: encodePageToken(offset + max) } : { items };
  });
}
