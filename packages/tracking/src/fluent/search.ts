/** Reading runs back through the fluent API: the run, metric histories, and run search (typed or Arrow). */
import type { Table } from 'apache-arrow';
import type { Run } from '../entities/run.js';
import type { Metric } from '../entities/metric.js';
import type { ViewType } from '../entities/enums.js';
import { invalidParameter } from '../errors.js';
import { asyncLoggerFor } from '../logging/config.js';
import { runsToArrow } from '../arrow/index.js';
import type { TrackingClient } from '../client/tracking-client.js';
import { currentClient, topRun } from './state.js';
import { resolveExperimentId } from './runs.js';

/**
 * A run as stored now; default: the active run. Writes queued for that run are flushed first,
 * so the result includes what this process logged (read your writes).
 */
export async function getRun(runId?: string): Promise<Run> {
  const { client, id } = await target(runId);
  await flushQueued(client, id);
  return client.getRun(id);
}

/** Every point of a metric; default: of the active run. Flushes that run's queue first. */
export async function getMetricHistory(key: string, runId?: string): Promise<Metric[]> {
  const { client, id } = await target(runId);
  await flushQueued(client, id);
  return client.getMetricHistory(id, key);
}

/** Options of {@link searchRuns}. */
export interface FluentSearchRunsOptions {
  /** Default: the active experiment (or `MLFLOW_EXPERIMENT_NAME`/`_ID`, or `0`). */
  experimentIds?: readonly string[];
  /** Experiments by name, added to `experimentIds`; unknown names are skipped. */
  experimentNames?: readonly string[];
  /** MLflow filter, e.g. `metrics.acc > 0.9 and params.lr = '0.01'`. */
  filter?: string;
  /** e.g. `['metrics.acc DESC']`. */
  orderBy?: readonly string[];
  /** Default: 100 000 (MLflow's fluent default). */
  maxResults?: number;
  /** ACTIVE_ONLY (default), DELETED_ONLY, ALL. */
  runViewType?: ViewType;
  /** `runs` (default): typed {@link Run} objects; `arrow`: one Arrow table, a row per run. */
  output?: 'runs' | 'arrow';
}

/** MLflow's fluent `search_runs` default for `max_results`. */
export const FLUENT_SEARCH_MAX_RESULTS = 100_000;

/** Searches runs as typed {@link Run} objects (all pages, up to `maxResults`). */
export function searchRuns(options?: FluentSearchRunsOptions & { output?: 'runs' }): Promise<Run[]>;
/** Searches runs into an Arrow table. */
export function searchRuns(options: FluentSearchRunsOptions & { output: 'arrow' }): Promise<Table>;
export async function searchRuns(options: FluentSearchRunsOptions = {}): Promise<Run[] | Table> {
  const client = currentClient();
  await asyncLoggerFor(client.store).flushQueued();
  const ids = [...(options.experimentIds ?? [])];
  for (const name of options.experimentNames ?? []) {
    const exp = await client.getExperimentByName(name);
    if (exp) ids.push(exp.experimentId);
  }
  if (options.experimentIds === undefined && options.experimentNames === undefined) ids.push(await resolveExperimentId(client));
  const args = {
    filter: options.filter,
    orderBy: options.orderBy,
    runViewType: options.runViewType,
    maxResults: options.maxResults ?? FLUENT_SEARCH_MAX_RESULTS,
  };
  if (ids.length === 0) return options.output === 'arrow' ? runsToArrow([]) : [];
  return options.output === 'arrow' ? client.searchRunsArrow(ids, args) : client.searchRuns(ids, args);
}

async function target(runId: string | undefined): Promise<{ client: TrackingClient; id: string }> {
  if (runId !== undefined) {
    const top = topRun();
    return { client: top?.client ?? currentClient(), id: runId };
  }
  const top = topRun();
  if (!top) throw invalidParameter('No active run: pass a run id, or start a run first.');
  await top.ready;
  return { client: top.client, id: top.runId };
}

async function flushQueued(client: TrackingClient, runId: string): Promise<void> {
  await asyncLoggerFor(client.store).flushQueued(runId);
}
