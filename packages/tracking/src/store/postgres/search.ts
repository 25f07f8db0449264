/**
 * The four searches of the PostgreSQL store: parse (search/), build SQL (store/sql/ with
 * {@link postgresDialect}), run it for one page (one row more than asked, to know whether a next
 * page exists), then load the page's entities in bulk, all in one read snapshot.
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
  buildRunSearchProbes,
  buildRunSearchSql,
  postgresDialect,
  type BuiltQuery,
  type RunSearchQuery,
} from '../sql/index.js';
import { experimentSearchArguments, modelVersionSearchArguments, registeredModelSearchArguments, runSearchArguments } from '../sql/search-arguments.js';
import { parseIntegerId, type Db, type Queryable } from './db.js';
import { loadRuns } from './run-loader.js';
import { loadExperiments } from './experiments.js';
import { loadModels } from './registered-models.js';
import { loadVersions } from './model-versions.js';

async function page<T>(rows: unknown[][], offset: number, maxResults: number, load: (rows: unknown[][]) => Promise<T[]>): Promise<PagedList<T>> {
  const more = rows.length > maxResults;
  const items = await load(more ? rows.slice(0, maxResults) : rows);
  return more ? { items, nextPageToken: encodePageToken(offset + maxResults) } : { items };
}

function run(q: Queryable, b: BuiltQuery): Promise<unknown[][]> {
  return q.arrays(b.sql, b.params);
}

/**
 * Below this many candidate runs for some filter clause (or for the experiments), "find every
 * match, then sort" is cheap; above it for every clause, walking the order index is.
 */
let orderFirstThreshold = 2000;

/** Changes the plan threshold (tests compare both plans; 0 = always walk the order index). */
export function setPostgresRunSearchPlanThreshold(n: number): void {
  orderFirstThreshold = n;
}

/** One page of runs. */
export async function searchRuns(db: Db, args: SearchRunsArgs): Promise<PagedList<Run>> {
  const { maxResults, offset, query } = runSearchArguments(args);
  const experimentIds = args.experimentIds.map(parseIntegerId).filter((x): x is number => x !== undefined);
  if (experimentIds.length === 0) return { items: [] };
  const q: RunSearchQuery = { experimentIds, ...query };
  return db.read(async (tx) => page(await runIds(tx, q), offset, maxResults, (rows) => loadRuns(tx, rows.map((r) => r[0] as number))));
}

/**
 * The ids of one page (plus one row). With a selective filter clause, one statement finds every
 * match and sorts; otherwise, when the first order clause is a metric, param or tag, the
 * `(key, value, run)` index is walked in order, arm by arm (values, NaN, missing), so a page of
 * 100 reads about 100/selectivity index entries instead of sorting every match.
 */
async function runIds(tx: Queryable, q: RunSearchQuery): Promise<unknown[][]> {
  const arms = q.viewType === 'DELETED_ONLY' ? undefined : buildRunSearchArms(postgresDialect, q);
  const selective = async () => {
    if (orderFirstThreshold === Infinity) return true;
    for (const probe of buildRunSearchProbes(postgresDialect, q, orderFirstThreshold)) {
      if (Number((await run(tx, probe))[0]![0]) < orderFirstThreshold) return true;
    }
    return false;
  };
  if (!arms || (await selective())) return run(tx, buildRunSearchSql(postgresDialect, q));
  const out: unknown[][] = [];
  let offset = q.offset;
  let need = q.limit;
  for (const arm of arms) {
    const rows = await run(tx, arm.page(need, offset));
    out.push(...rows);
    if (rows.length >= need) break;
    // this arm is used up: the next one starts where its rows end
    const armRows = rows.length > 0 ? offset + rows.length : offset > 0 ? Number((await run(tx, arm.count()))[0]![0]) : 0;
    offset = Math.max(0, offset - armRows);
    need -= rows.length;
  }
  return out;
}

/** One page of experiments. */
export async function searchExperiments(db: Db, args: SearchExperimentsArgs): Promise<PagedList<Experiment>> {
  const { maxResults, offset, query } = experimentSearchArguments(args);
  const b = buildExperimentSearchSql(postgresDialect, query);
  return db.read(async (tx) => page(await run(tx, b), offset, maxResults, (rows) => loadExperiments(tx, rows.map((r) => r[0] as number))));
}

/** One page of registered models. */
export async function searchRegisteredModels(db: Db, args: SearchRegistryArgs): Promise<PagedList<RegisteredModel>> {
  const { maxResults, offset, query } = registeredModelSearchArguments(args);
  const b = buildRegisteredModelSearchSql(postgresDialect, query);
  return db.read(async (tx) => page(await run(tx, b), offset, maxResults, (rows) => loadModels(tx, rows.map((r) => r[0] as number))));
}

/** One page of model versions. */
export async function searchModelVersions(db: Db, args: SearchRegistryArgs): Promise<PagedList<ModelVersion>> {
  const { maxResults, offset, query } = modelVersionSearchArguments(args);
  const b = buildModelVersionSearchSql(postgresDialect, query);
  return db.read(async (tx) =>
    page(await run(tx, b), offset, maxResults, (rows) => loadVersions(tx, rows.map((r) => [r[0] as number, r[1] as number] as const))),
  );
}
