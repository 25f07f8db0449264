/**
 * Registry searches → SQL (ref §3.4): registered models (`registered_models`,
 * `registered_model_tags`) and model versions (`model_versions` joined to its model,
 * `model_version_tags`).
 */
import { invalidParameter } from '../../errors.js';
import type { Comparison, OrderByClause } from '../../search/ast.js';
import { SqlParams, type SqlDialect } from './dialect.js';
import { direction, numericComparison, stringComparison } from './comparisons.js';
import type { BuiltQuery } from './runs-search-sql.js';

/** What a registry search asks for. */
export interface RegistrySearchQuery {
  filter: readonly Comparison[];
  orderBy: readonly OrderByClause[];
  limit: number;
  offset: number;
}

/** The tag registry searches hide unless the filter names it: prompts are models too. */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';

const MODEL_COLUMNS: Readonly<Record<string, string>> = {
  name: 'm.name',
  creation_timestamp: 'm.creation_timestamp',
  creation_time: 'm.creation_timestamp',
  last_updated_timestamp: 'm.last_updated_timestamp',
  last_update_time: 'm.last_updated_timestamp',
  timestamp: 'm.last_updated_timestamp',
};

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: 'm.name',
  run_id: 'v.run_id',
  source_path: 'v.source',
  source: 'v.source',
  version_number: 'v.version',
  version: 'v.version',
  current_stage: 'v.current_stage',
  creation_timestamp: 'v.creation_timestamp',
  last_updated_timestamp: 'v.last_updated_timestamp',
  timestamp: 'v.last_updated_timestamp',
};
const NUMERIC = new Set(['m.creation_timestamp', 'm.last_updated_timestamp', 'v.version', 'v.creation_timestamp', 'v.last_updated_timestamp']);

function conditions(
  dialect: SqlDialect,
  p: SqlParams,
  filter: readonly Comparison[],
  columns: Readonly<Record<string, string>>,
  tagExists: (keyPh: string, cond: string) => string,
  what: string,
): string[] {
  const where: string[] = [];
  for (const c of filter) {
    if (c.type === 'tag') {
      const k = p.add(c.key);
      where.push(tagExists(k, stringComparison(dialect, p, 't.value', c)));
    } else if (c.type === 'attribute') {
      const col = columns[c.key];
      if (!col) throw invalidParameter(`Invalid attribute key '${c.key}' specified for ${what} search.`);
      where.push(NUMERIC.has(col) ? numericComparison(p, col, c) : stringComparison(dialect, p, col, c));
    } else {
      throw invalidParameter(`Invalid entity type '${c.type}' for ${what} search.`);
    }
  }
  return where;
}

function mentionsPromptTag(filter: readonly Comparison[]): boolean {
  return filter.some((c) => c.type === 'tag' && c.key === PROMPT_TAG);
}

/** Builds the page query of a registered-model search, selecting `m.id`. Default order `name ASC`. */
export function buildRegisteredModelSearchSql(dialect: SqlDialect, q: RegistrySearchQuery): BuiltQuery {
  const p = new SqlParams(dialect);
  const tagExists = (k: string, cond: string) =>
    `EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_id = m.id AND t.key = ${k} AND ${cond})`;
  const where = conditions(dialect, p, q.filter, MODEL_COLUMNS, tagExists, 'registered model');
  if (!mentionsPromptTag(q.filter)) {
    where.push(`NOT EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_id = m.id AND t.key = ${p.add(PROMPT_TAG)} AND t.value = 'true')`);
  }
  const order: string[] = [];
  let hasName = false;
  for (const o of q.orderBy) {
    const col = o.type === 'attribute' ? MODEL_COLUMNS[o.key] : undefined;
    if (!col) throw invalidParameter(`Invalid order by key '${o.key}' specified for registered model search.`);
    if (col === 'm.name') hasName = true;
    order.push(`${col} ${direction(o.ascending)}`);
  }
  if (!hasName) order.push('m.name ASC');
  const sql =
    `SELECT m.id FROM registered_models m WHERE ${where.length ? where.join(' AND ') : '1 = 1'} ` +
    `ORDER BY ${order.join(', ')} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`;
  return p.render(sql);
}

/**
 * Builds the page query of a model-version search, selecting `v.model_id, v.version`. Default
 * order `last_updated_timestamp DESC, name ASC, version DESC`; `name ASC` and `version DESC`
 * break ties when not named.
 */
export function buildModelVersionSearchSql(dialect: SqlDialect, q: RegistrySearchQuery): BuiltQuery {
  const p = new SqlParams(dialect);
  const tagExists = (k: string, cond: string) =>
    `EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_id = v.model_id AND t.version = v.version AND t.key = ${k} AND ${cond})`;
  const where = conditions(dialect, p, q.filter, VERSION_COLUMNS, tagExists, 'model version');
  if (!mentionsPromptTag(q.filter)) {
    where.push(`NOT EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_id = m.id AND t.key = ${p.add(PROMPT_TAG)} AND t.value = 'true')`);
  }
  const order: string[] = [];
  const clauses = q.orderBy.length > 0 ? q.orderBy : DEFAULT_VERSION_ORDER;
  const named = new Set<string>();
  for (const o of clauses) {
    const col = o.type === 'attribute' ? VERSION_COLUMNS[o.key] : undefined;
    if (!col) throw invalidParameter(`Invalid order by key '${o.key}' specified for model version search.`);
    named.add(col);
    order.push(`${col} ${direction(o.ascending)}`);
  }
  if (!named.has('m.name')) order.push('m.name ASC');
  if (!named.has('v.version')) order.push('v.version DESC');
  const sql =
    `SELECT v.model_id, v.version FROM model_versions v JOIN registered_models m ON m.id = v.model_id ` +
    `WHERE ${where.length ? where.join(' AND ') : '1 = 1'} ` +
    `ORDER BY ${order.join(', ')} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`;
  return p.render(sql);
}

const DEFAULT_VERSION_ORDER: readonly OrderByClause[] = [
  { type: 'attribute', key: 'last_updated_timestamp', ascending: false },
  { type: 'attribute', key: 'name', ascending: true },
  { type: 'attribute', key: 'version_number', ascending: false },
];
