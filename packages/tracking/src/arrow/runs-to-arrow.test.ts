import { DataType, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Run } from '../entities/run.js';
import { RUN_INFO_COLUMNS, runsToArrow } from './runs-to-arrow.js';

function run(id: string, over: Partial<Run['info']> = {}, data: Partial<Run['data']> = {}): Run {
  return {
    info: {
      runId: id,
      experimentId: '1',
      runName: `name-${id}`,
      userId: 'u',
      status: 'FINISHED',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_060_000,
      artifactUri: `file:///mlruns/1/${id}/artifacts`,
      lifecycleStage: 'active',
      ...over,
    },
    data: { metrics: [], params: [], tags: [], ...data },
    inputs: { datasetInputs: [] },
  };
}

const names = (t: ReturnType<typeof runsToArrow>) => t.schema.fields.map((f) => f.name);

describe('runsToArrow', () => {
  it('gives the info columns and no rows for no runs', () => {
    const t = runsToArrow([]);
    expect(t.numRows).toBe(0);
    expect(names(t)).toEqual([...RUN_INFO_COLUMNS]);
  });

  it('orders info, metrics, params, tags, keys sorted, with MLflow types', () => {
    const runs = [
      run('a', {}, {
        metrics: [
          { key: 'loss', value: 0.5, timestamp: 1, step: 1 },
          { key: 'acc', value: 0.9, timestamp: 1, step: 1 },
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [{ key: 'mlflow.runName', value: 'name-a' }],
      }),
      run('b', { status: 'RUNNING', endTime: null }, {
        metrics: [{ key: 'zeta', value: NaN, timestamp: 1, step: 0 }],
        params: [{ key: 'epochs', value: '3' }],
        tags: [{ key: 'team', value: 'ml' }],
      }),
    ];
    const t = runsToArrow(runs);
    expect(names(t)).toEqual([
      ...RUN_INFO_COLUMNS,
      'metrics.acc',
      'metrics.loss',
      'metrics.zeta',
      'params.epochs',
      'params.lr',
      'tags.mlflow.runName',
      'tags.team',
    ]);
    const field = (n: string) => t.schema.fields.find((f) => f.name === n)!;
    expect(String(field('start_time').type)).toBe('Timestamp<MILLISECOND, UTC>');
    expect(DataType.isTimestamp(field('end_time').type)).toBe(true);
    expect(field('end_time').nullable).toBe(true);
    expect(field('run_id').nullable).toBe(false);
    expect(String(field('metrics.loss').type)).toBe('Float64');
    expect(String(field('params.lr').type)).toBe('Utf8');
    expect(String(field('tags.team').type)).toBe('Utf8');

    const rows = t.toArray().map((r) => r.toJSON());
    expect(rows[0]).toMatchObject({
      run_id: 'a',
      experiment_id: '1',
      status: 'FINISHED',
      artifact_uri: 'file:///mlruns/1/a/artifacts',
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_060_000,
      run_name: 'name-a',
      'metrics.acc': 0.9,
      'metrics.loss': 0.5,
      'metrics.zeta': null,
      'params.epochs': null,
      'params.lr': '0.01',
      'tags.mlflow.runName': 'name-a',
      'tags.team': null,
    });
    expect(rows[1]).toMatchObject({ run_id: 'b', status: 'RUNNING', end_time: null, 'metrics.acc': null, 'params.epochs': '3', 'tags.team': 'ml' });
    expect(Number.isNaN(rows[1]['metrics.zeta'])).toBe(true);
  });

  it('keeps NaN and infinities as values, distinct from missing', () => {
    const t = runsToArrow([
      run('a', {}, { metrics: [{ key: 'm', value: Infinity, timestamp: 1, step: 0 }] }),
      run('b', {}, { metrics: [{ key: 'm', value: -Infinity, timestamp: 1, step: 0 }] }),
      run('c', {}, { metrics: [{ key: 'm', value: NaN, timestamp: 1, step: 0 }] }),
      run('d'),
    ]);
    const col = t.getChild('metrics.m')!;
    expect(col.nullCount).toBe(1);
    expect([col.get(0), col.get(1), col.get(2), col.get(3)]).toEqual([Infinity, -Infinity, NaN, null]);
  });

  it('takes the latest point when a run lists a key twice, and the last of a repeated param', () => {
    const t = runsToArrow([
      run('a', {}, {
        metrics: [
          { key: 'm', value: 3, timestamp: 5, step: 2 },
          { key: 'm', value: 1, timestamp: 9, step: 1 },
        ],
        params: [
          { key: 'p', value: 'first' },
          { key: 'p', value: 'second' },
        ],
      }),
    ]);
    expect(t.getChild('metrics.m')!.get(0)).toBe(3);
    expect(t.getChild('params.p')!.get(0)).toBe('second');
  });

  it('treats an end time of 0 as not ended, and survives an IPC round trip', () => {
    const t = runsToArrow([run('a', { endTime: 0 }), run('b', { runName: 'ünïcode' }, { params: [{ key: '1', value: 'x' }] })]);
    expect(t.getChild('end_time')!.get(0)).toBeNull();
    const back = tableFromIPC(tableToIPC(t));
    expect(back.schema.fields.map((f) => f.name)).toEqual(names(t));
    expect(back.getChild('run_name')!.get(1)).toBe('ünïcode');
    expect(back.getChild('params.1')!.get(1)).toBe('x');
  });
});
