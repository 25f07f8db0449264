/**
 * A hash set of metric points by identity (step, timestamp, value), for de-duplication: MLflow's
 * SQL store keeps one of equal points. Keys are the three float64s themselves (no string per
 * point), in an open-addressing table over typed arrays, so a set of 1000 points is four
 * allocations, not thousands.
 *
 * Equality is that of the string ids this replaces (`${step}|${timestamp}|${value}`): `-0`
 * equals `0`, and NaN equals NaN.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix(h: number, x: number): number {
  if (x === 0) x = 0; // -0 hashes as 0
  else if (x !== x) return Math.imul(h ^ 0x7ff80000, 0x9e3779b1); // every NaN alike
  f64[0] = x;
  h = Math.imul(h ^ u32[0]!, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ u32[1]!, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function hash(step: number, timestamp: number, value: number): number {
  return mix(mix(mix(0x2545f491, step), timestamp), value);
}

function same(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

/** A set of (step, timestamp, value) triples. */
export class PointSet {
  private steps: Float64Array;
  private timestamps: Float64Array;
  private values: Float64Array;
  /** Slot → entry index + 1; 0 is empty. Power-of-two size, at most half full. */
  private table: Int32Array;
  private n = 0;

  constructor(capacity = 16) {
    let slots = 32;
    while (slots < capacity * 2) slots *= 2;
    this.table = new Int32Array(slots);
    this.steps = new Float64Array(slots >>> 1);
    this.timestamps = new Float64Array(slots >>> 1);
    this.values = new Float64Array(slots >>> 1);
  }

  /** A set of the first `count` points of packed columns, with room for `capacity` points. */
  static of(steps: Float64Array, timestamps: Float64Array, values: Float64Array, count = steps.length, capacity = count): PointSet {
    const s = new PointSet(Math.max(count, capacity));
    for (let i = 0; i < count; i++) s.add(steps[i]!, timestamps[i]!, values[i]!);
    return s;
  }

  get size(): number {
    return this.n;
  }

  has(step: number, timestamp: number, value: number): boolean {
    const mask = this.table.length - 1;
    for (let slot = hash(step, timestamp, value) & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e === 0) return false;
      if (this.matches(e - 1, step, timestamp, value)) return true;
    }
  }

  /** Adds a point; false when an equal one is already in the set. */
  add(step: number, timestamp: number, value: number): boolean {
    const mask = this.table.length - 1;
    let slot = hash(step, timestamp, value) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e === 0) break;
      if (this.matches(e - 1, step, timestamp, value)) return false;
    }
    if (this.n >= this.steps.length) {
      this.grow();
      return this.add(step, timestamp, value);
    }
    const i = this.n++;
    this.steps[i] = step;
    this.timestamps[i] = timestamp;
    this.values[i] = value;
    this.table[slot] = i + 1;
    return true;
  }

  private matches(i: number, step: number, timestamp: number, value: number): boolean {
    return same(this.steps[i]!, step) && same(this.timestamps[i]!, timestamp) && same(this.values[i]!, value);
  }

  private grow(): void {
    const { steps, timestamps, values, n } = this;
    const slots = this.table.length * 2;
    this.table = new Int32Array(slots);
    this.steps = new Float64Array(slots >>> 1);
    this.timestamps = new Float64Array(slots >>> 1);
    this.values = new Float64Array(slots >>> 1);
    this.n = 0;
    for (let i = 0; i < n; i++) this.add(steps[i]!, timestamps[i]!, values[i]!);
  }
}
