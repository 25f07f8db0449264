/**
 * lablog's spike-preserving variant of `metrics/get-history-bulk-interval`: same request and
 * response as MLflow's (ref §2.5, metric-sampling.ts), but each run is sampled by value, not
 * by step, so a one-step spike in a long history survives downsampling.
 *
 * Algorithm, per run (runs are independent: the chosen steps depend on each run's values):
 * 1. keep the run's points whose step lies in `[start_step, end_step]` (default `[0, max step
 *    over all requested runs]`, as MLflow's);
 * 2. if at most `max_results` points remain, return them all;
 * 3. otherwise split the run's step range `[lo, hi]` (its first and last step in range) into
 *    `B = max(1, floor(max_results / 2))` buckets of equal step width, and keep, per non-empty
 *    bucket, the point with the smallest value and the one with the largest (one point when
 *    they coincide); NaN values are never a bucket's min or max, but a bucket of only NaNs keeps
 *    its first point;
 * 4. add the run's first and last point in range (by step, then timestamp);
 * 5. return the kept points ordered by (step, timestamp), tagged with the run id.
 * So at most `max_results + 2` points come back per run, and every local extreme that is a
 * bucket's extreme — in particular the global min and max — is among them.
 *
 * Argument checks and messages are MLflow's ({@link validateBulkIntervalArgs}).
 */
import type { Metric, TrackingStore } from '@lablog/tracking';
import { MAX_RESULTS_PER_RUN, validateBulkIntervalArgs, type BulkIntervalArgs } from './metric-sampling.js';

function byStepThenTime(a: Metric, b: Metric): number {
  return a.step - b.step || a.timestamp - b.timestamp;
}

/**
 * Samples one run's points (already in range) down to about `maxResults`, keeping each
 * bucket's min- and max-valued points plus the first and last. Returns them sorted by
 * (step, timestamp). Pure, for tests.
 */
export function sampleMinMax(points: readonly Metric[], maxResults: number): Metric[] {
  const sorted = [...points].sort(byStepThenTime);
  if (sorted.length <= maxResults) return sorted;
  const buckets = Math.max(1, Math.floor(maxResults / 2));
  const lo = sorted[0]!.step;
  const hi = sorted[sorted.length - 1]!.step;
  const width = (hi - lo + 1) / buckets;
  const minIdx = new Array<number>(buckets).fill(-1);
  const maxIdx = new Array<number>(buckets).fill(-1);
  const firstIdx = new Array<number>(buckets).fill(-1);
  sorted.forEach((m, i) => {
    const b = Math.min(buckets - 1, Math.floor((m.step - lo) / width));
    if (firstIdx[b] === -1) firstIdx[b] = i;
    if (Number.isNaN(m.value)) return;
    if (minIdx[b] === -1 || m.value < sorted[minIdx[b]!]!.value) minIdx[b] = i;
    if (maxIdx[b] === -1 || m.value > sorted[maxIdx[b]!]!.value) maxIdx[b] = i;
  });
  const keep = new Set<number>([0, sorted.length - 1]);
  for (let b = 0; b < buckets; b++) {
    if (minIdx[b] !== -1) keep.add(minIdx[b]!).add(maxIdx[b]!);
    else if (firstIdx[b] !== -1) keep.add(firstIdx[b]!);
  }
  return [...keep].sort((a, b) => a - b).map((i) => sorted[i]!);
}

/**
 * One metric of several runs, each sampled with {@link sampleMinMax}; points tagged with
 * `runId`, runs in request order.
 * @throws LablogError INVALID_PARAMETER_VALUE for MLflow's argument errors (too many runs,
 *   `max_results` out of 1..2500, one-sided or inverted step range).
 */
export async function getMetricHistoryBulkIntervalMinMax(store: TrackingStore, args: BulkIntervalArgs): Promise<Metric[]> {
  validateBulkIntervalArgs(args);
  const maxResults = args.maxResults ?? MAX_RESULTS_PER_RUN;
  const histories: Metric[][] = [];
  for (const runId of args.runIds) histories.push((await store.getMetricHistory(runId, args.metricKey)).items);
  let maxStep = 0;
  let any = false;
  for (const h of histories) {
    for (const m of h) {
      if (!any || m.step > maxStep) maxStep = m.step;
      any = true;
    }
  }
  const startStep = args.startStep ?? 0;
  const endStep = args.endStep ?? maxStep;
  const out: Metric[] = [];
  args.runIds.forEach((runId, i) => {
    const inRange = histories[i]!.filter((m) => m.step >= startStep && m.step <= endStep);
    for (const m of sampleMinMax(inRange, maxResults)) out.push({ ...m, runId });
  });
  return out;
}
