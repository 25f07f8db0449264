import { Field, makeData, RecordBatch, Schema, Struct, Table, vectorFromArray } from 'apache-arrow';
import type { DataType } from 'apache-arrow';

/** One column to build: values in row order, `null` for missing. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly values: readonly unknown[];
}

/**
 * A table from columns of equal length, with each field's type and nullability exactly as given
 * (`new Table({...})` would derive nullability and reorder integer-like names).
 */
export function tableFromColumns(columns: readonly ColumnSpec[]): Table {
  const fields = columns.map((c) => new Field(c.name, c.type, c.nullable));
  const schema = new Schema(fields);
  const length = columns.length === 0 ? 0 : columns[0].values.length;
  const children = columns.map((c) => {
    if (c.values.length !== length) throw new Error(`tableFromColumns: column '${c.name}' has ${c.values.length} values, expected ${length}`);
    // vectorFromArray builds with an unbounded high-water mark: always one chunk.
    const vector = vectorFromArray(c.values as unknown[], c.type);
    if (vector.data.length !== 1) throw new Error(`tableFromColumns: column '${c.name}' came out in ${vector.data.length} chunks`);
    return vector.data[0];
  });
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}
