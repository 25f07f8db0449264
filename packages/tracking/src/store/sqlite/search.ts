/**
 * The four searches of the SQLite store: parse (search/), build SQL (store/sql/), run it for one
 * page (one row more than asked, to know whether a next page exists), then load the page's
 * entities in bulk.
 */
import type { Run } from '../../entities/run.js';
import type { Experiment } from '../../entities/experiment.js';
import type { RegisteredModel } from '../../entities/registered-model.js';
import type { ModelVersion } from '../../entities/model-version.js';
import type { PagedList } from '../../entities/paged-list.js';
import { encodePageToken } from '../../search/page-token.js';
import type { SearchExperimentsArgs, SearchRunsArgs } from '../tracking-store.js';
import type { SearchRegistryArgs } from '../registry-store.js';
import {
  buildExperimentSearchSql,
  buildModelVersionSearchSql,
  buildRegisteredModelSearchSql,
  buildRunSearchArms,
  buildRunSearchDriverProbes,
  buildRunSearchSql,
  sqliteDialect,
  type RunSearchDriver,
  type RunSearchQuery,
  type BuiltQuery,
} from '../sql/index.js';
import { experimentSearchArguments, modelVersionSearchArguments, registeredModelSearchArguments, runSearchArguments } from '../sql/search-arguments.js';
import type { Db } from './db.js';
import { parseIntegerId } from './db.js';
import { loadRuns } from './run-loader.js';
import { loadExperiments } from './experiments.js';
import { loadModels } from './registered-models.js';
import { loadVersions } from './model-versions.js';

function page<T>(rows: unknown[][], offset: number, maxResults: number, load: (rows: unknown[][]) => T[]): PagedList<T> {
  const more = rows.length > maxResults;
  const items = load(more ? rows.slice(0, maxResults) : rows);
  return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
}

function run(db: Db, q: BuiltQuery): unknown[][] {
  return db.stmt(q.sql).values(...q.params);
}

/**
 * Below this many candidate runs for some filter clause (or for the experiments), "find every
 * match, then sort" is cheap; above it for every clause, walking the order index is.
 */
const DEFAULT_PLAN_THRESHOLD = 2000;
let orderFirstThreshold = DEFAULT_PLAN_THRESHOLD;

/** Changes the plan threshold (tests compare both plans; 0 = always walk the order index). */
export function setRunSearchPlanThreshold(n: number): void {
  orderFirstThreshold = n;
}

/** One page of runs. */
export function searchRuns(db: Db, args: SearchRunsArgs): PagedList<Run> {
  const { maxResults, offset, query } = runSearchArguments(args);
  const experimentIds = args.experimentIds.map(parseIntegerId).filter((x): x is number => x !== undefined);
  if (experimentIds.length === 0) return { items: [] };
  const q: RunSearchQuery = { experimentIds, ...query };
  return db.read(() => page(runIds(db, q), offset, maxResults, (rows) => loadRuns(db, rows.map((r) => r[0] as number))));
}

/**
 * The ids of one page (plus one row), choosing between the two plans of a runs search.
 *
 * The probes bound how many runs each index-backed part of the search can match (capped, so
 * each costs at most a short index range scan). When every bound reaches the threshold and the
 * first order clause has an index, walking that index in order ("arms") finds a page fastest.
 * Otherwise the single statement runs with its join order fixed to start from the part with the
 * smallest bound: SQLite's own choice depends on `sqlite_stat1`, which a database gets only
 * from `PRAGMA optimize`/`ANALYZE` — without it the planner may start from a clause matching
 * half the runs instead of one matching a hundred.
 */
function runIds(db: Db, q: RunSearchQuery): unknown[][] {
  const threshold = orderFirstThreshold;
  if (q.viewType !== 'DELETED_ONLY' && threshold <= 0) {
    const arms = buildRunSearchArms(sqliteDialect, q, { fixJoinOrder: true });
    if (arms) return walkArms(db, q, arms);
  }
  // An infinite threshold (tests) forces the single statement; its driver is still chosen.
  const cap = Number.isFinite(threshold) ? threshold : DEFAULT_PLAN_THRESHOLD;
  const ranked = buildRunSearchDriverProbes(sqliteDialect, q, cap)
    .map(({ probe, drive }, i) => ({ count: Number(run(db, probe)[0]![0]), drive, i }))
    .sort((a, b) => a.count - b.count || a.i - b.i); // ties: the earlier (experiments first)
  // Filter tables are joined most selective first, so fewer rows reach the later lookups.
  const filterOrder = ranked.flatMap((x) => (x.drive === 'runs' ? [] : [x.drive]));
  const best = ranked[0]!;
  const arms = q.viewType === 'DELETED_ONLY' ? undefined : buildRunSearchArms(sqliteDialect, q, { fixJoinOrder: true, filterOrder });
  if (arms && threshold !== Infinity && best.count >= cap) return walkArms(db, q, arms);
  return run(db, buildRunSearchSql(sqliteDialect, q, { drive: best.drive, filterOrder }));
}

/** The page from the arms of the order index, in order. */
function walkArms(db: Db, q: RunSearchQuery, arms: NonNullable<ReturnType<typeof buildRunSearchArms>>): unknown[][] {
  const out: unknown[][] = [];
  let offset = q.offset;
  let need = q.limit;
  for (const arm of arms) {
    const rows = run(db, arm.page(need, offset));
    out.push(...rows);
    if (rows.length >= need) break;
    // this arm is used up: the next one starts where its rows end
    const armRows = rows.length > 0 ? offset + rows.length : offset > 0 ? Number(run(db, arm.count())[0]![0]) : 0;
    offset = Math.max(0, offset - armRows);
    need -= rows.length;
  }
  return out;
}

/** One page of experiments. */
export function searchExperiments(db: Db, args: SearchExperimentsArgs): PagedList<Experiment> {
  const { maxResults, offset, query } = experimentSearchArguments(args);
  const q = buildExperimentSearchSql(sqliteDialect, query);
  return db.read(() => page(run(db, q), offset, maxResults, (rows) => loadExperiments(db, rows.map((r) => r[0] as number))));
}

/** One page of registered models. */
export function searchRegisteredModels(db: Db, args: SearchRegistryArgs): PagedList<RegisteredModel> {
  const { maxResults, offset, query } = registeredModelSearchArguments(args);
  const q = buildRegisteredModelSearchSql(sqliteDialect, query);
  return db.read(() => page(run(db, q), offset, maxResults, (rows) => loadModels(db, rows.map((r) => r[0] as number))));
}

/** One page of model versions. */
export function searchModelVersions(db: Db, args: SearchRegistryArgs): PagedList<ModelVersion> {
  const { maxResults, offset, query } = modelVersionSearchArguments(args);
  const q = buildModelVersionSearchSql(sqliteDialect, query);
  return db.read(() =>
    page(run(db, q), offset, maxResults, (rows) => loadVersions(db, rows.map((r) => [r[0] as number, r[1] as number] as const))),
  );
}
