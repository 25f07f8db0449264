import { DataType, Precision } from 'apache-arrow';
import type { Field, Schema } from 'apache-arrow';

/** The MLflow ColSpec types an Arrow column can map to (mlflow-compat.md §8.3). */
export type ColSpecType = 'boolean' | 'integer' | 'long' | 'float' | 'double' | 'string' | 'binary' | 'datetime';

/** One column of an MLflow column-based schema, in `Schema.to_json` key order. */
export interface ColSpec {
  readonly type: ColSpecType;
  readonly name: string;
  readonly required: boolean;
}

/**
 * The ColSpec type of an Arrow type, following MLflow's numpy/pandas inference:
 *
 * | Arrow | ColSpec |
 * |---|---|
 * | Bool | boolean |
 * | Int8/16/32, Uint8/16 | integer |
 * | Int64, Uint32 | long |
 * | Float16, Float32 | float |
 * | Float64 | double |
 * | Utf8, LargeUtf8, Utf8View | string |
 * | Binary, LargeBinary, BinaryView, FixedSizeBinary | binary |
 * | Date, Timestamp (any unit or zone) | datetime |
 * | Dictionary | the type of its values |
 *
 * Anything else — Uint64 (MLflow refuses it as unsafe), Decimal, Time, Duration, Interval,
 * Null, and nested types — gives `null`.
 */
export function colSpecTypeOf(type: DataType): ColSpecType | null {
  if (DataType.isDictionary(type)) return colSpecTypeOf(type.dictionary);
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isInt(type)) {
    if (type.isSigned) return type.bitWidth <= 32 ? 'integer' : 'long';
    return type.bitWidth < 32 ? 'integer' : type.bitWidth === 32 ? 'long' : null;
  }
  if (DataType.isFloat(type)) return type.precision === Precision.DOUBLE ? 'double' : 'float';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return 'string';
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isBinaryView(type) || DataType.isFixedSizeBinary(type)) {
    return 'binary';
  }
  if (DataType.isDate(type) || DataType.isTimestamp(type)) return 'datetime';
  return null;
}

/** The ColSpec of one field; a nullable field is not required. `null` when the type has no ColSpec. */
export function colSpecFromArrowField(field: Field): ColSpec | null {
  const type = colSpecTypeOf(field.type);
  return type === null ? null : { type, name: field.name, required: !field.nullable };
}

/**
 * The ColSpecs of every field, or `null` when any field has no ColSpec type — MLflow then logs
 * the dataset without a schema rather than a partial one.
 */
export function colSpecsFromArrowSchema(schema: Schema): ColSpec[] | null {
  const out: ColSpec[] = [];
  for (const field of schema.fields) {
    const spec = colSpecFromArrowField(field);
    if (spec === null) return null;
    out.push(spec);
  }
  return out;
}
