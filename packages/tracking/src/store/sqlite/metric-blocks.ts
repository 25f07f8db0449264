/**
 * Metric history is stored in blocks: one row per (run, key, write) holding up to
 * {@link MAX_BLOCK_POINTS} points as packed little-endian float64 columns (steps, timestamps,
 * values, and optionally context ids). A batch of 1000 points over 10 keys is 10 row inserts,
 * not 1000, and reading a history of 1M points decodes ~10k blobs instead of stepping through
 * 1M rows. NaN and ±Infinity are float64 values like any other, so they round-trip exactly.
 *
 * Small writes (single `logMetric` calls) merge into the key's last block while it holds fewer
 * than {@link MERGE_BELOW} points, so block count stays bounded.
 */

/** A block never grows beyond this many points by merging. */
export const MAX_BLOCK_POINTS = 1024;
/** A new write merges into the last block while that block holds fewer points than this. */
export const MERGE_BELOW = 64;

/** The decoded columns of a block (or of several, concatenated). */
export interface PointColumns {
  steps: Float64Array;
  timestamps: Float64Array;
  values: Float64Array;
  /** Context ids (0 = none); undefined when no point has one. */
  contexts: Float64Array | undefined;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Packs float64s as little-endian bytes for a BLOB column. */
export function packFloat64(xs: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(xs.buffer, xs.byteOffset, xs.byteLength);
  const out = new Uint8Array(xs.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < xs.length; i++) view.setFloat64(i * 8, xs[i]!, true);
  return out;
}

/** Reads a BLOB of little-endian float64s (any alignment). */
export function unpackFloat64(blob: Uint8Array): Float64Array {
  const n = blob.byteLength >>> 3;
  if (LITTLE_ENDIAN) {
    if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, n);
    const copy = new Uint8Array(n * 8);
    copy.set(blob.subarray(0, n * 8));
    return new Float64Array(copy.buffer);
  }
  const out = new Float64Array(n);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** Concatenates two sets of columns (for merging a write into the last block). */
export function concatColumns(a: PointColumns, b: PointColumns): PointColumns {
  const cat = (x: Float64Array, y: Float64Array) => {
    const out = new Float64Array(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const ctx = a.contexts || b.contexts ? cat(a.contexts ?? new Float64Array(a.steps.length), b.contexts ?? new Float64Array(b.steps.length)) : undefined;
  return { steps: cat(a.steps, b.steps), timestamps: cat(a.timestamps, b.timestamps), values: cat(a.values, b.values), contexts: ctx };
}

/** Min and max of a float64 column (for the block's step range). */
export function minMax(xs: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
