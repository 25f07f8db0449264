/**
 * What runs search accepts (ref §3.2, MLflow's `SearchUtils`): metrics, params, tags, run
 * attributes and datasets in filters; metrics, params, tags and attributes in order_by.
 */
import type { Comparison, EntityType, OrderByClause } from './ast.js';
import { parseFilterFor, parseOrderByFor } from './parse-search.js';
import { pythonList } from './search-errors.js';
import {
  NUMERIC_COMPARATORS,
  STRING_AND_LIST_COMPARATORS,
  STRING_COMPARATORS,
  anyStringKey,
  type KeyRule,
  type SearchSchema,
} from './search-schema.js';

const ENTITY_NAMES = ['metric', 'parameter', 'tag', 'attribute', 'dataset'];

const PREFIXES = new Map<string, EntityType>([
  ['metric', 'metric'],
  ['metrics', 'metric'],
  ['parameter', 'param'],
  ['parameters', 'param'],
  ['param', 'param'],
  ['params', 'param'],
  ['tag', 'tag'],
  ['tags', 'tag'],
  ['attribute', 'attribute'],
  ['attributes', 'attribute'],
  ['attr', 'attribute'],
  ['run', 'attribute'],
  ['dataset', 'dataset'],
  ['datasets', 'dataset'],
]);

const runName: KeyRule = { canonical: 'run_name', valueType: 'string', comparators: STRING_COMPARATORS };
const startTime: KeyRule = { canonical: 'start_time', valueType: 'number', comparators: NUMERIC_COMPARATORS };

/** Run attributes, aliases included. */
const ATTRIBUTES = new Map<string, KeyRule>([
  ['run_id', { canonical: 'run_id', valueType: 'string', comparators: STRING_AND_LIST_COMPARATORS, dropUppercaseListItems: true }],
  ['run_name', runName],
  ['run name', runName],
  ['Run name', runName],
  ['Run Name', runName],
  ['status', { canonical: 'status', valueType: 'string', comparators: STRING_COMPARATORS }],
  ['user_id', { canonical: 'user_id', valueType: 'string', comparators: STRING_COMPARATORS }],
  ['artifact_uri', { canonical: 'artifact_uri', valueType: 'string', comparators: STRING_COMPARATORS }],
  ['start_time', startTime],
  ['created', startTime],
  ['Created', startTime],
  ['end_time', { canonical: 'end_time', valueType: 'number', comparators: NUMERIC_COMPARATORS }],
]);

const datasetKey = (canonical: string): KeyRule => ({ canonical, valueType: 'string', comparators: STRING_AND_LIST_COMPARATORS });

/** The runs search schema. */
export const RUN_SEARCH: SearchSchema = {
  prefixes: PREFIXES,
  invalidEntityMessage: (entity) => `Invalid entity type '${entity}'. Valid values are ${pythonList(ENTITY_NAMES)}`,
  filter: {
    metric: {
      valueLabel: 'metric',
      keyLabel: 'metric',
      anyKey: { valueType: 'number', comparators: NUMERIC_COMPARATORS },
    },
    param: anyStringKey('parameter'),
    tag: anyStringKey('tag'),
    attribute: { valueLabel: 'attributes', keyLabel: 'attribute', keys: ATTRIBUTES },
    dataset: {
      valueLabel: 'dataset attributes',
      keyLabel: 'dataset',
      keys: new Map(['name', 'digest', 'context'].map((k) => [k, datasetKey(k)])),
    },
  },
  orderByEntities: ['metric', 'param', 'tag', 'attribute'],
  orderByAttributes: new Map([...ATTRIBUTES].map(([alias, rule]) => [alias, rule.canonical ?? alias])),
};

/**
 * Parses a runs search filter (ref §3.2) into ANDed comparisons; undefined, empty or blank → [].
 * Keys are canonical (`start_time` for `created`, `run_name` for `Run name`); `run_id IN` lists
 * lose ids with uppercase letters, as in MLflow. Throws INVALID_PARAMETER_VALUE naming the position.
 */
export function parseRunFilter(filter: string | undefined): Comparison[] {
  return parseFilterFor(RUN_SEARCH, filter);
}

/**
 * Parses runs order_by clauses (`metrics.rmse DESC`, `start_time`, ``params.`lr` ASC``); datasets
 * cannot be sorted on. Defaults are not added here: see {@link fullRunOrder}.
 */
export function parseRunOrderBy(orderBy: readonly string[] | undefined): OrderByClause[] {
  return parseOrderByFor(RUN_SEARCH, orderBy);
}
