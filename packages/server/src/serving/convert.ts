/**
 * Turning a parsed {@link Payload} into the {@link ModelInput} `predict` takes, using the model's
 * signature as MLflow's `parse_tf_serving_input` / `dataframe_from_parsed_json` do:
 *
 * | signature | `inputs` / `instances`                            | `dataframe_*`, CSV, Arrow                       |
 * |-----------|---------------------------------------------------|-------------------------------------------------|
 * | tensor    | a nested list → the (one) spec's dtype, shape checked; `{name: list}` → per spec | one spec: the frame's rows as a `[rows, cols]` tensor (reshaped to the spec); several: a column per spec |
 * | column    | `{name: list}` or a list for a one-column schema → 1-D columns typed by ColSpec | a 1-D tensor per column, typed by ColSpec |
 * | none      | nested lists, types inferred (numbers → float32) | a 1-D tensor per column, types inferred |
 */
import type { ColSpecType } from '@lablog/tracking';
import type { ColumnSpec, ModelInput, ModelSignature, Schema, Tensor, TensorDtype, TensorSpec } from '@lablog/flavors';
import { badRequest, pyList, schemaError } from './errors.js';
import type { Frame, Payload } from './payload.js';
import { checkShape, fillStorage, fitRows, flattenNested, inferDtype, isListLike, tensorFromNested } from './tensor-data.js';

/** The tensor dtype each MLflow ColSpec type is passed to `predict` as. */
export const COLSPEC_DTYPE: Readonly<Record<ColSpecType, TensorDtype>> = {
  boolean: 'bool',
  integer: 'int32',
  long: 'int64',
  float: 'float32',
  double: 'float64',
  string: 'str',
  binary: 'str',
  datetime: 'str',
};

/**
 * Converts a payload with the model's signature (or inference, without one).
 * @throws LablogError 400 for a payload that does not fit the signature (missing input or
 *   column, wrong shape, a value that cannot be cast).
 */
export function toModelInput(payload: Payload, signature: ModelSignature | null): ModelInput {
  const schema = signature?.inputs ?? null;
  if (schema === null || schema.specs.length === 0) return inferInput(payload);
  return schema.kind === 'tensor' ? tensorInput(payload, schema.specs) : columnInput(payload, schema.specs);
}

function specName(spec: TensorSpec | ColumnSpec, i: number): string {
  return spec.name ?? String(i);
}

// ---------------------------------------------------------------------------------------------
// No signature

function inferInput(payload: Payload): ModelInput {
  switch (payload.kind) {
    case 'tensor':
      return tensorFromNested(payload.value, null, 'inputs');
    case 'tensors':
      return mapValues(payload.values, (v, k) => tensorFromNested(v, null, k));
    case 'frame':
      return Object.fromEntries(frameNames(payload).map((name, c) => [name, columnTensor(payload.columns[c]!, null, name, payload.fromText)]));
  }
}

function frameNames(frame: Frame): readonly string[] {
  return frame.names ?? frame.columns.map((_, i) => String(i));
}

function mapValues(values: Readonly<Record<string, unknown>>, f: (v: unknown, k: string) => Tensor): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(values)) out[k] = f(v, k);
  return out;
}

/** A frame column (cells may be lists, e.g. Arrow list columns) as a `[rows, …]` tensor. */
function columnTensor(column: ArrayLike<unknown>, dtype: TensorDtype | null, name: string, fromText: boolean): Tensor {
  const { shape, leaves } = flattenNested(column, name);
  const d = dtype ?? inferDtype(leaves, fromText);
  return { dtype: d, shape, data: fillStorage(leaves, d, name) };
}

// ---------------------------------------------------------------------------------------------
// Tensor-based signatures

function missingInputs(missing: readonly string[], extra: readonly string[]): Error {
  const note = extra.length > 0 ? ` Note that there were extra inputs: ${pyList(extra)}.` : '';
  return schemaError(`Model is missing inputs ${pyList(missing)}.${note}`);
}

function specTensor(value: unknown, spec: TensorSpec, name: string): Tensor {
  const t = fitRows(tensorFromNested(value, spec.dtype, name), spec.shape);
  checkShape(t.shape, spec.shape, name);
  return t;
}

function tensorInput(payload: Payload, specs: readonly TensorSpec[]): ModelInput {
  const named = specs[0]!.name !== undefined;
  if (payload.kind === 'tensor') {
    if (!named) return specTensor(payload.value, specs[0]!, 'inputs');
    if (specs.length === 1) return { [specs[0]!.name!]: specTensor(payload.value, specs[0]!, specs[0]!.name!) };
    throw badRequest(
      "Failed to parse input data. This model contains a tensor-based model signature with input names, which suggests a dictionary input mapping input name to tensor, but an input of type <class 'list'> was found.",
    );
  }
  if (payload.kind === 'tensors') {
    if (!named) {
      throw badRequest(
        "Failed to parse input data. This model contains an un-named tensor-based model signature which expects a single n-dimensional array as input, however, an input of type <class 'dict'> was found.",
      );
    }
    const missing = specs.filter((s) => !Object.hasOwn(payload.values, s.name!)).map((s) => s.name!);
    if (missing.length > 0) throw missingInputs(missing, Object.keys(payload.values).filter((k) => !specs.some((s) => s.name === k)));
    return Object.fromEntries(specs.map((s) => [s.name!, specTensor(payload.values[s.name!], s, s.name!)]));
  }
  // A frame for a tensor model: one spec takes the whole table, several take a column each.
  if (specs.length === 1) {
    const spec = specs[0]!;
    const name = specName(spec, 0);
    const t = frameAsTensor(payload, spec.dtype, name);
    const fitted = fitRows(t, spec.shape);
    checkShape(fitted.shape, spec.shape, name);
    return named ? { [name]: fitted } : fitted;
  }
  const names = frameNames(payload);
  const missing = specs.filter((s) => !names.includes(s.name!)).map((s) => s.name!);
  if (missing.length > 0) throw missingInputs(missing, names.filter((n) => !specs.some((s) => s.name === n)));
  return Object.fromEntries(
    specs.map((s) => {
      const t = fitRows(columnTensor(payload.columns[names.indexOf(s.name!)]!, s.dtype, s.name!, payload.fromText), s.shape);
      checkShape(t.shape, s.shape, s.name!);
      return [s.name!, t];
    }),
  );
}

/** A frame's values as one tensor (pandas `df.values`): `[rows, cols]`, or `[rows, …cell]` for one list column. */
function frameAsTensor(frame: Frame, dtype: TensorDtype, name: string): Tensor {
  if (frame.columns.length === 1) return columnTensor(frame.columns[0]!, dtype, name, frame.fromText);
  const width = frame.columns.length;
  const leaves: unknown[] = new Array(frame.rows * width);
  for (let c = 0; c < width; c++) {
    const col = frame.columns[c]!;
    for (let r = 0; r < frame.rows; r++) {
      const v = col[r];
      if (isListLike(v)) throw schemaError(`Column ${c} holds lists; only a one-column frame may hold tensor cells for input '${name}'.`);
      leaves[r * width + c] = v;
    }
  }
  return { dtype, shape: [frame.rows, width], data: fillStorage(leaves, dtype, name) };
}

// ---------------------------------------------------------------------------------------------
// Column-based signatures

function columnInput(payload: Payload, specs: readonly ColumnSpec[]): ModelInput {
  const columns = payloadColumns(payload, specs);
  const named = specs[0]!.name !== undefined;
  const out: Record<string, Tensor> = {};
  const missing: string[] = [];
  specs.forEach((spec, i) => {
    const key = named ? spec.name! : String(i);
    const column = named ? columns.get(spec.name!) : [...columns.values()][i];
    if (column === undefined) {
      if (spec.required) missing.push(key);
      return;
    }
    const t = columnTensor(column.values, COLSPEC_DTYPE[spec.type] ?? 'str', key, column.fromText);
    if (t.shape.length !== 1) throw schemaError(`Column '${key}' must hold scalars of type ${spec.type}, got values of shape ${JSON.stringify(t.shape.slice(1))}.`);
    out[key] = t;
  });
  if (missing.length > 0) {
    const extra = named ? [...columns.keys()].filter((k) => !specs.some((s) => s.name === k)) : [];
    throw missingInputs(missing, extra);
  }
  const lengths = new Set(Object.values(out).map((t) => t.shape[0]));
  if (lengths.size > 1) throw badRequest('Failed to parse data as TF serving input. The length of values for each input/column name are not the same');
  if (!named && specs.length === 1 && out['0'] !== undefined) return out['0'];
  return out;
}

interface Column {
  readonly values: ArrayLike<unknown>;
  readonly fromText: boolean;
}

/** The payload as named columns (insertion order kept, for unnamed schemas matched by position). */
function payloadColumns(payload: Payload, specs: readonly ColumnSpec[]): Map<string, Column> {
  const columns = new Map<string, Column>();
  if (payload.kind === 'frame') {
    frameNames(payload).forEach((n, c) => columns.set(n, { values: payload.columns[c]!, fromText: payload.fromText }));
  } else if (payload.kind === 'tensors') {
    for (const [k, v] of Object.entries(payload.values)) columns.set(k, { values: isListLike(v) ? v : [v], fromText: false });
  } else {
    const value = payload.value;
    const list = isListLike(value) ? value : [value];
    const rowsOfCells = list.length > 0 && isListLike(list[0]) && specs.length > 1;
    if (!rowsOfCells) {
      // A plain list feeds a one-column schema (MLflow maps it to the only input name).
      columns.set(specs[0]!.name ?? '0', { values: list, fromText: false });
    } else {
      specs.forEach((s, c) =>
        columns.set(s.name ?? String(c), {
          values: Array.from(list, (row, r) => {
            if (!isListLike(row) || row.length !== specs.length) {
              throw schemaError(`Row ${r} has ${isListLike(row) ? row.length : 1} values; the signature has ${specs.length} columns.`);
            }
            return row[c];
          }),
          fromText: false,
        }),
      );
    }
  }
  return columns;
}

/** Describes a schema compactly for logs and errors, e.g. `[x: float32 (-1, 4)]`. */
export function describeSchema(schema: Schema): string {
  if (schema.kind === 'tensor') return `[${schema.specs.map((s) => `${s.name ?? ''}${s.name ? ': ' : ''}${s.dtype} (${s.shape.join(', ')})`).join(', ')}]`;
  return `[${schema.specs.map((s) => `${s.name ?? ''}${s.name ? ': ' : ''}${s.type}${s.required ? '' : ' (optional)'}`).join(', ')}]`;
}
