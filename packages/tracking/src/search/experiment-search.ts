/**
 * What experiments search accepts (ref §3.3, MLflow's `SearchExperimentsUtils`): `name`,
 * `creation_time`, `last_update_time` and tags in filters; `name`, `experiment_id`,
 * `creation_time`, `last_update_time` in order_by.
 */
import type { Comparison, OrderByClause } from './ast.js';
import { parseFilterFor, parseOrderByFor } from './parse-search.js';
import { NUMERIC_COMPARATORS, STRING_COMPARATORS, anyStringKey, type SearchSchema } from './search-schema.js';
import { registryStylePrefixes, registryStyleInvalidEntity } from './registry-prefixes.js';

/** The experiments search schema. */
export const EXPERIMENT_SEARCH: SearchSchema = {
  prefixes: registryStylePrefixes,
  invalidEntityMessage: registryStyleInvalidEntity,
  filter: {
    attribute: {
      valueLabel: 'attributes',
      keyLabel: 'attribute',
      keys: new Map([
        ['name', { valueType: 'string', comparators: STRING_COMPARATORS }],
        ['creation_time', { valueType: 'number', comparators: NUMERIC_COMPARATORS }],
        ['last_update_time', { valueType: 'number', comparators: NUMERIC_COMPARATORS }],
      ]),
    },
    tag: anyStringKey('tag'),
  },
  orderByEntities: ['attribute'],
  orderByAttributes: new Map(['name', 'experiment_id', 'creation_time', 'last_update_time'].map((k) => [k, k])),
};

/** Parses an experiments search filter (ref §3.3); undefined, empty or blank → []. */
export function parseExperimentFilter(filter: string | undefined): Comparison[] {
  return parseFilterFor(EXPERIMENT_SEARCH, filter);
}

/** Parses experiments order_by clauses; defaults are added by {@link fullExperimentOrder}. */
export function parseExperimentOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  return parseOrderByFor(EXPERIMENT_SEARCH, orderBy);
}
