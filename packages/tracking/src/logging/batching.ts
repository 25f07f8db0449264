/**
 * Cutting writes into `logBatch` calls within MLflow's limits (ref §5.1): at most 1000 metrics,
 * 100 params, 100 tags and 1000 entities in all per call.
 */
import type { Metric } from '../entities/metric.js';
import type { Param } from '../entities/param.js';
import type { RunTag } from '../entities/tag.js';
import type { LogBatchArgs } from '../store/tracking-store.js';
import { MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH } from '../validation.js';

/** A queued param (`kind` 0) or tag (`kind` 1), in call order. */
export interface PendingParamOrTag {
  readonly kind: 0 | 1;
  readonly key: string;
  readonly value: string;
}

/**
 * Merges queued params and tags (in call order) into as few batches as the limits allow, keeping
 * MLflow's semantics:
 * - a tag set several times keeps its last value (tags overwrite, so only the last one counts);
 * - a param repeated with the same value is written once (MLflow treats it as a no-op, but a
 *   batch holding the key twice would be rejected as a duplicate);
 * - a param repeated with another value goes into a later batch than its first value, so the
 *   store raises its usual "Changing param values is not allowed" error for that write only.
 */
export function paramTagBatches(entries: readonly PendingParamOrTag[]): LogBatchArgs[] {
  const params = new Map<string, string>();
  const tags = new Map<string, string>();
  const conflicts: PendingParamOrTag[] = [];
  for (const e of entries) {
    if (e.kind === 1) {
      tags.set(e.key, e.value);
      continue;
    }
    const prior = params.get(e.key);
    if (prior === undefined) params.set(e.key, e.value);
    else if (prior !== e.value) conflicts.push(e);
  }
  const p = [...params].map(([key, value]): Param => ({ key, value }));
  const t = [...tags].map(([key, value]): RunTag => ({ key, value }));
  const out: LogBatchArgs[] = [];
  for (let i = 0; i < p.length || i < t.length; i += MAX_PARAMS_TAGS_PER_BATCH) {
    out.push({ params: p.slice(i, i + MAX_PARAMS_TAGS_PER_BATCH), tags: t.slice(i, i + MAX_PARAMS_TAGS_PER_BATCH) });
  }
  if (conflicts.length > 0) out.push(...paramTagBatches(conflicts));
  return out;
}

/**
 * Splits one caller-supplied batch the way MLflow's client does (`log_batch` in
 * mlflow/tracking/_tracking_service/client.py): params and tags 100 at a time, each chunk
 * topped up with metrics to 1000 entities, then the remaining metrics 1000 at a time.
 * A batch within the limits comes back unchanged, as one call (so it stays atomic).
 */
export function chunkBatch(batch: LogBatchArgs): LogBatchArgs[] {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  if (
    metrics.length <= MAX_METRICS_PER_BATCH &&
    params.length <= MAX_PARAMS_TAGS_PER_BATCH &&
    tags.length <= MAX_PARAMS_TAGS_PER_BATCH &&
    metrics.length + params.length + tags.length <= MAX_ENTITIES_PER_BATCH
  ) {
    return [{ metrics, params, tags }];
  }
  const out: LogBatchArgs[] = [];
  let m = 0;
  const n = Math.max(Math.ceil(params.length / MAX_PARAMS_TAGS_PER_BATCH), Math.ceil(tags.length / MAX_PARAMS_TAGS_PER_BATCH));
  for (let i = 0; i < n; i++) {
    const p = params.slice(i * MAX_PARAMS_TAGS_PER_BATCH, (i + 1) * MAX_PARAMS_TAGS_PER_BATCH);
    const t = tags.slice(i * MAX_PARAMS_TAGS_PER_BATCH, (i + 1) * MAX_PARAMS_TAGS_PER_BATCH);
    const room = Math.max(0, Math.min(MAX_ENTITIES_PER_BATCH - p.length - t.length, MAX_METRICS_PER_BATCH));
    const ms = metrics.slice(m, m + room);
    m += ms.length;
    out.push({ metrics: ms, params: p, tags: t });
  }
  for (const ms of metricChunks(metrics, MAX_METRICS_PER_BATCH, m)) out.push({ metrics: ms, params: [], tags: [] });
  return out;
}

/** Yields `metrics` from `start` in slices of at most `size` (≤ 1000). */
export function* metricChunks(metrics: readonly Metric[], size = MAX_METRICS_PER_BATCH, start = 0): Generator<Metric[]> {
  const n = Math.min(size, MAX_METRICS_PER_BATCH);
  for (let i = start; i < metrics.length; i += n) yield metrics.slice(i, i + n);
}
