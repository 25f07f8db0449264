/**
 * Input examples (ref §8.4, MLflow's `_Example`): `input_example.json` holds the example as the
 * model takes it, `serving_input_example.json` a ready-to-POST `/invocations` body (Python's
 * `json.dumps(…, indent=2)`); `saved_input_example_info` in MLmodel says which is which.
 *
 * | example | type | input_example.json | serving_input_example.json |
 * |---|---|---|---|
 * | {@link Tensor} (or a tfjs tensor) | ndarray | nested list | `{"inputs": …}` |
 * | tensors by name | ndarray | `{"a": …, "b": …}` | `{"inputs": {…}}` |
 * | Arrow `Table` | dataframe (split) | `{"columns": […], "data": [[…]]}` | `{"dataframe_split": …}` |
 * | other JSON (list, object, scalar) | json_object | the value | `{"inputs": …}` |
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Field, Table } from 'apache-arrow';
import { invalidParameter } from '@lablog/tracking';
import type { Tensor } from './tensor.js';
import type { SavedInputExampleInfo } from './mlmodel.js';
import { PyFloat, pyJsonDumps, type PyJsonValue } from './py-json.js';
import { isTensor, tensorToNested } from './tensor-utils.js';
import { isTfjsTensorLike, tensorFromTfjs } from './tfjs/convert.js';

/** File name of the example as the model takes it. */
export const INPUT_EXAMPLE_FILE = 'input_example.json';
/** File name of the example as a scoring request body. */
export const SERVING_INPUT_EXAMPLE_FILE = 'serving_input_example.json';

/** What {@link saveInputExample} accepts: a tensor, tensors by name, an Arrow table, or plain JSON data. */
export type InputExample = Tensor | Readonly<Record<string, Tensor>> | Table | unknown;

/** Options of {@link saveInputExample}. */
export interface SaveInputExampleOptions {
  /** Inference params saved with the example (MLflow's `(data, params)` tuple). */
  params?: Readonly<Record<string, unknown>>;
}

/** The two files' content and the MLmodel entry, before anything is written. */
export interface InputExampleFiles {
  inputExample: string;
  servingInput: string;
  info: SavedInputExampleInfo;
}

/** Duck-typed check for an Apache Arrow `Table` (works across copies of apache-arrow). */
export function isArrowTable(x: unknown): x is Table {
  const t = x as Partial<Table> | null;
  return t !== null && typeof t === 'object' && typeof t.getChild === 'function' && typeof t.numRows === 'number' && Array.isArray(t.schema?.fields);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** pandas `Timestamp.isoformat()` of a naive timestamp (ms since the epoch). */
function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return d.getUTCMilliseconds() === 0 ? base : `${base}.${pad(d.getUTCMilliseconds() * 1000, 6)}`;
}

/** One Arrow cell as pandas' `to_dict(orient="split")` + MLflow's `NumpyEncoder` write it. */
function arrowCell(field: Field, v: unknown, intAsFloat: boolean): PyJsonValue {
  if (v === null || v === undefined) return null;
  const typeId = String(field.type);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return null;
    if (typeId.startsWith('Float') || intAsFloat) return new PyFloat(v);
    if (typeId.startsWith('Timestamp')) return isoTimestamp(v);
    if (typeId.startsWith('Date')) return isoTimestamp(v).slice(0, 10);
    return v;
  }
  if (typeof v === 'bigint') return intAsFloat ? new PyFloat(Number(v)) : v;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) return isoTimestamp(v.getTime());
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}

/** An Arrow table as MLflow's dataframe split dict (`columns`, `data`; no index; NaN → null). */
export function arrowTableToSplit(table: Table): { columns: string[]; data: PyJsonValue[][] } {
  const fields = table.schema.fields;
  // pandas turns an integer column with missing values into float64, so MLflow writes `1.0`.
  const intAsFloat = fields.map((f, i) => /^U?Int/.test(String(f.type)) && (table.getChildAt(i)?.nullCount ?? 0) > 0);
  const columns = fields.map((f, i) => table.getChildAt(i)!);
  const data: PyJsonValue[][] = [];
  for (let r = 0; r < table.numRows; r++) data.push(fields.map((f, c) => arrowCell(f, columns[c]!.get(r), intAsFloat[c]!)));
  return { columns: fields.map((f) => f.name), data };
}

function toJsonValue(v: unknown): PyJsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof PyFloat) return v;
  if (v instanceof Date) return v.toISOString();
  if (isTensor(v)) return tensorToNested(v);
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJsonValue(x)]));
  throw invalidParameter(`Input example values must be JSON-serialisable; got a ${typeof v}`);
}

/** MLflow's `is_unified_llm_input`: chat/completions/embeddings payloads are served unwrapped. */
function isUnifiedLlmInput(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && ('messages' in x || 'prompt' in x || 'input' in x);
}

/**
 * Builds the two example files and `saved_input_example_info` without writing them.
 * @throws LablogError INVALID_PARAMETER_VALUE for a mix of tensors and other values in one object.
 */
export function inputExampleFiles(example: InputExample, options: SaveInputExampleOptions = {}): InputExampleFiles {
  const info: SavedInputExampleInfo = { artifact_path: INPUT_EXAMPLE_FILE, type: 'json_object' };
  if (options.params !== undefined) info.params = 'true';
  let modelInput: PyJsonValue;
  let serving: Record<string, PyJsonValue>;
  let llm = false;
  const ex = isTfjsTensorLike(example) ? tensorFromTfjs(example) : example;
  if (isTensor(ex)) {
    info.type = 'ndarray';
    modelInput = tensorToNested(ex);
    serving = { inputs: modelInput };
  } else if (isArrowTable(ex)) {
    info.type = 'dataframe';
    info.pandas_orient = 'split';
    modelInput = arrowTableToSplit(ex);
    serving = { dataframe_split: modelInput };
  } else if (ex !== null && typeof ex === 'object' && !Array.isArray(ex) && Object.keys(ex).length > 0 && Object.values(ex).some((v) => isTensor(v) || isTfjsTensorLike(v))) {
    const values = Object.entries(ex as Record<string, unknown>);
    if (!values.every(([, v]) => isTensor(v) || isTfjsTensorLike(v))) {
      throw invalidParameter('Mixed types in dictionary are not supported as input examples. Found tensors and other types.');
    }
    info.type = 'ndarray';
    modelInput = Object.fromEntries(values.map(([k, v]) => [k, tensorToNested(isTfjsTensorLike(v) ? tensorFromTfjs(v) : (v as Tensor))]));
    serving = { inputs: modelInput };
  } else {
    modelInput = toJsonValue(ex);
    llm = isUnifiedLlmInput(modelInput);
    serving = llm ? (modelInput as Record<string, PyJsonValue>) : { inputs: modelInput };
  }
  if (options.params !== undefined) {
    const params = toJsonValue(options.params) as Record<string, PyJsonValue>;
    modelInput = { inputs: modelInput, params };
    serving = llm ? { ...serving, ...params } : { ...serving, params };
  }
  info.serving_input_path = SERVING_INPUT_EXAMPLE_FILE;
  return { inputExample: pyJsonDumps(modelInput), servingInput: pyJsonDumps(serving, { indent: 2 }), info };
}

/**
 * Writes `input_example.json` and `serving_input_example.json` into the model directory `dir`
 * and returns the `saved_input_example_info` entry for MLmodel.
 */
export async function saveInputExample(dir: string, example: InputExample, options: SaveInputExampleOptions = {}): Promise<SavedInputExampleInfo> {
  const files = inputExampleFiles(example, options);
  await writeFile(join(dir, INPUT_EXAMPLE_FILE), files.inputExample, 'utf8');
  await writeFile(join(dir, SERVING_INPUT_EXAMPLE_FILE), files.servingInput, 'utf8');
  return files.info;
}
