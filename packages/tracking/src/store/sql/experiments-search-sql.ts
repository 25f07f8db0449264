/**
 * Experiments search → SQL over the `experiments` and `experiment_tags` tables (ref §3.3).
 * Default order `creation_time DESC, experiment_id ASC`; with an explicit order that does not
 * name `experiment_id`, `experiment_id DESC` breaks ties (MLflow's SQL store).
 */
import { invalidParameter } from '../../errors.js';
import type { Comparison, OrderByClause } from '../../search/ast.js';
import type { ViewType } from '../../entities/enums.js';
import { SqlParams, type SqlDialect } from './dialect.js';
import { direction, numericComparison, stringComparison } from './comparisons.js';
import { lifecycleCondition, type BuiltQuery } from './runs-search-sql.js';

/** What an experiments search asks for. */
export interface ExperimentSearchQuery {
  viewType: ViewType;
  filter: readonly Comparison[];
  orderBy: readonly OrderByClause[];
  limit: number;
  offset: number;
}

const COLUMNS: Readonly<Record<string, string>> = {
  name: 'e.name',
  experiment_id: 'e.experiment_id',
  creation_time: 'e.creation_time',
  last_update_time: 'e.last_update_time',
};
const NUMERIC = new Set(['e.creation_time', 'e.last_update_time', 'e.experiment_id']);

/** Builds the page query of an experiments search, selecting `e.experiment_id`. */
export function buildExperimentSearchSql(dialect: SqlDialect, q: ExperimentSearchQuery): BuiltQuery {
  const p = new SqlParams(dialect);
  const where = [lifecycleCondition('e.lifecycle_stage', q.viewType)];
  for (const c of q.filter) {
    if (c.type === 'tag') {
      const k = p.add(c.key);
      where.push(
        `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ${k} AND ${stringComparison(dialect, p, 't.value', c)})`,
      );
    } else if (c.type === 'attribute') {
      const col = COLUMNS[c.key];
      if (!col) throw invalidParameter(`Invalid attribute key '${c.key}' specified.`);
      where.push(NUMERIC.has(col) ? numericComparison(p, col, c) : stringComparison(dialect, p, col, c));
    } else {
      throw invalidParameter(`Invalid entity type '${c.type}' for experiments search.`);
    }
  }
  const order: string[] = [];
  if (q.orderBy.length === 0) {
    order.push('e.creation_time DESC', 'e.experiment_id ASC');
  } else {
    let hasId = false;
    for (const o of q.orderBy) {
      const col = o.type === 'attribute' ? COLUMNS[o.key] : undefined;
      if (!col) throw invalidParameter(`Invalid order_by key '${o.key}' for experiments search.`);
      if (col === 'e.experiment_id') hasId = true;
      order.push(`${col} ${direction(o.ascending)}`);
    }
    if (!hasId) order.push('e.experiment_id DESC');
  }
  const sql =
    `SELECT e.experiment_id FROM experiments e WHERE ${where.join(' AND ')} ` +
    `ORDER BY ${order.join(', ')} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`;
  return p.render(sql);
}
