import { tableFromIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricHistoryFromArrow } from '@lablog/tracking';
import { createRegistryFixture, type RegistryFixture } from '../__tests__/registry-fixture.js';

const LABLOG = '/api/2.0/lablog';
let f: RegistryFixture;
let runA: string;
let runB: string;

async function log(runId: string, points: { step: number; value: number }[], key = 'loss'): Promise<void> {
  for (let i = 0; i < points.length; i += 1000) {
    const metrics = points.slice(i, i + 1000).map((p) => ({ key, value: p.value, timestamp: 1_700_000_000_000 + p.step, step: p.step }));
    await f.store.logBatch(runId, { metrics });
  }
}

beforeEach(async () => {
  f = await createRegistryFixture();
  runA = (await f.createRun()).runId;
  runB = (await f.createRun()).runId;
});
afterEach(async () => {
  await f.close();
});

describe('GET /api/2.0/lablog/metrics/get-history-arrow', () => {
  it('streams the full history as Arrow IPC', async () => {
    const points = Array.from({ length: 3000 }, (_, step) => ({ step, value: step === 7 ? NaN : step / 3 }));
    await log(runA, points);
    const res = await f.get('metrics/get-history-arrow', `run_id=${runA}&metric_key=loss`, LABLOG);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(res.rawPayload);
    expect(table.numRows).toBe(3000);
    expect(table.schema.fields.map((x) => x.name)).toEqual(['key', 'step', 'timestamp', 'value']);
    const history = metricHistoryFromArrow(table);
    expect(history[0]).toEqual({ key: 'loss', value: 0, timestamp: 1_700_000_000_000, step: 0 });
    expect(Number.isNaN(history[7]!.value)).toBe(true);
    expect(history[2999]!.value).toBeCloseTo(999.6667, 3);
  });

  it('an unknown key gives an empty table; an unknown run a 404 JSON error; run_uuid works', async () => {
    const empty = await f.get('metrics/get-history-arrow', `run_uuid=${runA}&metric_key=nope`, LABLOG);
    expect(empty.statusCode).toBe(200);
    expect(tableFromIPC(empty.rawPayload).numRows).toBe(0);
    const unknown = await f.get('metrics/get-history-arrow', 'run_id=nope&metric_key=loss', LABLOG);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=nope not found' });
    expect((await f.get('metrics/get-history-arrow', `run_id=${runA}`, LABLOG)).json().message).toMatch(/'metric_key'/);
  });
});

describe('GET /api/2.0/lablog/metrics/get-history-bulk-interval', () => {
  it('a one-step spike in 100k points survives where MLflow’s step sampling drops it', async () => {
    const n = 100_000;
    const spikeStep = 54_321;
    await log(runA, Array.from({ length: n }, (_, step) => ({ step, value: step === spikeStep ? 1000 : 1 + Math.sin(step / 500) })));
    const q = `run_ids=${runA}&metric_key=loss&max_results=100`;
    const ours = (await f.get('metrics/get-history-bulk-interval', q, LABLOG)).json().metrics as { step: number; value: number; run_id: string }[];
    expect(ours.length).toBeLessThanOrEqual(102);
    expect(ours.find((m) => m.step === spikeStep)?.value).toBe(1000);
    expect(ours[0]!.step).toBe(0);
    expect(ours[ours.length - 1]!.step).toBe(n - 1);
    expect(ours.every((m) => m.run_id === runA)).toBe(true);
    const mlflow = (await f.get('metrics/get-history-bulk-interval', q)).json().metrics as { step: number }[];
    expect(mlflow.some((m) => m.step === spikeStep)).toBe(false);
  });

  it('MLflow’s request and response shape: runs in order, step range, all points when they fit', async () => {
    await log(runA, [0, 1, 2, 3].map((step) => ({ step, value: step })));
    await log(runB, [2, 5].map((step) => ({ step, value: -step })));
    const all = (await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&run_ids=${runB}&metric_key=loss`, LABLOG)).json();
    expect(all.metrics[0]).toEqual({ key: 'loss', value: 0, timestamp: 1_700_000_000_000, step: 0, run_id: runA });
    expect(all.metrics.map((m: { run_id: string; step: number }) => `${m.run_id === runA ? 'A' : 'B'}${m.step}`)).toEqual(['A0', 'A1', 'A2', 'A3', 'B2', 'B5']);
    const ranged = (await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&run_ids=${runB}&metric_key=loss&start_step=1&end_step=2`, LABLOG)).json();
    expect(ranged.metrics.map((m: { step: number }) => m.step)).toEqual([1, 2, 2]);
    expect((await f.get('metrics/get-history-bulk-interval', `run_ids=${runA}&metric_key=nope`, LABLOG)).body).toBe('{}');
  });

  it('validation messages are MLflow’s', async () => {
    const get = (q: string) => f.get('metrics/get-history-bulk-interval', q, LABLOG);
    expect((await get(`run_ids=${runA}&metric_key=loss&start_step=3`)).json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'If either start step or end step are specified, both must be specified.',
    });
    expect((await get(`run_ids=${runA}&metric_key=loss&start_step=3&end_step=1`)).json().message).toMatch(/^end_step must be greater than start_step/);
    expect((await get(`run_ids=${runA}&metric_key=loss&max_results=2501`)).statusCode).toBe(400);
    expect((await get(`run_ids=${runA}&metric_key=loss&max_results=0`)).statusCode).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&');
    expect((await get(`${many}&metric_key=loss`)).statusCode).toBe(400);
    expect((await get('metric_key=loss')).json().message).toMatch(/'run_ids'/);
    expect((await get('run_ids=nope&metric_key=loss')).statusCode).toBe(404);
  });
});
