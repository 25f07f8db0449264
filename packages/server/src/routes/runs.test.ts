import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';

let f: AppFixture;
let runId: string;

beforeEach(async () => {
  f = await createAppFixture();
  await f.post('experiments/create', { name: 'exp' });
  const res = await f.post('runs/create', { experiment_id: '1', run_name: 'r1', start_time: 1700000000000, tags: [{ key: 't1', value: 'v1' }] });
  runId = res.json().run.info.run_id;
});
afterEach(async () => {
  await f.close();
});

describe('runs/create and runs/get', () => {
  it('creates a run with MLflow JSON (ref §18)', async () => {
    const res = await f.post('runs/create', { experiment_id: 1, run_name: 'r2', start_time: '1700000000001', tags: [{ key: 't1', value: 'v1' }] });
    expect(res.statusCode).toBe(200);
    const run = res.json().run;
    expect(run.info).toEqual({
      run_uuid: run.info.run_id,
      experiment_id: '1',
      run_name: 'r2',
      user_id: '',
      status: 'RUNNING',
      start_time: 1700000000001,
      artifact_uri: `${f.artifactRoot}/1/${run.info.run_id}/artifacts`,
      lifecycle_stage: 'active',
      run_id: run.info.run_id,
    });
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 't1', value: 'v1' }, { key: 'mlflow.runName', value: 'r2' }]));
    expect(run.data).not.toHaveProperty('metrics');
    expect(run.data).not.toHaveProperty('params');
  });

  it('get returns the run; run_uuid is accepted for run_id', async () => {
    const a = (await f.get('runs/get', `run_id=${runId}`)).json();
    const b = (await f.get('runs/get', `run_uuid=${runId}`)).json();
    expect(a.run.info.run_name).toBe('r1');
    expect(a.run.inputs).toEqual({});
    expect(b).toEqual(a);
  });

  it('unknown run → 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const res = await f.get('runs/get', 'run_id=doesnotexist');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=doesnotexist not found' });
  });

  it('unknown experiment → 404; missing run_id → 400', async () => {
    const res = await f.post('runs/create', { experiment_id: '424242' });
    expect(res.statusCode).toBe(404);
    const missing = await f.get('runs/get');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe("Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.");
    const empty = await f.get('runs/get', 'run_id=');
    expect(empty.json().message).toMatch(/Missing value for required parameter 'run_id'/);
  });
});

describe('runs/update, delete, restore', () => {
  it('update returns run_info', async () => {
    const res = await f.post('runs/update', { run_id: runId, status: 'FINISHED', end_time: 1700000001000 });
    expect(res.json().run_info).toMatchObject({ status: 'FINISHED', end_time: 1700000001000, run_id: runId });
    const byNumber = await f.post('runs/update', { run_uuid: runId, status: 4 });
    expect(byNumber.json().run_info.status).toBe('FAILED');
    const bad = await f.post('runs/update', { run_id: runId, status: 'DONE' });
    expect(bad.statusCode).toBe(400);
  });

  it('delete → search DELETED_ONLY finds it → restore', async () => {
    expect((await f.post('runs/delete', { run_id: runId })).body).toBe('{}');
    const deleted = (await f.post('runs/search', { experiment_ids: ['1'], run_view_type: 'DELETED_ONLY' })).json();
    expect(deleted.runs).toHaveLength(1);
    expect(deleted.runs[0].info.lifecycle_stage).toBe('deleted');
    const logToDeleted = await f.post('runs/set-tag', { run_id: runId, key: 'k', value: 'v' });
    expect(logToDeleted.statusCode).toBe(400);
    expect((await f.post('runs/restore', { run_id: runId })).body).toBe('{}');
    expect((await f.get('runs/get', `run_id=${runId}`)).json().run.info.lifecycle_stage).toBe('active');
  });
});

describe('logging', () => {
  it('log-metric stores NaN and returns it as "NaN"; step defaults to 0', async () => {
    const res = await f.post('runs/log-metric', { run_id: runId, key: 'loss', value: 'NaN', timestamp: 5 });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{}');
    const run = (await f.get('runs/get', `run_id=${runId}`)).json().run;
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 'NaN', timestamp: 5, step: 0 }]);
  });

  it('log-metric validation: missing value, bad value, bad key', async () => {
    const missing = await f.post('runs/log-metric', { run_id: runId, key: 'loss', timestamp: 5 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe("Missing value for required parameter 'value'. See the API docs for more information about request parameters.");
    const bad = await f.post('runs/log-metric', { run_id: runId, key: 'loss', value: 'abc', timestamp: 5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^Invalid value 'abc' for parameter 'value' supplied/);
    const badKey = await f.post('runs/log-metric', { run_id: runId, key: 'bad key!', value: 1, timestamp: 5 });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().message).toMatch(/Names may only contain alphanumerics/);
    const traversal = await f.post('runs/log-metric', { run_id: runId, key: '../x', value: 1, timestamp: 5 });
    expect(traversal.json().message).toMatch(/must not resolve to other names/);
  });

  it('log-parameter: same value is fine, a different value → 400', async () => {
    expect((await f.post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).statusCode).toBe(200);
    expect((await f.post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).statusCode).toBe(200);
    const changed = await f.post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.02' });
    expect(changed.statusCode).toBe(400);
    expect(changed.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Changing param values is not allowed. Param with key='lr' was already logged with value='0.01' for run ID='${runId}'. Attempted logging new value '0.02'.`,
    });
  });

  it('set-tag and delete-tag; deleting a missing tag → 404', async () => {
    expect((await f.post('runs/set-tag', { run_id: runId, key: 'k', value: 'v' })).body).toBe('{}');
    expect((await f.get('runs/get', `run_id=${runId}`)).json().run.data.tags).toContainEqual({ key: 'k', value: 'v' });
    expect((await f.post('runs/delete-tag', { run_id: runId, key: 'k' })).body).toBe('{}');
    const missing = await f.post('runs/delete-tag', { run_id: runId, key: 'nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('log-batch writes metrics, params, tags', async () => {
    const res = await f.post('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'acc', value: 0.5, timestamp: 1, step: 0 },
        { key: 'acc', value: 0.7, timestamp: 2, step: 1 },
        { key: 'inf', value: 'Infinity', timestamp: '3' },
      ],
      params: [{ key: 'epochs', value: '10' }],
      tags: [{ key: 'team', value: 'x' }],
    });
    expect(res.body).toBe('{}');
    const data = (await f.get('runs/get', `run_id=${runId}`)).json().run.data;
    expect(data.metrics).toEqual(
      expect.arrayContaining([
        { key: 'acc', value: 0.7, timestamp: 2, step: 1 },
        { key: 'inf', value: expect.anything(), timestamp: 3, step: 0 },
      ]),
    );
    expect(data.params).toEqual([{ key: 'epochs', value: '10' }]);
    expect(data.tags).toContainEqual({ key: 'team', value: 'x' });
  });

  it('log-batch limits: >1000 metrics, >100 params → 400; nested missing fields name their path', async () => {
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: i }));
    const tooMany = await f.post('runs/log-batch', { run_id: runId, metrics });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toMatch(/^A batch logging request can contain at most 1000 metrics. Got 1001 metrics/);
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    const tooManyParams = await f.post('runs/log-batch', { run_id: runId, params });
    expect(tooManyParams.json().message).toMatch(/at most 100 params/);
    const nested = await f.post('runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1, timestamp: 1 }, { key: 'b', timestamp: 1 }] });
    expect(nested.json().message).toBe("Missing value for required parameter 'metrics[1].value'. See the API docs for more information about request parameters.");
    const notList = await f.post('runs/log-batch', { run_id: runId, metrics: { key: 'a' } });
    expect(notList.statusCode).toBe(400);
  });

  it('log-inputs records a dataset', async () => {
    const dataset = { name: 'train', digest: 'abcd1234', source_type: 'local', source: '{"uri": "x"}' };
    const res = await f.post('runs/log-inputs', { run_id: runId, datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }] });
    expect(res.body).toBe('{}');
    const inputs = (await f.get('runs/get', `run_id=${runId}`)).json().run.inputs;
    expect(inputs.dataset_inputs).toEqual([{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }]);
    const missing = await f.post('runs/log-inputs', { run_id: runId, datasets: [{ dataset: { name: 'x' } }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/'datasets\[0\]\.dataset\.digest'/);
  });
});

describe('runs/search', () => {
  it('no matches → exactly {}', async () => {
    const res = await f.post('runs/search', { experiment_ids: ['1'], filter: "params.lr = 'nope'" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{}');
  });

  it('filter, order_by and paging', async () => {
    await f.post('runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 1 });
    await f.post('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' });
    const second = (await f.post('runs/create', { experiment_id: '1', start_time: 1700000000500 })).json().run.info.run_id;
    const res = await f.post('runs/search', {
      experiment_ids: [1],
      filter: 'metrics.loss < 1 and params.lr = "0.01"',
      order_by: ['metrics.loss DESC'],
    });
    expect(res.json().runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);

    const page = (await f.post('runs/search', { experiment_ids: ['1'], max_results: 1 })).json();
    expect(page.runs).toHaveLength(1);
    expect(page.runs[0].info.run_id).toBe(second);
    expect(Buffer.from(page.next_page_token, 'base64').toString()).toMatch(/"offset": ?1/);
    const next = (await f.post('runs/search', { experiment_ids: ['1'], max_results: 1, page_token: page.next_page_token })).json();
    expect(next.runs[0].info.run_id).toBe(runId);
  });

  it('bad filter, bad order_by, max_results 50001, bad page token → 400', async () => {
    const bad = await f.post('runs/search', { experiment_ids: ['1'], filter: 'badfilter' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^Invalid clause\(s\) in filter string: 'badfilter'/);
    const order = await f.post('runs/search', { experiment_ids: ['1'], order_by: ['foo.bar'] });
    expect(order.statusCode).toBe(400);
    expect(order.json().message).toMatch(/Invalid entity type 'foo'/);
    const max = await f.post('runs/search', { experiment_ids: ['1'], max_results: 50001 });
    expect(max.statusCode).toBe(400);
    const token = await f.post('runs/search', { experiment_ids: ['1'], page_token: '!!!' });
    expect(token.statusCode).toBe(400);
    expect(token.json().message).toMatch(/^Invalid page token/);
  });

  it('is POST only: GET → 405 JSON with Allow', async () => {
    const res = await f.get('runs/search', 'experiment_ids=1');
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json().error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
