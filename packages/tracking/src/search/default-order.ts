/**
 * The complete ordering each search applies: MLflow's default when order_by is empty, then the
 * tie-breakers it appends. In-memory sorting uses these; SQL stores can emit the same ORDER BY.
 */
import type { OrderByClause } from './ast.js';

const attr = (key: string, ascending: boolean): OrderByClause => ({ type: 'attribute', key, ascending });
const hasAttribute = (clauses: readonly OrderByClause[], key: string): boolean =>
  clauses.some((c) => c.type === 'attribute' && c.key === key);

/** Runs' natural order: `start_time DESC, run_id ASC`. */
export const DEFAULT_RUN_ORDER: readonly OrderByClause[] = [attr('start_time', false), attr('run_id', true)];

/**
 * Runs: the given clauses, then `start_time DESC, run_id ASC`. Sorting by this list at once
 * gives what MLflow gets by sorting in the natural order, then stably by each clause, last first.
 */
export function fullRunOrder(clauses: readonly OrderByClause[]): OrderByClause[] {
  return [...clauses, ...DEFAULT_RUN_ORDER];
}

/**
 * Experiments: the clauses, or `creation_time DESC, experiment_id ASC` when there are none;
 * then `experiment_id DESC` unless `experiment_id` is already named (MLflow's tie-breaker).
 */
export function fullExperimentOrder(clauses: readonly OrderByClause[]): OrderByClause[] {
  const order = clauses.length > 0 ? [...clauses] : [attr('creation_time', false), attr('experiment_id', true)];
  if (!hasAttribute(order, 'experiment_id')) order.push(attr('experiment_id', false));
  return order;
}

/** Registered models: the clauses, then `name ASC` unless `name` is already named. */
export function fullRegisteredModelOrder(clauses: readonly OrderByClause[]): OrderByClause[] {
  const order = [...clauses];
  if (!hasAttribute(order, 'name')) order.push(attr('name', true));
  return order;
}

/**
 * Model versions: the clauses, or `last_updated_timestamp DESC, name ASC, version_number DESC`
 * (the file store's default) when there are none; then `name ASC` and `version_number DESC`
 * unless already named.
 */
export function fullModelVersionOrder(clauses: readonly OrderByClause[]): OrderByClause[] {
  const order =
    clauses.length > 0
      ? [...clauses]
      : [attr('last_updated_timestamp', false), attr('name', true), attr('version_number', false)];
  if (!hasAttribute(order, 'name')) order.push(attr('name', true));
  if (!hasAttribute(order, 'version_number')) order.push(attr('version_number', false));
  return order;
}
