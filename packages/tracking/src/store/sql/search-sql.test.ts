/** The search → SQL builders: placeholder order per dialect, LIKE translation, default orders. */
import { describe, expect, it } from 'vitest';
import {
  buildRunSearchArms,
  buildRunSearchDriverProbes,
  buildRunSearchSql,
  buildExperimentSearchSql,
  buildModelVersionSearchSql,
  likeToGlob,
  postgresDialect,
  sqliteDialect,
} from './index.js';
import type { Comparison, OrderByClause } from '../../search/ast.js';

const filter: Comparison[] = [
  { type: 'metric', key: 'm1', comparator: '>', value: 0.5 },
  { type: 'param', key: 'p1', comparator: '=', value: 'a' },
  { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['r1', 'r2'] },
];
const orderBy: OrderByClause[] = [{ type: 'metric', key: 'm2', ascending: false }];

describe('buildRunSearchSql', () => {
  it('binds values in textual order, whatever order the pieces were built in', () => {
    const q = buildRunSearchSql(sqliteDialect, { experimentIds: [1, 2], viewType: 'ACTIVE_ONLY', filter, orderBy, limit: 101, offset: 0 });
    expect(q.sql.split('?').length - 1).toBe(q.params.length);
    expect(q.params).toEqual(['m1', 0.5, 'p1', 'a', 'm2', 1, 2, 'r1', 'r2', 101, 0]);
    expect(q.sql).toContain('ORDER BY (o0.run_id IS NULL), (o0.value IS NULL), o0.value DESC, r.start_time DESC, r.run_uuid ASC');
  });

  it('numbers PostgreSQL placeholders $1…$n in order', () => {
    const q = buildRunSearchSql(postgresDialect, { experimentIds: [1], viewType: 'ALL', filter, orderBy: [], limit: 10, offset: 5 });
    const numbers = [...q.sql.matchAll(/\$(\d+)/g)].map((x) => Number(x[1]));
    expect(numbers).toEqual(Array.from({ length: q.params.length }, (_, i) => i + 1));
  });

  it('turns LIKE into GLOB on SQLite and ILIKE into lower() LIKE lower()', () => {
    const like = buildRunSearchSql(sqliteDialect, {
      experimentIds: [1], viewType: 'ALL', orderBy: [], limit: 1, offset: 0,
      filter: [{ type: 'tag', key: 't', comparator: 'LIKE', value: 'a%b_c*' }, { type: 'tag', key: 'u', comparator: 'ILIKE', value: 'X%' }],
    });
    expect(like.sql).toContain('f0.value GLOB ?');
    expect(like.sql).toContain('lower(f1.value) LIKE lower(?)');
    expect(like.params).toContain('a*b?c[*]');
    expect(likeToGlob('[x]?')).toBe('[[]x][?]');
  });
});

describe('fixed join orders', () => {
  const q = { experimentIds: [1], viewType: 'ACTIVE_ONLY' as const, filter, orderBy, limit: 101, offset: 0 };

  it('drive: starts from the chosen clause (or runs), the other filter tables CROSS JOINed after runs', () => {
    const byParam = buildRunSearchSql(sqliteDialect, q, { drive: 1 });
    expect(byParam.sql).toMatch(/^SELECT r\.id FROM params f1 CROSS JOIN runs r CROSS JOIN latest_metrics f0 LEFT JOIN latest_metrics o0 ON /);
    expect(byParam.sql).not.toMatch(/ JOIN (params|latest_metrics) f\d ON /);
    expect(byParam.sql.split('?').length - 1).toBe(byParam.params.length);
    expect([...byParam.params].sort()).toEqual([...buildRunSearchSql(sqliteDialect, q).params].sort());
    expect(buildRunSearchSql(sqliteDialect, q, { drive: 'runs' }).sql).toMatch(/^SELECT r\.id FROM runs r CROSS JOIN latest_metrics f0 CROSS JOIN params f1 LEFT JOIN /);
    const pg = buildRunSearchSql(postgresDialect, q, { drive: 0 });
    expect([...pg.sql.matchAll(/\$(\d+)/g)].map((x) => Number(x[1]))).toEqual(Array.from({ length: pg.params.length }, (_, i) => i + 1));
    expect(() => buildRunSearchSql(sqliteDialect, q, { drive: 2 })).toThrow(); // an attribute clause has no table to start from
  });

  it('probes name what they would drive: runs for experiments and run ids, else the clause', () => {
    expect(buildRunSearchDriverProbes(sqliteDialect, q, 2000).map((x) => x.drive)).toEqual(['runs', 0, 1, 'runs']);
  });

  it('arms with fixJoinOrder: the order index, runs, then the filter tables, all CROSS JOINed', () => {
    const arm = buildRunSearchArms(sqliteDialect, q, { fixJoinOrder: true })![0]!.page(101, 0);
    expect(arm.sql).toMatch(/^SELECT r\.id FROM latest_metrics o CROSS JOIN runs r CROSS JOIN latest_metrics f0 CROSS JOIN params f1 WHERE /);
    expect(arm.sql.split('?').length - 1).toBe(arm.params.length);
    const reordered = buildRunSearchArms(sqliteDialect, q, { fixJoinOrder: true, filterOrder: [1] })![0]!.page(101, 0);
    expect(reordered.sql).toMatch(/^SELECT r\.id FROM latest_metrics o CROSS JOIN runs r CROSS JOIN params f1 CROSS JOIN latest_metrics f0 WHERE /);
    expect(buildRunSearchSql(sqliteDialect, q, { drive: 'runs', filterOrder: [1, 0] }).sql).toMatch(/^SELECT r\.id FROM runs r CROSS JOIN params f1 CROSS JOIN latest_metrics f0 /);
    const free = buildRunSearchArms(sqliteDialect, q)![0]!.page(101, 0);
    expect(free.sql).toContain('JOIN params f1 ON f1.run_id = r.id');
  });
});

describe('other builders', () => {
  it('experiments: default order, and experiment_id DESC as tie-breaker of explicit orders', () => {
    expect(buildExperimentSearchSql(sqliteDialect, { viewType: 'ACTIVE_ONLY', filter: [], orderBy: [], limit: 1, offset: 0 }).sql).toContain(
      'ORDER BY e.creation_time DESC, e.experiment_id ASC',
    );
    expect(
      buildExperimentSearchSql(sqliteDialect, { viewType: 'ALL', filter: [], orderBy: [{ type: 'attribute', key: 'name', ascending: true }], limit: 1, offset: 0 }).sql,
    ).toContain('ORDER BY e.name ASC, e.experiment_id DESC');
  });

  it('model versions: default order and prompt models hidden', () => {
    const q = buildModelVersionSearchSql(sqliteDialect, { filter: [], orderBy: [], limit: 1, offset: 0 });
    expect(q.sql).toContain('ORDER BY v.last_updated_timestamp DESC, m.name ASC, v.version DESC');
    expect(q.params).toContain('mlflow.prompt.is_prompt');
  });
});
