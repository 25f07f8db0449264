/** Search → SQL builders shared by the SQL stores (SQLite now, PostgreSQL later). */
export type { SqlBindValue, SqlDialect } from './dialect.js';
export { sqliteDialect, postgresDialect, likeToGlob, SqlParams } from './dialect.js';
export { stringComparison, numericComparison } from './comparisons.js';
export type { RunSearchQuery, BuiltQuery, RunSearchArm, RunSearchArmsOptions, RunSearchDriver, RunSearchProbe, RunSearchSqlOptions } from './runs-search-sql.js';
export { buildRunSearchSql, buildRunSearchArms, buildRunSearchProbes, buildRunSearchDriverProbes, lifecycleCondition } from './runs-search-sql.js';
export type { ExperimentSearchQuery } from './experiments-search-sql.js';
export { buildExperimentSearchSql } from './experiments-search-sql.js';
export type { RegistrySearchQuery } from './registry-search-sql.js';
export { buildRegisteredModelSearchSql, buildModelVersionSearchSql, PROMPT_TAG } from './registry-search-sql.js';
