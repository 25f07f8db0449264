import { createHash, type Hash } from 'node:crypto';
import { DataType } from 'apache-arrow';
import type { Table } from 'apache-arrow';

/** Rows hashed at most, as MLflow's `MAX_ROWS` in `mlflow/data/digest_utils.py`. */
export const DIGEST_MAX_ROWS = 10_000;

/** Characters of the hex MD5 kept, as MLflow. */
export const DIGEST_LENGTH = 8;

/** How a column's values enter the digest; `null` for columns left out. */
type ValueKind = 'float64' | 'int64' | 'uint64' | 'string' | null;

function valueKindOf(type: DataType): ValueKind {
  if (DataType.isDictionary(type)) return valueKindOf(type.dictionary);
  if (DataType.isInt(type)) return type.bitWidth < 64 ? 'float64' : type.isSigned ? 'int64' : 'uint64';
  if (DataType.isFloat(type)) return 'float64';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return 'string';
  return null;
}

/** Buffers small writes into one MD5 `update` per 64 KiB. */
class HashWriter {
  private readonly buf = new Uint8Array(64 * 1024);
  private readonly view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly hash: Hash) {}

  private room(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }

  flush(): void {
    if (this.pos > 0) this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    // One NaN bit pattern, whatever the engine's.
    if (Number.isNaN(v)) {
      this.view.setUint32(this.pos, 0, true);
      this.view.setUint32(this.pos + 4, 0x7ff80000, true);
    } else {
      this.view.setFloat64(this.pos, v, true);
    }
    this.pos += 8;
  }

  i64(v: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.pos, BigInt.asIntN(64, v), true);
    this.pos += 8;
  }

  u64(v: bigint): void {
    this.room(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }

  /** Length-prefixed UTF-8. */
  str(s: string): void {
    const bytes = this.encoder.encode(s);
    this.u32(bytes.length);
    if (bytes.length > this.buf.length - this.pos) {
      this.flush();
      this.hash.update(bytes);
    } else {
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
  }
}

function toBigInt(v: unknown): bigint {
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
}

/**
 * MLflow-style digest of an Arrow table: the MD5 of the bytes below, as hex, truncated to
 * {@link DIGEST_LENGTH} characters. Like MLflow's pandas digest it covers the first
 * {@link DIGEST_MAX_ROWS} rows of the string and numeric columns, the row count and the column
 * names; the byte layout is lablog's own (MLflow's uses pandas' internal row hashing), so a
 * digest matches other lablog digests, not Python MLflow's for the same data.
 *
 * Bytes hashed, all integers little-endian:
 * 1. for each *hashed* column, in schema order — integer (any width), floating-point, and
 *    string columns (Utf8, LargeUtf8, Utf8View; dictionaries by their values) — the column's
 *    index as uint32, then each of its first `min(numRows, 10 000)` values:
 *    - null: byte `0x00`;
 *    - Int8…Int32, Uint8…Uint32, Float16/32/64: `0x01` + the value as float64 (NaN as
 *      `0x7FF8000000000000`);
 *    - Int64: `0x02` + int64; Uint64: `0x03` + uint64;
 *    - string: `0x04` + UTF-8 byte length as uint32 + the UTF-8 bytes;
 * 2. the total row count (all rows) as int64;
 * 3. for every column, hashed or not, in schema order: its name as UTF-8 byte length (uint32)
 *    + UTF-8 bytes.
 *
 * Boolean, temporal, binary, decimal and nested columns contribute only their names, as in
 * MLflow: changing only their values keeps the digest.
 */
export function computeArrowTableDigest(table: Table): string {
  const hash = createHash('md5');
  const w = new HashWriter(hash);
  const rows = Math.min(table.numRows, DIGEST_MAX_ROWS);
  const fields = table.schema.fields;
  for (let c = 0; c < fields.length; c++) {
    const kind = valueKindOf(fields[c].type);
    if (kind === null) continue;
    const column = table.getChildAt(c);
    if (column === null) continue;
    w.u32(c);
    for (let r = 0; r < rows; r++) {
      const v: unknown = column.get(r);
      if (v === null || v === undefined) {
        w.u8(0x00);
      } else if (kind === 'float64') {
        w.u8(0x01);
        w.f64(Number(v));
      } else if (kind === 'int64') {
        w.u8(0x02);
        w.i64(toBigInt(v));
      } else if (kind === 'uint64') {
        w.u8(0x03);
        w.u64(toBigInt(v));
      } else {
        w.u8(0x04);
        w.str(String(v));
      }
    }
  }
  w.i64(BigInt(table.numRows));
  for (const field of fields) w.str(field.name);
  w.flush();
  return hash.digest('hex').slice(0, DIGEST_LENGTH);
}
