/** A double as MLflow writes it in JSON: a number, or "NaN" / "Infinity" / "-Infinity". */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity';

/** number → MLflow JSON double. */
export function wireDouble(v: number): WireDouble {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** MLflow JSON double → number; NaN for anything unreadable. */
export function readWireDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}
