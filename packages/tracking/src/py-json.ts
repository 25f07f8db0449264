/**
 * JSON text exactly as Python's `json.dumps` writes it (default `", "` / `": "` separators,
 * `ensure_ascii=True`; with `indent`, `","` and newlines), so the files MLflow writes with
 * `json.dumps` (signatures, input examples, the `mlflow.log-model.history` tag) are byte-identical.
 *
 * JavaScript numbers do not say whether they are ints or floats; Python does (`1` vs `1.0`).
 * A {@link PyFloat} marks a float; any other number is written as an int when it is integral.
 */

/** A float to be written as Python's `repr(float)` would (`1.0`, `1e-05`, `0.1`, `NaN`). */
export class PyFloat {
  /** @param value the float's value */
  constructor(readonly value: number) {}
}

/** A value {@link pyJsonDumps} can write; object keys keep their insertion order, as Python dicts. */
export type PyJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | readonly PyJsonValue[]
  | { readonly [key: string]: PyJsonValue | undefined };

/**
 * Python's `repr(float)`: the shortest round-trip digits, scientific notation when the decimal
 * exponent is below -4 or at least 16 (`1e-05`, `1e+16`), `.0` on integral values, and
 * `nan`/`inf` spelled as `json.dumps` spells them (`NaN`, `Infinity`, `-Infinity`).
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${m}e${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** A JSON string with every character outside printable ASCII escaped, as `ensure_ascii` does. */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(value: PyJsonValue): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return BigInt(value).toString();
    return pythonFloatRepr(value);
  }
  if (typeof value === 'string') return pythonJsonString(value);
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  return undefined;
}

/**
 * Serializes `value` as Python's `json.dumps(value)` (or `json.dumps(value, indent=n)`).
 * `undefined` object members are skipped.
 */
export function pyJsonDumps(value: PyJsonValue, options: { indent?: number } = {}): string {
  const indent = options.indent;
  const walk = (v: PyJsonValue, level: number): string => {
    const s = scalar(v);
    if (s !== undefined) return s;
    const nl = indent === undefined ? '' : `\n${' '.repeat(indent * (level + 1))}`;
    const end = indent === undefined ? '' : `\n${' '.repeat(indent * level)}`;
    const sep = indent === undefined ? ', ' : ',';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${nl}${v.map((x: PyJsonValue) => walk(x, level + 1)).join(sep + nl)}${end}]`;
    }
    const entries = Object.entries(v as Record<string, PyJsonValue | undefined>).filter((e): e is [string, PyJsonValue] => e[1] !== undefined);
    if (entries.length === 0) return '{}';
    return `{${nl}${entries.map(([k, x]) => `${pythonJsonString(k)}: ${walk(x, level + 1)}`).join(sep + nl)}${end}}`;
  };
  return walk(value, 0);
}
