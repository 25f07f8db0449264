/**
 * Metric files of the `mlruns` layout: one line per logged point,
 * `"<timestamp> <value> <step>\n"` (MLflow 3 adds `" <dataset_name> <dataset_digest>"`), the
 * value written as Python's `str(float)`. Readers take 2, 3 or 5 fields (ref §7.2).
 */
import type { Metric } from '../../entities/metric.js';
import { compareMetricRecency } from '../../entities/metric.js';
import { LablogError } from '../../errors.js';

/**
 * A number as Python's `repr(float(v))` / `str(float(v))` writes it: shortest round-trip
 * digits, always a `.0` or an exponent, exponent form below 1e-4 and from 1e16 on, `nan`,
 * `inf`, `-inf`. So `0.5`, `1e-05`, `3.0`, `1e+16`, `-0.0`.
 *
 * MLflow's client turns every metric value into a float before it reaches the store, so a 3
 * logged from Python lands in the file as `3.0`; lablog writes the same. Python's `float()` and
 * lablog's reader accept both `3` and `3.0`.
 */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, like repr.
  const [mant, expText] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits + '0'.repeat(exp + 1 - digits.length);
  const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
  return `${sign}${intPart}.${frac}`;
}

const PY_SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;
const PY_DECIMAL = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** Reads a number as Python's `float(text)` does; undefined when Python would raise. */
export function parsePythonFloat(text: string): number | undefined {
  const s = text.trim();
  const special = PY_SPECIAL_FLOAT.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!PY_DECIMAL.test(s)) return undefined;
  return Number(s.replace(/_/g, ''));
}

/**
 * One line of a metric file. The dataset fields are written only when both are set and contain
 * no whitespace (the format splits on spaces), as MLflow 3 does.
 */
export function formatMetricLine(m: Metric): string {
  const base = `${m.timestamp} ${pythonFloatRepr(m.value)} ${m.step}`;
  const name = m.datasetName;
  const digest = m.datasetDigest;
  if (name && digest && !/\s/.test(name) && !/\s/.test(digest)) return `${base} ${name} ${digest}\n`;
  return `${base}\n`;
}

function malformed(key: string, detail: string): LablogError {
  return new LablogError(`Metric '${key}' is malformed; ${detail}`, 'INTERNAL_ERROR');
}

function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** Parses one line: 2 fields (step 0), 3 fields, or 5 fields (with dataset name and digest). */
export function parseMetricLine(key: string, line: string): Metric {
  const parts = line.trim().split(' ');
  if (parts.length !== 2 && parts.length !== 3 && parts.length !== 5) {
    throw malformed(key, `persisted metric data contained ${parts.length} fields. Expected 2, 3 or 5 fields.`);
  }
  const timestamp = parseInteger(parts[0]!);
  const value = parsePythonFloat(parts[1]!);
  const step = parts.length >= 3 ? parseInteger(parts[2]!) : 0;
  if (timestamp === undefined || value === undefined || step === undefined) {
    throw malformed(key, `could not read the line '${line.trim()}'.`);
  }
  if (parts.length === 5) return { key, value, timestamp, step, datasetName: parts[3]!, datasetDigest: parts[4]! };
  return { key, value, timestamp, step };
}

/**
 * Every point of a metric file, in line (logged) order. Blank lines are skipped; a last line
 * without its newline that does not parse is taken for a write cut short and dropped.
 */
export function parseMetricFile(key: string, text: string): Metric[] {
  const lines = text.split('\n');
  const out: Metric[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const unterminated = i === lines.length - 1;
    try {
      out.push(parseMetricLine(key, line));
    } catch (e) {
      if (unterminated) break;
      throw e;
    }
  }
  return out;
}

/** The latest point: the maximum of (step, timestamp, value), as MLflow picks it. */
export function latestMetric(points: readonly Metric[]): Metric | undefined {
  let best: Metric | undefined;
  for (const p of points) if (best === undefined || compareMetricRecency(p, best) > 0) best = p;
  return best;
}
