/**
 * Runs search → SQL over lablog's SQL schema (`runs`, `latest_metrics` + `metric_keys`,
 * `params`, `tags`, `inputs` + `datasets` + `input_tags`), in any {@link SqlDialect}.
 *
 * Filters: metrics compare the latest value (a NaN is stored as NULL and never matches
 * a numeric test except `!=`); params and tags are inner joins on (run, key), so a run lacking
 * the key never matches, even for `!=`; datasets match when any input of the run matches.
 * Order: each clause puts missing values last and NaN after numbers, in either direction, then
 * the default `start_time DESC, run_uuid ASC` breaks ties.
 */
import { invalidParameter } from '../../errors.js';
import type { Comparison, OrderByClause } from '../../search/ast.js';
import type { ViewType } from '../../entities/enums.js';
import { MLFLOW_DATASET_CONTEXT } from '../../tags.js';
import { SqlParams, type SqlBindValue, type SqlDialect } from './dialect.js';
import { direction, numericComparison, stringComparison } from './comparisons.js';

/** What a runs search asks for. */
export interface RunSearchQuery {
  /** Experiment ids as stored (integers for lablog's schema). */
  experimentIds: readonly (number | string)[];
  viewType: ViewType;
  filter: readonly Comparison[];
  orderBy: readonly OrderByClause[];
  limit: number;
  offset: number;
}

/** SQL and binds selecting `r.id` of the matching runs, in order, one page. */
export interface BuiltQuery {
  sql: string;
  params: SqlBindValue[];
}

const STRING_ATTRIBUTES: Readonly<Record<string, string>> = {
  run_id: 'r.run_uuid',
  run_uuid: 'r.run_uuid',
  run_name: 'r.name',
  status: 'r.status',
  user_id: 'r.user_id',
  artifact_uri: 'r.artifact_uri',
  lifecycle_stage: 'r.lifecycle_stage',
};
const NUMERIC_ATTRIBUTES: Readonly<Record<string, string>> = {
  start_time: 'r.start_time',
  end_time: 'r.end_time',
  experiment_id: 'r.experiment_id',
};

/** The lifecycle condition of a view type. */
export function lifecycleCondition(column: string, viewType: ViewType): string {
  if (viewType === 'ACTIVE_ONLY') return `${column} = 'active'`;
  if (viewType === 'DELETED_ONLY') return `${column} = 'deleted'`;
  return '1 = 1';
}

interface Parts {
  joins: string[];
  where: string[];
  order: string[];
  /** The filter's inner joins again, split up, for {@link buildRunSearchSql}'s `drive` option. */
  inner?: InnerJoin[];
}

/** An inner join of a filter clause: `JOIN <table> <alias> ON <on>`. */
interface InnerJoin {
  clause: number;
  table: string;
  alias: string;
  on: string;
}

/** Joins and conditions of the filter, plus the experiment and lifecycle conditions. */
function filterParts(dialect: SqlDialect, p: SqlParams, q: RunSearchQuery): Parts {
  const joins: string[] = [];
  const where: string[] = [];
  const inner: InnerJoin[] = [];
  const join = (clause: number, table: string, alias: string, on: string) => {
    joins.push(`JOIN ${table} ${alias} ON ${on}`);
    inner.push({ clause, table, alias, on });
  };
  where.push(`r.experiment_id IN ${p.list(q.experimentIds.map((x) => (typeof x === 'number' ? x : Number(x))))}`);
  where.push(lifecycleCondition('r.lifecycle_stage', q.viewType));
  q.filter.forEach((c, i) => {
    const a = `f${i}`;
    switch (c.type) {
      case 'metric': {
        const k = metricKeyId(p, c.key);
        // NaN is NULL: it fails every numeric test, except that NaN != x holds (as in Python).
        const test = numericComparison(p, `${a}.value`, c);
        const cond = c.comparator === '!=' ? `(${a}.value IS NULL OR ${test})` : test;
        join(i, 'latest_metrics', a, `${a}.run_id = r.id AND ${a}.key_id = ${k} AND ${cond}`);
        break;
      }
      case 'param':
      case 'tag': {
        const table = c.type === 'param' ? 'params' : 'tags';
        const k = p.add(c.key);
        join(i, table, a, `${a}.run_id = r.id AND ${a}.key = ${k} AND ${stringComparison(dialect, p, `${a}.value`, c)}`);
        break;
      }
      case 'attribute':
        where.push(attributeCondition(dialect, p, c));
        break;
      case 'dataset':
        where.push(datasetCondition(dialect, p, c));
        break;
      default:
        throw invalidParameter(`Invalid entity type '${String((c as Comparison).type)}'.`);
    }
  });
  return { joins, where, order: [], inner };
}

/**
 * The filter's inner joins as CROSS JOINs, their conditions moved to WHERE: in the order of
 * `filterOrder` (clause indexes), then the remaining clauses in filter order.
 */
function crossJoined(parts: Parts, filterOrder: readonly number[] = []): Parts {
  const rank = (j: InnerJoin) => {
    const i = filterOrder.indexOf(j.clause);
    return i === -1 ? filterOrder.length + j.clause : i;
  };
  const inner = [...(parts.inner ?? [])].sort((a, b) => rank(a) - rank(b));
  return { joins: inner.map((j) => `CROSS JOIN ${j.table} ${j.alias}`), where: [...inner.map((j) => j.on), ...parts.where], order: [] };
}

function metricKeyId(p: SqlParams, key: string): string {
  return `(SELECT id FROM metric_keys WHERE key = ${p.add(key)})`;
}

/** LEFT JOINs and ORDER BY terms of order clauses, then the default tie-breakers. */
function orderParts(p: SqlParams, clauses: readonly OrderByClause[], first: number): Parts {
  const joins: string[] = [];
  const order: string[] = [];
  const seenAttributes = new Set<string>();
  clauses.forEach((o, j) => {
    const a = `o${first + j}`;
    const dir = direction(o.ascending);
    switch (o.type) {
      case 'metric':
        joins.push(`LEFT JOIN latest_metrics ${a} ON ${a}.run_id = r.id AND ${a}.key_id = ${metricKeyId(p, o.key)}`);
        // missing last, then NaN (NULL value) after numbers
        order.push(`(${a}.run_id IS NULL)`, `(${a}.value IS NULL)`, `${a}.value ${dir}`);
        break;
      case 'param':
      case 'tag': {
        const table = o.type === 'param' ? 'params' : 'tags';
        joins.push(`LEFT JOIN ${table} ${a} ON ${a}.run_id = r.id AND ${a}.key = ${p.add(o.key)}`);
        order.push(`(${a}.value IS NULL)`, `${a}.value ${dir}`);
        break;
      }
      case 'attribute': {
        const col = STRING_ATTRIBUTES[o.key] ?? NUMERIC_ATTRIBUTES[o.key];
        if (!col) throw invalidParameter(`Invalid attribute key '${o.key}' specified.`);
        seenAttributes.add(col);
        order.push(`(${col} IS NULL)`, `${col} ${dir}`);
        break;
      }
      default:
        throw invalidParameter(`Invalid order_by entity type '${o.type}'.`);
    }
  });
  if (!seenAttributes.has('r.start_time')) order.push('r.start_time DESC');
  if (!seenAttributes.has('r.run_uuid')) order.push('r.run_uuid ASC');
  return { joins, where: [], order };
}

function select(p: SqlParams, from: string, parts: Parts[], limit: number, offset: number): BuiltQuery {
  const joins = parts.flatMap((x) => x.joins).join(' ');
  const where = parts.flatMap((x) => x.where).join(' AND ');
  const order = parts.flatMap((x) => x.order).join(', ');
  return p.render(`SELECT r.id FROM ${from} ${joins} WHERE ${where} ORDER BY ${order} LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`);
}

function count(p: SqlParams, from: string, parts: Parts[]): BuiltQuery {
  const joins = parts.flatMap((x) => x.joins.filter((j) => !j.startsWith('LEFT JOIN'))).join(' ');
  const where = parts.flatMap((x) => x.where).join(' AND ');
  return p.render(`SELECT count(*) FROM ${from} ${joins} WHERE ${where}`);
}

/**
 * Where the single-statement plan starts (see {@link RunSearchProbe}): `'runs'` (the runs
 * table, through its experiment or run-id index), or the index of a filter clause whose table
 * (`latest_metrics`, `params` or `tags`) is read first through its `(key, value, run)` index.
 */
export type RunSearchDriver = 'runs' | number;

/** Options of {@link buildRunSearchSql}. */
export interface RunSearchSqlOptions {
  /**
   * Fixes the join order: the driver first, then `runs`, then the other filter tables (each by
   * its `(run, key)` key), written as CROSS JOINs with the join conditions in WHERE. SQLite keeps
   * the order of CROSS JOINs as written, so the plan no longer depends on planner statistics
   * (which a never-analyzed database lacks); PostgreSQL still plans freely. Without it the
   * planner picks the order.
   */
  drive?: RunSearchDriver;
  /**
   * With `drive`: the order (clause indexes) in which the other filter tables are joined, e.g.
   * most selective first, so fewer rows reach the later lookups; unlisted clauses follow.
   */
  filterOrder?: readonly number[];
}

/**
 * Builds the page query of a runs search as one statement: the filter drives the plan, then the
 * matches are sorted. Best when the filter is selective; see {@link buildRunSearchArms}.
 */
export function buildRunSearchSql(dialect: SqlDialect, q: RunSearchQuery, options: RunSearchSqlOptions = {}): BuiltQuery {
  const p = new SqlParams(dialect);
  const filter = filterParts(dialect, p, q);
  const order = orderParts(p, q.orderBy, 0);
  if (options.drive === undefined) return select(p, 'runs r', [filter, order], q.limit, q.offset);
  const inner = filter.inner ?? [];
  const first = options.drive === 'runs' ? undefined : inner.find((j) => j.clause === options.drive);
  if (options.drive !== 'runs' && first === undefined) throw new Error(`runs search: clause ${options.drive} cannot drive the plan`);
  const rest = crossJoined({ ...filter, inner: inner.filter((j) => j !== first) }, options.filterOrder);
  const from = first ? `${first.table} ${first.alias} CROSS JOIN runs r` : 'runs r';
  return select(p, from, [{ ...rest, where: [...(first ? [first.on] : []), ...rest.where] }, order], q.limit, q.offset);
}

/** One part of a runs search in order: its page query and, to page past it, its row count. */
export interface RunSearchArm {
  page: (limit: number, offset: number) => BuiltQuery;
  count: () => BuiltQuery;
}

/** Options of {@link buildRunSearchArms}. */
export interface RunSearchArmsOptions {
  /**
   * Joins the filter's tables as CROSS JOINs after `runs` (conditions in WHERE), so on SQLite
   * each arm reads the order index first and checks every filter clause by its `(run, key)` key,
   * whatever the planner statistics say. Without it the filter tables are plain JOINs.
   */
  fixJoinOrder?: boolean;
  /** With `fixJoinOrder`: the order (clause indexes) of the filter tables; unlisted clauses follow. */
  filterOrder?: readonly number[];
}

/**
 * The runs search as consecutive "arms" when the first order clause is a metric, param or tag:
 * runs with a value (walked in the order of the `(key, value, run)` index, so a page of 100
 * reads about 100/selectivity index entries, not every match), then — metrics only — runs whose
 * value is NaN, then runs without the key. Concatenated, the arms give exactly the order of
 * {@link buildRunSearchSql}. Returns undefined when the first clause is an attribute (or there is
 * none): then the single statement is the plan.
 */
export function buildRunSearchArms(dialect: SqlDialect, q: RunSearchQuery, options: RunSearchArmsOptions = {}): RunSearchArm[] | undefined {
  const first = q.orderBy[0];
  if (!first || first.type === 'attribute' || first.type === 'dataset') return undefined;
  const rest = q.orderBy.slice(1);
  const dir = direction(first.ascending);
  const table = first.type === 'metric' ? 'latest_metrics' : first.type === 'param' ? 'params' : 'tags';
  const keyCol = first.type === 'metric' ? 'key_id' : 'key';
  const keyValue = (p: SqlParams) => (first.type === 'metric' ? metricKeyId(p, first.key) : p.add(first.key));
  // The join condition sits in WHERE, so this must be a CROSS JOIN (a bare JOIN needs ON on
  // PostgreSQL). On SQLite it also fixes the join order (walk the index first); PostgreSQL's
  // planner reorders it freely.
  const cross = 'CROSS JOIN';
  const filter = (p: SqlParams): Parts => (options.fixJoinOrder ? crossJoined(filterParts(dialect, p, q), options.filterOrder) : filterParts(dialect, p, q));

  const present = (nan: boolean): RunSearchArm => {
    const build = (p: SqlParams) => {
      const head: Parts = {
        joins: [],
        where: [`o.${keyCol} = ${keyValue(p)}`, `o.value IS ${nan ? '' : 'NOT '}NULL`, 'r.id = o.run_id'],
        order: nan ? [] : [`o.value ${dir}`],
      };
      return { from: nan ? `runs r JOIN ${table} o ON o.run_id = r.id` : `${table} o ${cross} runs r`, parts: [head, filter(p), orderParts(p, rest, 1)] };
    };
    return {
      page: (limit, offset) => {
        const p = new SqlParams(dialect);
        const b = build(p);
        return select(p, b.from, b.parts, limit, offset);
      },
      count: () => {
        const p = new SqlParams(dialect);
        const b = build(p);
        return count(p, b.from, b.parts);
      },
    };
  };
  const missing: RunSearchArm = (() => {
    const build = (p: SqlParams): Parts[] => [
      { joins: [], where: [`NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.run_id = r.id AND x.${keyCol} = ${keyValue(p)})`], order: [] },
      filter(p),
      orderParts(p, rest, 1),
    ];
    return {
      page: (limit, offset) => {
        const p = new SqlParams(dialect);
        return select(p, 'runs r', build(p), limit, offset);
      },
      count: () => {
        const p = new SqlParams(dialect);
        return count(p, 'runs r', build(p));
      },
    };
  })();
  return first.type === 'metric' ? [present(false), present(true), missing] : [present(false), missing];
}

/**
 * Cheap upper bounds (capped at `cap`) on how many runs the most selective parts of a search can
 * match: the experiments, and each index-backed filter clause. The store walks the order index
 * ({@link buildRunSearchArms}) only when every bound reaches `cap`, i.e. when no filter is
 * selective enough for "find all matches, then sort" to be the cheaper plan.
 */
export function buildRunSearchProbes(dialect: SqlDialect, q: RunSearchQuery, cap: number): BuiltQuery[] {
  return buildRunSearchDriverProbes(dialect, q, cap).map((x) => x.probe);
}

/** A probe of {@link buildRunSearchDriverProbes}: its count query, and the plan it would drive. */
export interface RunSearchProbe {
  probe: BuiltQuery;
  /** What to start the single statement from when this probe's count is the smallest. */
  drive: RunSearchDriver;
}

/**
 * {@link buildRunSearchProbes}, each probe with the part it measures, so the store can start the
 * single statement from the most selective one ({@link RunSearchSqlOptions.drive}). Experiments
 * come first (ties go to them).
 */
export function buildRunSearchDriverProbes(dialect: SqlDialect, q: RunSearchQuery, cap: number): RunSearchProbe[] {
  const probes: RunSearchProbe[] = [];
  const capped = (p: SqlParams, inner: string) => p.render(`SELECT count(*) FROM (${inner} LIMIT ${p.add(cap)}) t`);
  {
    const p = new SqlParams(dialect);
    probes.push({ probe: capped(p, `SELECT 1 FROM runs r WHERE r.experiment_id IN ${p.list(q.experimentIds.map(Number))}`), drive: 'runs' });
  }
  q.filter.forEach((c, i) => {
    const p = new SqlParams(dialect);
    if (c.type === 'metric' && c.comparator !== '!=') {
      probes.push({ probe: capped(p, `SELECT 1 FROM latest_metrics f WHERE f.key_id = ${metricKeyId(p, c.key)} AND ${numericComparison(p, 'f.value', c)}`), drive: i });
    } else if ((c.type === 'param' || c.type === 'tag') && (c.comparator === '=' || c.comparator === 'IN')) {
      const k = p.add(c.key);
      probes.push({ probe: capped(p, `SELECT 1 FROM ${c.type === 'param' ? 'params' : 'tags'} f WHERE f.key = ${k} AND ${stringComparison(dialect, p, 'f.value', c)}`), drive: i });
    } else if (c.type === 'attribute' && (c.key === 'run_id' || c.key === 'run_name') && (c.comparator === '=' || c.comparator === 'IN')) {
      probes.push({ probe: capped(p, `SELECT 1 FROM runs r WHERE ${attributeCondition(dialect, p, c)}`), drive: 'runs' });
    }
  });
  return probes;
}

function attributeCondition(dialect: SqlDialect, p: SqlParams, c: Comparison): string {
  const s = STRING_ATTRIBUTES[c.key];
  if (s) return stringComparison(dialect, p, s, c);
  const n = NUMERIC_ATTRIBUTES[c.key];
  if (n) return numericComparison(p, n, c);
  throw invalidParameter(`Invalid attribute key '${c.key}' specified.`);
}

function datasetCondition(dialect: SqlDialect, p: SqlParams, c: Comparison): string {
  if (c.key === 'context') {
    const k = p.add(MLFLOW_DATASET_CONTEXT);
    return (
      `EXISTS (SELECT 1 FROM inputs di JOIN input_tags dt ON dt.input_id = di.id ` +
      `WHERE di.run_id = r.id AND dt.key = ${k} AND ${stringComparison(dialect, p, 'dt.value', c)})`
    );
  }
  if (c.key !== 'name' && c.key !== 'digest') throw invalidParameter(`Invalid dataset key '${c.key}' specified.`);
  return (
    `EXISTS (SELECT 1 FROM inputs di JOIN datasets dd ON dd.id = di.dataset_id ` +
    `WHERE di.run_id = r.id AND ${stringComparison(dialect, p, `dd.${c.key}`, c)})`
  );
}
