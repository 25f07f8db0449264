/** Runs and metric histories as Apache Arrow tables (lablog's `search_runs` → DataFrame). */
export { runsToArrow, RUN_INFO_COLUMNS } from './runs-to-arrow.js';
export { metricHistoryToArrow, metricHistoryFromArrow } from './metric-history-arrow.js';
export type { ColumnSpec } from './table-from-columns.js';
export { tableFromColumns } from './table-from-columns.js';
