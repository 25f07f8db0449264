/**
 * `ModelOutput` → the `predictions` of MLflow's reply (`predictions_to_json`), written straight to
 * JSON text (no intermediate nested arrays), and → an Arrow IPC stream for `Accept:
 * application/vnd.apache.arrow.stream`.
 *
 * | output                                                                 | `predictions`             |
 * |------------------------------------------------------------------------|---------------------------|
 * | one tensor, and the output signature is absent or one unnamed spec     | nested list (ndarray)     |
 * | a column-based output signature with names (a DataFrame)               | records `[{col: v}, …]`   |
 * | one unnamed column spec (a Series / 1-D array)                         | list                      |
 * | several (or named) tensors, request was a frame (dataframe_*, CSV, Arrow) | records, one column per output (MLflow's onnx pyfunc returns a DataFrame for DataFrame input) |
 * | several (or named) tensors otherwise                                   | `{name: nested list}`     |
 *
 * Non-finite floats are written as `null` (Python's json writes the non-JSON `NaN`/`Infinity`);
 * int64 values beyond 2^53 are written exactly (JSON has no integer limit).
 */
import type { ModelOutput, ModelSignature, Tensor } from '@lablog/flavors';

/** How {@link predictionsJson} lays out an output. */
export type PredictionsLayout = 'list' | 'records' | 'dict';

/** Picks the layout for an output, per the table above. */
export function predictionsLayout(output: ModelOutput, signature: ModelSignature | null, inputWasFrame: boolean): PredictionsLayout {
  const names = Object.keys(output);
  const outSchema = signature?.outputs ?? null;
  if (outSchema !== null && outSchema.kind === 'column') {
    return outSchema.specs.length === 1 && outSchema.specs[0]!.name === undefined && names.length === 1 ? 'list' : 'records';
  }
  const unnamedSpec = outSchema === null || (outSchema.specs.length === 1 && outSchema.specs[0]!.name === undefined);
  if (names.length === 1 && unnamedSpec) return 'list';
  const rows = new Set(Object.values(output).map((t) => (t.shape.length > 0 ? t.shape[0] : -1)));
  return inputWasFrame && rows.size === 1 && !rows.has(-1) ? 'records' : 'dict';
}

/** The JSON text of the whole reply body: `{"predictions": …}`. */
export function predictionsJson(output: ModelOutput, layout: PredictionsLayout): string {
  const names = Object.keys(output);
  if (layout === 'list') return `{"predictions":${tensorJson(output[names[0]!]!)}}`;
  if (layout === 'dict') return `{"predictions":{${names.map((n) => `${JSON.stringify(n)}:${tensorJson(output[n]!)}`).join(',')}}}`;
  const tensors = names.map((n) => output[n]!);
  const rows = tensors.length === 0 ? 0 : Math.max(...tensors.map((t) => (t.shape.length > 0 ? t.shape[0]! : 1)));
  const keys = names.map((n) => JSON.stringify(n) + ':');
  const parts: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    parts[r] = '{' + tensors.map((t, i) => keys[i] + rowJson(t, r)).join(',') + '}';
  }
  return `{"predictions":[${parts.join(',')}]}`;
}

function valueJson(t: Tensor, i: number): string {
  const d = t.data as ArrayLike<unknown>;
  const v = d[i];
  if (typeof v === 'number') {
    if (t.dtype === 'bool') return v ? 'true' : 'false';
    return Number.isFinite(v) ? String(v) : 'null';
  }
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v ?? null);
}

/** A tensor as a nested JSON list (a 0-d tensor as a scalar). */
export function tensorJson(t: Tensor): string {
  return blockJson(t, 0, 0, t.data.length);
}

function blockJson(t: Tensor, dim: number, offset: number, size: number): string {
  if (dim === t.shape.length) return valueJson(t, offset);
  const n = t.shape[dim]!;
  const step = n === 0 ? 0 : size / n;
  if (dim === t.shape.length - 1 && t.dtype !== 'str' && t.dtype !== 'bool' && t.dtype !== 'int64' && t.dtype !== 'uint64') {
    // Fast path for a numeric row: String(number) is valid JSON except for non-finite values.
    const d = t.data as ArrayLike<number>;
    let s = '[';
    for (let i = 0; i < n; i++) {
      const v = d[offset + i]!;
      s += (i === 0 ? '' : ',') + (Number.isFinite(v) ? String(v) : 'null');
    }
    return s + ']';
  }
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) parts[i] = blockJson(t, dim + 1, offset + i * step, step);
  return '[' + parts.join(',') + ']';
}

/** Row `r` of a tensor: a scalar for a 1-D tensor, a nested list otherwise. */
function rowJson(t: Tensor, r: number): string {
  if (t.shape.length === 0) return valueJson(t, 0);
  const per = t.shape[0] === 0 ? 0 : t.data.length / t.shape[0]!;
  return blockJson(t, 1, r * per, per);
}

/**
 * The output as an Arrow IPC stream: one column per output, named by it; a 1-D tensor is a
 * primitive column, a `[rows, …]` tensor a FixedSizeList column of its flattened rows.
 */
export async function predictionsArrow(output: ModelOutput): Promise<Uint8Array> {
  const arrow = await import('apache-arrow');
  const columns: Record<string, import('apache-arrow').Vector> = {};
  for (const [name, t] of Object.entries(output)) {
    const rows = t.shape.length === 0 ? 1 : t.shape[0]!;
    const per = rows === 0 ? 0 : t.data.length / rows;
    let flat: import('apache-arrow').Data;
    let type: import('apache-arrow').DataType;
    switch (t.dtype) {
      case 'str':
        flat = arrow.vectorFromArray(t.data as string[], new arrow.Utf8()).data[0]!;
        break;
      case 'bool':
        flat = arrow.vectorFromArray(Array.from(t.data as Uint8Array, (v) => v !== 0), new arrow.Bool()).data[0]!;
        break;
      default:
        flat = arrow.makeVector(t.data as Float32Array).data[0]!;
    }
    type = flat.type;
    if (t.shape.length <= 1) {
      columns[name] = arrow.makeVector(flat);
      continue;
    }
    const listType = new arrow.FixedSizeList(per, new arrow.Field('item', type, false));
    columns[name] = arrow.makeVector(arrow.makeData({ type: listType, length: rows, nullCount: 0, child: flat }));
  }
  return arrow.tableToIPC(new arrow.Table(columns), 'stream');
}
