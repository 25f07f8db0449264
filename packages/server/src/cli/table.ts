/**
 * Plain-text tables for the terminal: columns padded to their widest cell, a rule under the
 * header, long cells cut with an ellipsis so one wide value does not wreck the layout.
 */
export interface TableOptions {
  /** Widest a cell may be before it is cut (default 60). */
  maxCellWidth?: number;
}

/** Renders rows under a header as an aligned text table (no trailing spaces). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const max = opts.maxCellWidth ?? 60;
  const cut = (s: string) => (s.length > max ? s.slice(0, max - 1) + '…' : s);
  const cells = [header.map(cut), ...rows.map((r) => r.map((c) => cut(c.replace(/\s+/g, ' '))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells.slice(1)) out.push(line(r));
  return out.join('\n');
}

/** Milliseconds since the epoch → `YYYY-MM-DD HH:MM:SS` (UTC); empty for null/0. */
export function formatTime(ms: number | null | undefined): string {
  if (!ms) return '';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** A duration between two epoch-ms times, as `1h 02m`, `3m 04s` or `5.2s`. */
export function formatDuration(start: number, end: number | null | undefined): string {
  if (!start || !end) return '';
  const s = (end - start) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
