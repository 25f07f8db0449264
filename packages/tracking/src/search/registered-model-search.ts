/**
 * What registered models search accepts (ref §3.4, MLflow's `SearchModelUtils`): `name` and
 * tags in filters; `name`, `creation_timestamp`, `last_updated_timestamp` in order_by.
 */
import type { Comparison, OrderByClause } from './ast.js';
import { parseFilterFor, parseOrderByFor } from './parse-search.js';
import { registryStyleInvalidEntity, registryStylePrefixes } from './registry-prefixes.js';
import { STRING_COMPARATORS, anyStringKey, type SearchSchema } from './search-schema.js';

/** The registered models search schema. */
export const REGISTERED_MODEL_SEARCH: SearchSchema = {
  prefixes: registryStylePrefixes,
  invalidEntityMessage: registryStyleInvalidEntity,
  filter: {
    attribute: {
      valueLabel: 'attributes',
      keyLabel: 'attribute',
      keys: new Map([['name', { valueType: 'string', comparators: STRING_COMPARATORS }]]),
    },
    tag: anyStringKey('tag'),
  },
  orderByEntities: ['attribute'],
  orderByAttributes: new Map(['name', 'creation_timestamp', 'last_updated_timestamp'].map((k) => [k, k])),
};

/** Parses a registered models search filter (ref §3.4); undefined, empty or blank → []. */
export function parseRegisteredModelFilter(filter: string | undefined): Comparison[] {
  return parseFilterFor(REGISTERED_MODEL_SEARCH, filter);
}

/** Parses registered models order_by clauses; defaults are added by {@link fullRegisteredModelOrder}. */
export function parseRegisteredModelOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  return parseOrderByFor(REGISTERED_MODEL_SEARCH, orderBy);
}
