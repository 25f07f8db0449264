/** The search → SQL builders: placeholder order per dialect, LIKE translation, default orders. */
import { describe, expect, it } from 'vitest';
import { buildRunSearchSql, buildExperimentSearchSql, buildModelVersionSearchSql, likeToGlob, postgresDialect, sqliteDialect } from './index.js';
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
