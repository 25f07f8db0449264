/**
 * What model versions search accepts (ref §3.4, MLflow's `SearchModelVersionUtils`): `name`,
 * `run_id` (also `IN`), `source_path`, `version_number` and tags in filters; `name`,
 * `version_number`, `creation_timestamp`, `last_updated_timestamp` in order_by.
 */
import type { Comparison, OrderByClause } from './ast.js';
import { parseFilterFor, parseOrderByFor } from './parse-search.js';
import { registryStyleInvalidEntity, registryStylePrefixes } from './registry-prefixes.js';
import { NUMERIC_COMPARATORS, STRING_COMPARATORS, anyStringKey, type SearchSchema } from './search-schema.js';

/** The model versions search schema. */
export const MODEL_VERSION_SEARCH: SearchSchema = {
  prefixes: registryStylePrefixes,
  invalidEntityMessage: registryStyleInvalidEntity,
  filter: {
    attribute: {
      valueLabel: 'attributes',
      keyLabel: 'attribute',
      keys: new Map([
        ['name', { valueType: 'string', comparators: STRING_COMPARATORS }],
        ['run_id', { valueType: 'string', comparators: [...STRING_COMPARATORS, 'IN'], dropUppercaseListItems: true }],
        ['source_path', { valueType: 'string', comparators: STRING_COMPARATORS }],
        ['version_number', { valueType: 'number', comparators: NUMERIC_COMPARATORS }],
      ]),
    },
    tag: anyStringKey('tag'),
  },
  orderByEntities: ['attribute'],
  orderByAttributes: new Map(
    ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'].map((k) => [k, k]),
  ),
};

/**
 * Parses a model versions search filter (ref §3.4); undefined, empty or blank → []. Keys stay
 * MLflow's (`source_path` matches the `source` field, `version_number` the version).
 */
export function parseModelVersionFilter(filter: string | undefined): Comparison[] {
  return parseFilterFor(MODEL_VERSION_SEARCH, filter);
}

/** Parses model versions order_by clauses; defaults are added by {@link fullModelVersionOrder}. */
export function parseModelVersionOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  return parseOrderByFor(MODEL_VERSION_SEARCH, orderBy);
}
