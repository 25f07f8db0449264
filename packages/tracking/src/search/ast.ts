/**
 * The parsed form of MLflow search filters and `order_by` clauses (ref §3). Produced by the
 * parsers in this folder; consumed by the SQL builders of the SQL stores and by the in-memory
 * evaluator of the file store.
 */

/** What a comparison or ordering refers to. */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** Comparison operators MLflow accepts (which ones apply depends on the entity and key). */
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

/**
 * One `<entity>.<key> <comparator> <value>` clause of a filter. Clauses are ANDed.
 *
 * - `key` is the unquoted key; for attributes it is canonical (`run_name` for `Run name`,
 *   `start_time` for `created`, `experiment_id`…); for datasets `name`, `digest` or `context`.
 * - `value` is a number for numeric comparisons (metrics, time attributes, version numbers),
 *   a string for string comparisons, and a string list for `IN` / `NOT IN`.
 */
export interface Comparison {
  readonly type: EntityType;
  readonly key: string;
  readonly comparator: Comparator;
  readonly value: string | number | readonly string[];
}

/** One `order_by` clause. */
export interface OrderByClause {
  readonly type: EntityType;
  /** Canonical as in {@link Comparison.key}. */
  readonly key: string;
  readonly ascending: boolean;
}
