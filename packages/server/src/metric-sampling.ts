/**
 * MLflow's `metrics/get-history-bulk-interval` (ref §2.5; `get_metric_history_bulk_interval`
 * in mlflow/server/handlers.py and abstract_store.py): one metric of several runs, sampled at
 * no more than `max_results` steps shared by every run, so curves stay comparable.
 *
 * Built on `TrackingStore.getMetricHistory`, as MLflow's abstract store does; a store with a
 * faster path can take this over later.
 */
import { invalidParameter, type Metric, type TrackingStore } from '@lablog/tracking';

/** At most this many runs per request. */
export const MAX_RUNS_GET_METRIC_HISTORY_BULK = 100;
/** Default and maximum `max_results`: sampled steps per request. */
export const MAX_RESULTS_PER_RUN = 2500;
/** At most this many points come back per run. */
export const MAX_RESULTS_GET_METRIC_HISTORY = 25_000;

/** Arguments of {@link getMetricHistoryBulkInterval}. */
export interface BulkIntervalArgs {
  runIds: readonly string[];
  metricKey: string;
  /** Both or neither. */
  startStep?: number;
  endStep?: number;
  /** 1..2500; default 2500. */
  maxResults?: number;
}

/** First index whose value is ≥ x (Python's `bisect_left`). */
function bisectLeft(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x (Python's `bisect_right`). */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The steps to keep out of `allSteps` (sorted, distinct) within `[startStep, endStep]`: all of
 * them when they fit in `maxResults`, else `maxResults` evenly spaced ones plus the last.
 * (MLflow's `_get_sampled_steps_from_steps`; MLflow compares the index with the count of steps
 * in range instead of the range's end, which drops samples when the range starts late — here
 * every index is inside the range by construction.)
 */
export function sampleSteps(allSteps: readonly number[], startStep: number, endStep: number, maxResults: number): Set<number> {
  const startIdx = bisectLeft(allSteps, startStep);
  const endIdx = bisectRight(allSteps, endStep);
  const count = endIdx - startIdx;
  if (count <= maxResults) return new Set(allSteps.slice(startIdx, Math.max(startIdx, endIdx)));
  const interval = count / maxResults;
  const out = new Set<number>();
  for (let i = 0; i < maxResults; i++) out.add(allSteps[startIdx + Math.floor(i * interval)]!);
  out.add(allSteps[endIdx - 1]!);
  return out;
}

/** Checks the request as MLflow's handler does, before any data is read. */
export function validateBulkIntervalArgs(args: BulkIntervalArgs): void {
  if (args.runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
    throw invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${args.runIds.length} run_ids.`,
    );
  }
  const max = args.maxResults ?? MAX_RESULTS_PER_RUN;
  if (max < 1 || max > MAX_RESULTS_PER_RUN) throw invalidParameter(`max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
  const { startStep, endStep } = args;
  if (startStep !== undefined && endStep !== undefined) {
    if (startStep > endStep) {
      throw invalidParameter(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
    }
  } else if (startStep !== undefined || endStep !== undefined) {
    throw invalidParameter('If either start step or end step are specified, both must be specified.');
  }
}

/**
 * The sampled history of one metric across runs: the union of the runs' steps, kept within
 * the range (default `[0, max step]`), sampled down to `maxResults`, plus each run's first and
 * last step in range; then each run's points at those steps ordered by (step, timestamp), at
 * most 25 000 per run, tagged with `runId`.
 */
export async function getMetricHistoryBulkInterval(store: TrackingStore, args: BulkIntervalArgs): Promise<Metric[]> {
  validateBulkIntervalArgs(args);
  const maxResults = args.maxResults ?? MAX_RESULTS_PER_RUN;
  const histories: Metric[][] = [];
  for (const runId of args.runIds) histories.push((await store.getMetricHistory(runId, args.metricKey)).items);

  const stepSet = new Set<number>();
  const minsAndMaxes = new Set<number>();
  for (const history of histories) {
    if (history.length === 0) continue;
    let min = Infinity;
    let max = -Infinity;
    for (const m of history) {
      stepSet.add(m.step);
      if (m.step < min) min = m.step;
      if (m.step > max) max = m.step;
    }
    minsAndMaxes.add(min).add(max);
  }
  const allSteps = [...stepSet].sort((a, b) => a - b);
  const startStep = args.startStep ?? 0;
  const endStep = args.endStep ?? (allSteps.length > 0 ? allSteps[allSteps.length - 1]! : 0);

  const chosen = sampleSteps(allSteps, startStep, endStep, maxResults);
  for (const s of minsAndMaxes) if (s >= startStep && s <= endStep) chosen.add(s);

  const out: Metric[] = [];
  args.runIds.forEach((runId, i) => {
    const points = histories[i]!.filter((m) => chosen.has(m.step)).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
    for (const m of points.slice(0, MAX_RESULTS_GET_METRIC_HISTORY)) out.push({ ...m, runId });
  });
  return out;
}
