/**
 * What one kind of search accepts, as data: entity prefixes, keys, comparators and value types
 * for filters, and what order_by may name. One schema per search (runs, experiments, registered
 * models, model versions) drives the same checks (check-comparison.ts, check-order-by.ts).
 */
import type { Comparator, EntityType } from './ast.js';

/** Comparators of numeric keys (metrics, times, version numbers). */
export const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<='];
/** Comparators of string keys (params, tags, string attributes). */
export const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
/** Comparators of string keys that also take lists (run ids, dataset fields). */
export const STRING_AND_LIST_COMPARATORS: readonly Comparator[] = [...STRING_COMPARATORS, 'IN', 'NOT IN'];

/** How one key may be compared. */
export interface KeyRule {
  /** The key the AST carries (an alias resolved); absent: the key as written. */
  readonly canonical?: string;
  readonly valueType: 'string' | 'number';
  readonly comparators: readonly Comparator[];
  /**
   * Drop list items with uppercase letters, as MLflow does for run ids (they are all lowercase,
   * and MySQL's IN would otherwise match case-insensitively).
   */
  readonly dropUppercaseListItems?: boolean;
}

/** What one entity accepts in a filter. */
export interface EntityRule {
  /** How messages name this entity's values: "Expected a quoted string value for <label>". */
  readonly valueLabel: string;
  /** How messages name a bad key: "Invalid <keyLabel> key 'x' specified". */
  readonly keyLabel: string;
  /** The keys accepted (aliases included); absent: any non-empty key, compared as `anyKey`. */
  readonly keys?: ReadonlyMap<string, KeyRule>;
  readonly anyKey?: KeyRule;
}

/** Everything one kind of search accepts. */
export interface SearchSchema {
  /** Entity prefix as written (`metrics`, `attr`…) → entity. A bare key is an attribute. */
  readonly prefixes: ReadonlyMap<string, EntityType>;
  /** The message for a prefix not in `prefixes`. */
  readonly invalidEntityMessage: (entity: string) => string;
  /** What filters accept, per entity. */
  readonly filter: Readonly<Partial<Record<EntityType, EntityRule>>>;
  /** The entities order_by may name. */
  readonly orderByEntities: readonly EntityType[];
  /** The attribute keys order_by may name (aliases included) → canonical key. */
  readonly orderByAttributes: ReadonlyMap<string, string>;
}

/** A rule for any key of a string entity (params, tags). */
export function anyStringKey(valueLabel: string): EntityRule {
  return { valueLabel, keyLabel: valueLabel, anyKey: { valueType: 'string', comparators: STRING_COMPARATORS } };
}
