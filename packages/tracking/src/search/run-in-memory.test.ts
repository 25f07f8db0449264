import { describe, expect, it } from 'vitest';
import type { Run } from '../entities/run.js';
import type { OrderByClause } from './ast.js';
import { filterRuns, readRunField, sortRuns } from './run-in-memory.js';
import { parseRunFilter, parseRunOrderBy } from './run-search.js';
import { makeRun, runIds } from './__tests__/fixtures.js';

const search = (runs: Run[], filter: string) => runIds(filterRuns(runs, parseRunFilter(filter)));
const order = (runs: Run[], ...orderBy: string[]) => runIds(sortRuns(runs, parseRunOrderBy(orderBy)));

const runs = [
  makeRun({
    id: 'aaa1',
    name: 'exp-1',
    start: 300,
    status: 'FINISHED',
    metrics: { loss: 0.5, acc: 0.9 },
    params: { lr: '0.01', model: 'LogReg' },
    tags: { team: 'vision', 'mlflow.user': 'alice' },
    datasets: [
      { name: 'mnist', digest: 'd1', context: 'training' },
      { name: 'mnist-test', digest: 'd2', context: 'eval' },
    ],
  }),
  makeRun({
    id: 'bbb2',
    name: 'exp-2',
    start: 200,
    status: 'RUNNING',
    end: null,
    user: 'bob',
    metrics: { loss: 0.25, acc: Number.NaN },
    params: { lr: '0.1' },
    tags: { team: 'nlp' },
    datasets: [{ name: 'imdb', digest: 'd3' }],
  }),
  makeRun({ id: 'ccc3', name: 'baseline', start: 100, status: 'FAILED', metrics: { loss: 2 }, params: { model: 'tree' } }),
];

describe('filterRuns', () => {
  it('compares metrics with their latest value', () => {
    expect(search(runs, 'metrics.loss < 1')).toEqual(['aaa1', 'bbb2']);
    expect(search(runs, 'metrics.loss = 2')).toEqual(['ccc3']);
    expect(search(runs, 'metrics.loss >= 0.5 and metrics.loss <= 0.5')).toEqual(['aaa1']);
    expect(search(runs, 'metrics.loss > -1e1')).toEqual(['aaa1', 'bbb2', 'ccc3']);
  });

  it('never matches a run lacking the key, even for !=', () => {
    expect(search(runs, 'metrics.acc != 0.9')).toEqual(['bbb2']);
    expect(search(runs, "params.model != 'tree'")).toEqual(['aaa1']);
    expect(search(runs, "tags.team != 'nlp'")).toEqual(['aaa1']);
    expect(search(runs, 'end_time > 0')).toEqual(['aaa1', 'ccc3']);
  });

  it('lets NaN match only !=', () => {
    expect(search(runs, 'metrics.acc > 0')).toEqual(['aaa1']);
    expect(search(runs, 'metrics.acc < 100')).toEqual(['aaa1']);
  });

  it('applies LIKE case-sensitively and ILIKE case-insensitively', () => {
    expect(search(runs, "params.model LIKE 'log%'")).toEqual([]);
    expect(search(runs, "params.model ILIKE 'log%'")).toEqual(['aaa1']);
    expect(search(runs, "run_name LIKE 'exp-_'")).toEqual(['aaa1', 'bbb2']);
    expect(search(runs, "params.lr LIKE '0.1'")).toEqual(['bbb2']);
  });

  it('reads string and numeric attributes from run info', () => {
    expect(search(runs, "status = 'RUNNING'")).toEqual(['bbb2']);
    expect(search(runs, "user_id = 'bob'")).toEqual(['bbb2']);
    expect(search(runs, "attributes.run_id = 'ccc3'")).toEqual(['ccc3']);
    expect(search(runs, "`Run name` = 'baseline'")).toEqual(['ccc3']);
    expect(search(runs, "artifact_uri LIKE '%/aaa1/artifacts'")).toEqual(['aaa1']);
    expect(search(runs, 'created >= 200')).toEqual(['aaa1', 'bbb2']);
    expect(search(runs, 'start_time < 200')).toEqual(['ccc3']);
  });

  it('filters run ids with IN and NOT IN (uppercase ids dropped from the list)', () => {
    expect(search(runs, "run_id IN ('aaa1', 'ccc3', 'BBB2')")).toEqual(['aaa1', 'ccc3']);
    expect(search(runs, "run_id NOT IN ('aaa1')")).toEqual(['bbb2', 'ccc3']);
  });

  it('matches datasets when any input matches, context from the input tag', () => {
    expect(search(runs, "datasets.name = 'mnist-test'")).toEqual(['aaa1']);
    expect(search(runs, "datasets.context = 'eval'")).toEqual(['aaa1']);
    expect(search(runs, "datasets.context != 'training'")).toEqual(['aaa1']);
    expect(search(runs, "datasets.digest IN ('d3', 'zz')")).toEqual(['bbb2']);
    expect(search(runs, "datasets.name NOT IN ('mnist')")).toEqual(['aaa1', 'bbb2']);
    expect(search(runs, "dataset.name LIKE 'mn%' and datasets.context = 'training'")).toEqual(['aaa1']);
  });

  it('requires every comparison and keeps the input order', () => {
    expect(search(runs, "metrics.loss < 1 and tags.team = 'vision'")).toEqual(['aaa1']);
    expect(search([...runs].reverse(), 'metrics.loss > 0')).toEqual(['ccc3', 'bbb2', 'aaa1']);
    expect(search(runs, '')).toEqual(['aaa1', 'bbb2', 'ccc3']);
  });

  it('uses the last entry when a key repeats', () => {
    const r = makeRun({ id: 'dup' });
    const dup: Run = { ...r, data: { ...r.data, tags: [{ key: 't', value: 'old' }, { key: 't', value: 'new' }] } };
    expect(search([dup], "tags.t = 'new'")).toEqual(['dup']);
    expect(search([dup], "tags.t = 'old'")).toEqual([]);
  });
});

describe('sortRuns', () => {
  it('defaults to start_time DESC, run_id ASC', () => {
    const same = [makeRun({ id: 'b', start: 5 }), makeRun({ id: 'a', start: 5 }), makeRun({ id: 'c', start: 9 })];
    expect(order(same)).toEqual(['c', 'a', 'b']);
  });

  it('sorts by metrics, params, tags and attributes in either direction', () => {
    expect(order(runs, 'metrics.loss')).toEqual(['bbb2', 'aaa1', 'ccc3']);
    expect(order(runs, 'metrics.loss DESC')).toEqual(['ccc3', 'aaa1', 'bbb2']);
    expect(order(runs, 'params.lr DESC')).toEqual(['bbb2', 'aaa1', 'ccc3']);
    expect(order(runs, 'tags.team')).toEqual(['bbb2', 'aaa1', 'ccc3']);
    expect(order(runs, 'run_name')).toEqual(['ccc3', 'aaa1', 'bbb2']);
    expect(order(runs, 'created')).toEqual(['ccc3', 'bbb2', 'aaa1']);
  });

  it('puts missing values last and NaN just before them, in either direction', () => {
    expect(order(runs, 'metrics.acc')).toEqual(['aaa1', 'bbb2', 'ccc3']);
    expect(order(runs, 'metrics.acc DESC')).toEqual(['aaa1', 'bbb2', 'ccc3']);
    expect(order(runs, 'end_time DESC')).toEqual(['aaa1', 'ccc3', 'bbb2']);
    expect(order(runs, 'params.model ASC')).toEqual(['aaa1', 'ccc3', 'bbb2']);
    expect(order(runs, 'params.model DESC')).toEqual(['ccc3', 'aaa1', 'bbb2']);
  });

  it('breaks ties with later clauses, then the default order', () => {
    const tied = [
      makeRun({ id: 'r1', start: 1, params: { p: 'x' }, metrics: { m: 1 } }),
      makeRun({ id: 'r2', start: 2, params: { p: 'y' }, metrics: { m: 1 } }),
      makeRun({ id: 'r3', start: 3, params: { p: 'x' }, metrics: { m: 2 } }),
      makeRun({ id: 'r4', start: 4, params: { p: 'x' }, metrics: { m: 1 } }),
    ];
    expect(order(tied, 'params.p', 'metrics.m DESC')).toEqual(['r3', 'r4', 'r1', 'r2']);
    expect(order(tied, 'metrics.m')).toEqual(['r4', 'r2', 'r1', 'r3']);
  });

  it('agrees with MLflow procedure (default sort, then one stable pass per clause, last first)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const sample = Array.from({ length: 60 }, (_, i) => {
      const metric = pick([undefined, Number.NaN, 0, 1, 2, -1]);
      const param = pick([undefined, 'a', 'b', 'c']);
      return makeRun({
        id: `r${pick(['0', '1', '2'])}${i}`,
        start: pick([1, 2, 3]),
        end: pick([null, 5, 6]),
        metrics: metric === undefined ? {} : { m: metric },
        params: param === undefined ? {} : { p: param },
        tags: { t: pick(['x', 'y']) },
      });
    });
    const clauseSets = [
      ['metrics.m'],
      ['metrics.m DESC', 'params.p'],
      ['params.p DESC', 'end_time', 'metrics.m'],
      ['tags.t', 'metrics.m DESC', 'end_time DESC'],
    ];
    for (const clauses of clauseSets) {
      expect(order(sample, ...clauses), clauses.join(', ')).toEqual(runIds(mlflowSort(sample, parseRunOrderBy(clauses))));
    }
  });
});

/** MLflow's `SearchUtils.sort`, transcribed: Python's sorted() is stable, reverse=True included. */
function mlflowSort(runs: readonly Run[], clauses: readonly OrderByClause[]): Run[] {
  let out = [...runs].sort((a, b) => b.info.startTime - a.info.startTime || (a.info.runId < b.info.runId ? -1 : a.info.runId > b.info.runId ? 1 : 0));
  for (const clause of [...clauses].reverse()) {
    const key = (run: Run): [boolean, number | string] => {
      const v = readRunField(run, clause.type, clause.key)[0] as number | string | undefined;
      const isNone = v === undefined;
      const isNaN = typeof v === 'number' && Number.isNaN(v);
      const fill = (clause.ascending ? 1 : -1) * Infinity;
      const value = isNone ? fill : isNaN ? -fill : v;
      return clause.ascending ? [isNone || isNaN, value] : [!(isNone || isNaN), value];
    };
    const cmp = (a: Run, b: Run): number => {
      const [a0, a1] = key(a);
      const [b0, b1] = key(b);
      if (a0 !== b0) return a0 ? 1 : -1;
      return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
    };
    // Python's reverse=True keeps equal elements in their original order.
    out = [...out].sort((a, b) => (clause.ascending ? cmp(a, b) : cmp(b, a)));
  }
  return out;
}
