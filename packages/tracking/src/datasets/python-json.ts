/**
 * JSON text exactly as Python's `json.dumps` writes it with default options (`", "` and
 * `": "` separators, `ensure_ascii=True`), so the `schema`, `profile` and `source` strings
 * lablog logs are byte-identical to what MLflow's Python client logs for the same content.
 */

/** A value {@link pythonJsonDumps} can write. Numbers must be finite. */
export type PythonJsonValue = null | boolean | number | string | readonly PythonJsonValue[] | { readonly [key: string]: PythonJsonValue };

/** Escapes every character outside printable ASCII, as `ensure_ascii` does (lower-case hex). */
function asciiString(s: string): string {
  return JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Serializes `value` as Python's `json.dumps(value)` would. */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`pythonJsonDumps: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return asciiString(value);
  if (Array.isArray(value)) return `[${value.map((v: PythonJsonValue) => pythonJsonDumps(v)).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: PythonJsonValue });
  return `{${entries.map(([k, v]) => `${asciiString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
}
