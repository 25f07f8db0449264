import { Float64, TimestampMillisecond, Utf8 } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import { compareMetricRecency, type Metric } from '../entities/metric.js';
import type { Run } from '../entities/run.js';
import { tableFromColumns, type ColumnSpec } from './table-from-columns.js';

/** The run-info columns {@link runsToArrow} writes first, in order. */
export const RUN_INFO_COLUMNS = ['run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time', 'run_name'] as const;

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The latest point of each metric key (a run's data normally holds one per key already). */
function latestMetrics(metrics: readonly Metric[]): Map<string, number> {
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const prev = latest.get(m.key);
    if (prev === undefined || compareMetricRecency(prev, m) <= 0) latest.set(m.key, m);
  }
  return new Map([...latest].map(([k, m]) => [k, m.value]));
}

/** `{key: value}` of key/value pairs; the last of a repeated key wins. */
function record(pairs: readonly { key: string; value: string }[]): Map<string, string> {
  return new Map(pairs.map((p) => [p.key, p.value]));
}

/** One nullable column per key, `prefix.key`, keys sorted. */
function keyedColumns<T>(prefix: string, rows: readonly Map<string, T>[], type: ColumnSpec['type']): ColumnSpec[] {
  const keys = new Set<string>();
  for (const row of rows) for (const k of row.keys()) keys.add(k);
  return [...keys].sort(byCodeUnit).map((k) => ({
    name: `${prefix}.${k}`,
    type,
    nullable: true,
    values: rows.map((row) => (row.has(k) ? row.get(k) : null)),
  }));
}

/**
 * Runs as an Arrow table, lablog's answer to `mlflow.search_runs()` returning a DataFrame.
 *
 * Columns, in MLflow's order:
 * - `run_id`, `experiment_id`, `status`, `artifact_uri` (Utf8), `start_time`, `end_time`
 *   (Timestamp, milliseconds, UTC; `end_time` null while a run has not ended), `run_name`
 *   (Utf8; MLflow's frame has it only as `tags.mlflow.runName`, which is kept too);
 * - `metrics.<key>`: Float64, the run's latest value, NaN and ±Infinity kept, null where the
 *   run has no such metric;
 * - `params.<key>`, then `tags.<key>`: Utf8, null where absent.
 *
 * Keys are sorted within each group (by UTF-16 code units). With no runs, the table has the
 * seven info columns and no rows.
 */
export function runsToArrow(runs: readonly Run[]): Table {
  const info = runs.map((r) => r.info);
  const timestamp = new TimestampMillisecond('UTC');
  const columns: ColumnSpec[] = [
    { name: 'run_id', type: new Utf8(), nullable: false, values: info.map((i) => i.runId) },
    { name: 'experiment_id', type: new Utf8(), nullable: false, values: info.map((i) => i.experimentId) },
    { name: 'status', type: new Utf8(), nullable: false, values: info.map((i) => i.status) },
    { name: 'artifact_uri', type: new Utf8(), nullable: false, values: info.map((i) => i.artifactUri) },
    { name: 'start_time', type: timestamp, nullable: false, values: info.map((i) => i.startTime) },
    { name: 'end_time', type: timestamp, nullable: true, values: info.map((i) => (i.endTime ? i.endTime : null)) },
    { name: 'run_name', type: new Utf8(), nullable: false, values: info.map((i) => i.runName) },
    ...keyedColumns('metrics', runs.map((r) => latestMetrics(r.data.metrics)), new Float64()),
    ...keyedColumns('params', runs.map((r) => record(r.data.params)), new Utf8()),
    ...keyedColumns('tags', runs.map((r) => record(r.data.tags)), new Utf8()),
  ];
  return tableFromColumns(columns);
}
