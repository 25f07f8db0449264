import { describe, expect, it } from 'vitest';
import type { OrderByClause } from './ast.js';
import { fullExperimentOrder, fullModelVersionOrder, fullRegisteredModelOrder, fullRunOrder } from './default-order.js';

const a = (key: string, ascending: boolean): OrderByClause => ({ type: 'attribute', key, ascending });
const m: OrderByClause = { type: 'metric', key: 'loss', ascending: true };

describe('full orders', () => {
  it('runs: clauses, then start_time DESC, run_id ASC', () => {
    expect(fullRunOrder([])).toEqual([a('start_time', false), a('run_id', true)]);
    expect(fullRunOrder([m])).toEqual([m, a('start_time', false), a('run_id', true)]);
  });

  it('experiments: default or clauses, experiment_id DESC unless named', () => {
    expect(fullExperimentOrder([])).toEqual([a('creation_time', false), a('experiment_id', true)]);
    expect(fullExperimentOrder([a('name', true)])).toEqual([a('name', true), a('experiment_id', false)]);
    expect(fullExperimentOrder([a('experiment_id', true)])).toEqual([a('experiment_id', true)]);
  });

  it('registered models: name ASC unless named', () => {
    expect(fullRegisteredModelOrder([])).toEqual([a('name', true)]);
    expect(fullRegisteredModelOrder([a('name', false)])).toEqual([a('name', false)]);
    expect(fullRegisteredModelOrder([a('creation_timestamp', true)])).toEqual([a('creation_timestamp', true), a('name', true)]);
  });

  it('model versions: default or clauses, name ASC and version_number DESC unless named', () => {
    expect(fullModelVersionOrder([])).toEqual([a('last_updated_timestamp', false), a('name', true), a('version_number', false)]);
    expect(fullModelVersionOrder([a('version_number', true)])).toEqual([a('version_number', true), a('name', true)]);
    expect(fullModelVersionOrder([a('name', false)])).toEqual([a('name', false), a('version_number', false)]);
  });
});
