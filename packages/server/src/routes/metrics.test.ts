import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';

let f: AppFixture;
let runA: string;
let runB: string;

async function logSteps(runId: string, steps: number[], key = 'loss'): Promise<void> {
  const metrics = steps.map((step) => ({ key, value: step / 10, timestamp: 1000 + step, step }));
  const res = await f.post('runs/log-batch', { run_id: runId, metrics });
  expect(res.statusCode).toBe(200);
}

beforeEach(async () => {
  f = await createAppFixture();
  await f.post('experiments/create', { name: 'exp' });
  runA = (await f.post('runs/create', { experiment_id: '1' })).json().run.info.run_id;
  runB = (await f.post('runs/create', { experiment_id: '1' })).json().run.info.run_id;
});
afterEach(async () => {
  await f.close();
});

describe('metrics/get-history', () => {
  it('returns every point in logged order without max_results (ref §18)', async () => {
    await f.post('runs/log-metric', { run_id: runA, key: 'loss', value: 0.5, timestamp: 10, step: 0 });
    await f.post('runs/log-metric', { run_id: runA, key: 'loss', value: 0.25, timestamp: 11, step: 1 });
    const res = await f.get('metrics/get-history', `run_id=${runA}&metric_key=loss`);
    expect(res.json()).toEqual({
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 10, step: 0 },
        { key: 'loss', value: 0.25, timestamp: 11, step: 1 },
      ],
    });
  });

  it('pages with max_results and page_token', async () => {
    await logSteps(runA, [0, 1, 2, 3, 4]);
    const p1 = (await f.get('metrics/get-history', `run_id=${runA}&metric_key=loss&max_results=2`)).json();
    expect(p1.metrics.map((m: { step: number }) => m.step)).toEqual([0, 1]);
    const p2 = (await f.get('metrics/get-history', `run_id=${runA}&metric_key=loss&max_results=2&page_token=${encodeURIComponent(p1.next_page_token)}`)).json();
    expect(p2.metrics.map((m: { step: number }) => m.step)).toEqual([2, 3]);
  });

  it('unknown key → {}; missing metric_key → 400; unknown run → 404', async () => {
    expect((await f.get('metrics/get-history', `run_id=${runA}&metric_key=nope`)).body).toBe('{}');
    const missing = await f.get('metrics/get-history', `run_id=${runA}`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/'metric_key'/);
    expect((await f.get('metrics/get-history', 'run_id=nope&metric_key=loss')).statusCode).toBe(404);
  });
});

describe('metrics/get-history-bulk-interval', () => {
  it('reads repeated run_ids and tags points with run_id', async () => {
    await logSteps(runA, [0, 1, 2]);
    await logSteps(runB, [1, 3]);
    const res = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&run_ids=${runB}&metric_key=loss`);
    expect(res.statusCode).toBe(200);
    const metrics = res.json().metrics as { run_id: string; step: number }[];
    expect(metrics.filter((m) => m.run_id === runA).map((m) => m.step)).toEqual([0, 1, 2]);
    expect(metrics.filter((m) => m.run_id === runB).map((m) => m.step)).toEqual([1, 3]);
    expect(metrics[0]).toEqual({ key: 'loss', value: 0, timestamp: 1000, step: 0, run_id: runA });
  });

  it('samples down to max_results and keeps each run’s first and last step', async () => {
    await logSteps(runA, Array.from({ length: 100 }, (_, i) => i));
    await logSteps(runB, [37]);
    const res = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&run_ids=${runB}&metric_key=loss&max_results=10`);
    const stepsA = (res.json().metrics as { run_id: string; step: number }[]).filter((m) => m.run_id === runA).map((m) => m.step);
    expect(stepsA).toEqual([0, 10, 20, 30, 37, 40, 50, 60, 70, 80, 90, 99]);
  });

  it('honours start_step/end_step', async () => {
    await logSteps(runA, [0, 5, 10, 15, 20]);
    const res = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&metric_key=loss&start_step=5&end_step=15`);
    expect(res.json().metrics.map((m: { step: number }) => m.step)).toEqual([5, 10, 15]);
  });

  it('validation messages', async () => {
    const one = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&metric_key=loss&start_step=5`);
    expect(one.statusCode).toBe(400);
    expect(one.json().message).toBe('If either start step or end step are specified, both must be specified.');
    const order = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&metric_key=loss&start_step=5&end_step=1`);
    expect(order.json().message).toBe('end_step must be greater than start_step. Found start_step=5 and end_step=1.');
    const max = await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&metric_key=loss&max_results=2501`);
    expect(max.json().message).toBe('max_results must be between 1 and 2500.');
    const many = Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&');
    const tooMany = await f.get('metrics/get-history-bulk-interval', `${many}&metric_key=loss`);
    expect(tooMany.json().message).toBe('GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids.');
    const noRuns = await f.get('metrics/get-history-bulk-interval', 'metric_key=loss');
    expect(noRuns.json().message).toMatch(/Missing value for required parameter 'run_ids'/);
  });
});
