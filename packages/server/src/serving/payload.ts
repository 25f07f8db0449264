/**
 * Reading a `/invocations` body into a {@link Payload}, before any signature is applied: MLflow's
 * JSON formats (`inputs`, `instances`, `dataframe_split`, `dataframe_records`, plus `params`),
 * CSV with a header row, and Arrow IPC (a lablog addition).
 */
import type { InferenceParams } from '@lablog/flavors';
import {
  INPUT_KEYS,
  REQUIRED_INPUT_FORMAT,
  SCORING_PROTOCOL_CHANGE_INFO,
  badRequest,
  invalidInput,
  pyList,
  type InputKey,
} from './errors.js';
import { parseCsv } from './csv.js';
import { isListLike, type ListLike } from './tensor-data.js';

/** A table: named (or unnamed) columns of equal length, column-major. */
export interface Frame {
  readonly kind: 'frame';
  /** Column names, or null when the payload had none (`dataframe_split` without `columns`). */
  readonly names: readonly string[] | null;
  readonly columns: readonly ListLike[];
  readonly rows: number;
  /** Cells are text (CSV): numbers and booleans are recognised when inferring types. */
  readonly fromText: boolean;
}

/** A request body, parsed but not yet converted with the model's signature. */
export type Payload =
  | { readonly kind: 'tensor'; readonly value: unknown }
  | { readonly kind: 'tensors'; readonly values: Readonly<Record<string, unknown>> }
  | Frame;

/** A parsed request: the data, the key it came under (`csv`/`arrow` for those bodies), and params. */
export interface ParsedRequest {
  readonly payload: Payload;
  readonly source: InputKey | 'csv' | 'arrow';
  readonly params: InferenceParams | undefined;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function pyTypeName(x: unknown): string {
  if (x === null) return 'NoneType';
  if (typeof x === 'string') return 'str';
  if (typeof x === 'boolean') return 'bool';
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  if (Array.isArray(x)) return 'list';
  return 'dict';
}

/**
 * Parses a JSON scoring body (MLflow's `_decode_json_input`, `_split_data_and_params`,
 * `infer_and_parse_data`).
 * @throws LablogError 400: malformed JSON or not an object (INVALID_PARAMETER_VALUE, "Invalid
 *   input. …"), zero or several input keys (BAD_REQUEST), a malformed `params` or frame.
 */
export function parseJsonRequest(text: string): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`Ensure that input is a valid JSON formatted string. Error: '${(e as Error).message}'`);
  }
  if (Array.isArray(body)) throw invalidInput(`${REQUIRED_INPUT_FORMAT}. Received a list.`);
  if (!isPlainObject(body)) throw invalidInput(`${REQUIRED_INPUT_FORMAT}. Received unexpected input type '<class '${pyTypeName(body)}'>'.`);
  const keys = Object.keys(body);
  const formats = keys.filter((k): k is InputKey => (INPUT_KEYS as readonly string[]).includes(k));
  if (formats.length !== 1) {
    throw badRequest(`${REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: ${pyList(keys)}. ${SCORING_PROTOCOL_CHANGE_INFO}`);
  }
  if ('signature_name' in body) throw badRequest('Failed to parse data as TF serving input. "signature_name" is currently not supported.');
  const key = formats[0]!;
  const rawParams = body['params'];
  if (rawParams !== undefined && rawParams !== null && !isPlainObject(rawParams)) {
    throw badRequest(`Invalid 'params': expected a JSON object mapping parameter names to values, got ${pyTypeName(rawParams)}.`);
  }
  const params = rawParams === undefined || rawParams === null ? undefined : (rawParams as InferenceParams);
  const data = body[key];
  let payload: Payload;
  switch (key) {
    case 'inputs':
      payload = isPlainObject(data) ? { kind: 'tensors', values: data } : { kind: 'tensor', value: data };
      break;
    case 'instances':
      payload = instancesPayload(data);
      break;
    case 'dataframe_split':
      payload = splitFrame(data);
      break;
    case 'dataframe_records':
      payload = recordsFrame(data);
      break;
  }
  return { payload, source: key, params };
}

/** `instances`: a list of rows (one tensor), or a list of `{name: value}` objects made columnar. */
function instancesPayload(items: unknown): Payload {
  if (!Array.isArray(items)) {
    throw badRequest(`Failed to parse data as TF serving input. 'instances' must be a list, got ${pyTypeName(items)}.`);
  }
  if (items.length === 0 || !isPlainObject(items[0])) return { kind: 'tensor', value: items };
  const columns = new Map<string, unknown[]>();
  for (const item of items) {
    if (!isPlainObject(item)) throw badRequest('Failed to parse data as TF serving input. Every element of \'instances\' must be an object when the first one is.');
    for (const [k, v] of Object.entries(item)) {
      let col = columns.get(k);
      if (col === undefined) columns.set(k, (col = []));
      col.push(v);
    }
  }
  const lengths = new Set([...columns.values()].map((c) => c.length));
  if (lengths.size > 1) {
    throw badRequest('Failed to parse data as TF serving input. The length of values for each input/column name are not the same');
  }
  return { kind: 'tensors', values: Object.fromEntries(columns) };
}

function frameError(orient: string, detail: string): Error {
  return badRequest(`Failed to parse input as a DataFrame (orient '${orient}'). Error: '${detail}'`);
}

/** pandas `orient='split'`: `{columns?, data: [[…]], index?}`; the index is ignored. */
function splitFrame(x: unknown): Frame {
  if (!isPlainObject(x)) throw frameError('split', `expected an object with 'columns' and 'data', got ${pyTypeName(x)}`);
  const extra = Object.keys(x).filter((k) => k !== 'columns' && k !== 'data' && k !== 'index');
  if (extra.length > 0) throw frameError('split', `JSON data had unexpected key(s): ${extra.join(', ')}`);
  const data = x['data'] ?? [];
  if (!Array.isArray(data)) throw frameError('split', "'data' must be a list of rows");
  let names: string[] | null = null;
  if (x['columns'] !== undefined) {
    if (!Array.isArray(x['columns'])) throw frameError('split', "'columns' must be a list");
    names = x['columns'].map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
    if (new Set(names).size !== names.length) throw frameError('split', 'column names must be unique');
  }
  const width = names?.length ?? (Array.isArray(data[0]) ? data[0].length : 1);
  const columns: unknown[][] = Array.from({ length: width }, () => new Array<unknown>(data.length));
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    // pandas accepts a bare value per row for a one-column frame.
    const cells = Array.isArray(row) ? row : width === 1 ? [row] : null;
    if (cells === null || cells.length !== width) {
      throw frameError('split', `${width} columns passed, passed data had ${cells === null ? 1 : cells.length} columns (row ${r})`);
    }
    for (let c = 0; c < width; c++) columns[c]![r] = cells[c];
  }
  return { kind: 'frame', names, columns, rows: data.length, fromText: false };
}

/** pandas `orient='records'`: `[{col: value, …}, …]`; a key missing from a record is null. */
function recordsFrame(x: unknown): Frame {
  if (!Array.isArray(x)) throw frameError('records', `expected a list of objects, got ${pyTypeName(x)}`);
  const index = new Map<string, number>();
  const columns: unknown[][] = [];
  for (let r = 0; r < x.length; r++) {
    const rec = x[r];
    if (!isPlainObject(rec)) throw frameError('records', `record ${r} is not an object`);
    for (const [k, v] of Object.entries(rec)) {
      let c = index.get(k);
      if (c === undefined) {
        c = columns.length;
        index.set(k, c);
        columns.push(new Array<unknown>(x.length).fill(null));
      }
      columns[c]![r] = v;
    }
  }
  return { kind: 'frame', names: [...index.keys()], columns, rows: x.length, fromText: false };
}

/** Parses a `text/csv` body: a header row, then rows; cells stay text until the signature types them. */
export function parseCsvRequest(text: string): ParsedRequest {
  const { header, rows } = parseCsv(text);
  const columns = header.map((_, c) => rows.map((row) => row[c] ?? null));
  return { payload: { kind: 'frame', names: header, columns, rows: rows.length, fromText: true }, source: 'csv', params: undefined };
}

/** Arrow IPC (stream or file) → a frame; numeric columns without nulls stay typed arrays. */
export async function parseArrowRequest(body: Uint8Array): Promise<ParsedRequest> {
  const arrow = await import('apache-arrow');
  let table: import('apache-arrow').Table;
  try {
    table = arrow.tableFromIPC(body);
  } catch (e) {
    throw badRequest(`Failed to read the body as an Arrow IPC stream. Error: '${(e as Error).message}'`);
  }
  const names: string[] = [];
  const columns: ListLike[] = [];
  table.schema.fields.forEach((field, i) => {
    const vector = table.getChildAt(i)!;
    names.push(field.name);
    const type = field.type;
    if (arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) {
      const cells: unknown[] = new Array(vector.length);
      for (let r = 0; r < vector.length; r++) {
        cells[r] = nestedCell(vector.get(r));
      }
      columns.push(cells);
    } else if ((arrow.DataType.isFloat(type) || arrow.DataType.isInt(type)) && vector.nullCount === 0) {
      columns.push(vector.toArray() as ListLike);
    } else if (arrow.DataType.isBool(type)) {
      columns.push(Array.from(vector, (v) => (v === null ? null : Boolean(v))));
    } else if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) {
      columns.push(Array.from(vector, (v) => (v === null ? null : new Date(Number(v)).toISOString())));
    } else {
      columns.push(Array.from(vector, (v) => v as unknown));
    }
  });
  return { payload: { kind: 'frame', names, columns, rows: table.numRows, fromText: false }, source: 'arrow', params: undefined };
}

/** A list cell is a Vector (of Vectors, for nested lists): make it (nested) arrays. */
function nestedCell(cell: unknown): unknown {
  if (cell === null || typeof cell !== 'object' || isListLike(cell)) return Array.isArray(cell) ? cell.map(nestedCell) : cell;
  const toArray = (cell as { toArray?: () => unknown }).toArray;
  return typeof toArray === 'function' ? nestedCell(toArray.call(cell)) : cell;
}
