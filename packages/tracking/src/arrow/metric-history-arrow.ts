import { Float64, Int64, TimestampMillisecond, Utf8 } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import type { Metric } from '../entities/metric.js';
import { invalidParameter } from '../errors.js';
import { tableFromColumns, type ColumnSpec } from './table-from-columns.js';

/** Optional metric fields and the Utf8 column each becomes. */
const OPTIONAL_COLUMNS = [
  ['run_id', 'runId'],
  ['dataset_name', 'datasetName'],
  ['dataset_digest', 'datasetDigest'],
  ['model_id', 'modelId'],
] as const;

/**
 * A metric history as an Arrow table, one row per point, in the given order.
 *
 * Columns: `key` (Utf8), `step` (Int64 — MLflow's steps are int64, and pandas/pyarrow readers
 * get an integer column), `timestamp` (Timestamp, milliseconds, UTC), `value` (Float64; NaN and
 * ±Infinity kept as values, never null); then `run_id`, `dataset_name`, `dataset_digest`,
 * `model_id` (nullable Utf8), each present only when some point sets it. An empty history gives
 * the four main columns and no rows.
 *
 * @throws LablogError INVALID_PARAMETER_VALUE for a step that is not an integer or a timestamp
 *   that is not finite.
 */
export function metricHistoryToArrow(metrics: readonly Metric[]): Table {
  const steps = metrics.map((m, i) => {
    if (!Number.isInteger(m.step)) throw invalidParameter(`metrics[${i}].step must be an integer, got ${m.step}`);
    return BigInt(m.step);
  });
  metrics.forEach((m, i) => {
    if (!Number.isFinite(m.timestamp)) throw invalidParameter(`metrics[${i}].timestamp must be a finite number, got ${m.timestamp}`);
  });
  const columns: ColumnSpec[] = [
    { name: 'key', type: new Utf8(), nullable: false, values: metrics.map((m) => m.key) },
    { name: 'step', type: new Int64(), nullable: false, values: steps },
    { name: 'timestamp', type: new TimestampMillisecond('UTC'), nullable: false, values: metrics.map((m) => m.timestamp) },
    { name: 'value', type: new Float64(), nullable: false, values: metrics.map((m) => m.value) },
  ];
  for (const [column, field] of OPTIONAL_COLUMNS) {
    if (metrics.some((m) => m[field] !== undefined)) {
      columns.push({ name: column, type: new Utf8(), nullable: true, values: metrics.map((m) => m[field] ?? null) });
    }
  }
  return tableFromColumns(columns);
}

/** A numeric cell as a number: numbers, bigints (Int64) and Dates; `null` for a null cell. */
function numberOrNull(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  throw invalidParameter(`${where} must be numeric, got ${typeof v}`);
}

function stringOrNull(v: unknown, where: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  throw invalidParameter(`${where} must be a string, got ${typeof v}`);
}

/**
 * Metric points from an Arrow table, the inverse of {@link metricHistoryToArrow}; also reads
 * tables written elsewhere (pandas, polars) with the same column names.
 *
 * - `value` (any numeric type) is required; a null value reads as NaN, since pandas and pyarrow
 *   often store NaN as null;
 * - `timestamp` (Timestamp, Date, or integer/float milliseconds) is required and must not be null;
 * - `step` (Int64 or any numeric type) defaults to 0 when the column is absent or the cell null;
 *   Int64 steps read back exactly up to 2^53;
 * - the key comes from the `key` column; `key` (the argument) is used where the table has no
 *   such column or the cell is null;
 * - `run_id`, `dataset_name`, `dataset_digest`, `model_id` are read when present and non-null.
 *
 * @throws LablogError INVALID_PARAMETER_VALUE for a missing required column, a row with no key,
 *   a null timestamp, or a cell of the wrong kind.
 */
export function metricHistoryFromArrow(table: Table, key?: string): Metric[] {
  const valueCol = table.getChild('value');
  const timestampCol = table.getChild('timestamp');
  if (valueCol === null) throw invalidParameter("metricHistoryFromArrow: the table has no 'value' column");
  if (timestampCol === null) throw invalidParameter("metricHistoryFromArrow: the table has no 'timestamp' column");
  const stepCol = table.getChild('step');
  const keyCol = table.getChild('key');
  const optional = OPTIONAL_COLUMNS.map(([column, field]) => [table.getChild(column), column, field] as const).filter(([col]) => col !== null);

  const out: Metric[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const k = stringOrNull(keyCol?.get(r), `key[${r}]`) ?? key;
    if (k === undefined) throw invalidParameter(`metricHistoryFromArrow: row ${r} has no key; pass one or add a 'key' column`);
    const timestamp = numberOrNull(timestampCol.get(r), `timestamp[${r}]`);
    if (timestamp === null) throw invalidParameter(`metricHistoryFromArrow: timestamp[${r}] is null`);
    const m: { -readonly [K in keyof Metric]: Metric[K] } = {
      key: k,
      value: numberOrNull(valueCol.get(r), `value[${r}]`) ?? NaN,
      timestamp,
      step: numberOrNull(stepCol?.get(r), `step[${r}]`) ?? 0,
    };
    for (const [col, column, field] of optional) {
      const v = stringOrNull(col!.get(r), `${column}[${r}]`);
      if (v !== null) m[field] = v;
    }
    out.push(m);
  }
  return out;
}
