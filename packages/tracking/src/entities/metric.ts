import { wireDouble, type WireDouble, readWireDouble } from './wire-double.js';

/** One point of a metric's history. */
export interface Metric {
  readonly key: string;
  /** May be NaN or ±Infinity. */
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly step: number;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
  readonly modelId?: string;
  /** Set by bulk history reads, which mix runs. */
  readonly runId?: string;
}

/** MLflow's JSON for a metric. */
export interface MetricJSON {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
  dataset_name?: string;
  dataset_digest?: string;
  model_id?: string;
  run_id?: string;
}

/** Metric → MLflow JSON (non-finite values as the strings "NaN", "Infinity"). */
export function metricToJSON(m: Metric): MetricJSON {
  const out: MetricJSON = { key: m.key, value: wireDouble(m.value), timestamp: m.timestamp, step: m.step };
  if (m.datasetName !== undefined) out.dataset_name = m.datasetName;
  if (m.datasetDigest !== undefined) out.dataset_digest = m.datasetDigest;
  if (m.modelId !== undefined) out.model_id = m.modelId;
  if (m.runId !== undefined) out.run_id = m.runId;
  return out;
}

/** MLflow JSON → metric. Assumes the JSON was validated. */
export function metricFromJSON(j: MetricJSON): Metric {
  const m: { -readonly [K in keyof Metric]: Metric[K] } = {
    key: j.key,
    value: readWireDouble(j.value),
    timestamp: Number(j.timestamp),
    step: Number(j.step ?? 0),
  };
  if (j.dataset_name !== undefined) m.datasetName = j.dataset_name;
  if (j.dataset_digest !== undefined) m.datasetDigest = j.dataset_digest;
  if (j.model_id !== undefined) m.modelId = j.model_id;
  if (j.run_id !== undefined) m.runId = j.run_id;
  return m;
}

/**
 * Orders metric points the way MLflow picks the "latest" value of a key:
 * by (step, timestamp, value), NaN above every number.
 */
export function compareMetricRecency(a: Metric, b: Metric): number {
  if (a.step !== b.step) return a.step - b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  const an = Number.isNaN(a.value);
  const bn = Number.isNaN(b.value);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
}
