import { afterEach, describe, expect, it } from 'vitest';
import { LablogError } from '../../errors.js';
import { RestStore } from './rest-store.js';
import { restStoreFactory } from './index.js';
import { sendJson, startScriptedServer, type Handler, type ScriptedServer } from './__tests__/scripted-server.js';

let server: ScriptedServer | undefined;
let store: RestStore | undefined;

async function setup(handler: Handler): Promise<{ s: ScriptedServer; store: RestStore }> {
  server = await startScriptedServer(handler);
  store = new RestStore({ trackingUri: server.url, retry: { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 }, env: {} });
  return { s: server, store };
}

afterEach(async () => {
  await store?.close();
  await server?.close();
  store = undefined;
  server = undefined;
});

const EXPERIMENT = { experiment_id: '1', name: 'e', artifact_location: 'mlflow-artifacts:/1', lifecycle_stage: 'active', last_update_time: 5, creation_time: 4 };

describe('RestStore requests', () => {
  it('getExperimentByName: null on RESOURCE_DOES_NOT_EXIST, other errors thrown', async () => {
    const { s, store } = await setup((req, res) => {
      if (req.url.includes('experiment_name=missing')) sendJson(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no' });
      else if (req.url.includes('experiment_name=e')) sendJson(res, 200, { experiment: EXPERIMENT });
      else sendJson(res, 404, '<html>Not Found</html>');
    });
    expect(await store.getExperimentByName('missing')).toBeNull();
    expect(await store.getExperimentByName('e')).toMatchObject({ experimentId: '1', name: 'e', tags: [] });
    const e = await store.getExperimentByName('other').catch((err: unknown) => err);
    expect(LablogError.is(e) && e.errorCode).toBe('ENDPOINT_NOT_FOUND');
    expect(s.requests[0]?.url).toBe('/api/2.0/mlflow/experiments/get-by-name?experiment_name=missing');
  });

  it('searchExperiments always sends max_results (1000 by default) and reads the page token', async () => {
    const { s, store } = await setup((_req, res) => sendJson(res, 200, { experiments: [EXPERIMENT], next_page_token: 'tok' }));
    const page = await store.searchExperiments({});
    expect(page.items.map((e) => e.experimentId)).toEqual(['1']);
    expect(page.nextPageToken).toBe('tok');
    await store.searchExperiments({ maxResults: 3, viewType: 'ALL', orderBy: ['name ASC'], filter: "name = 'e'" });
    expect(s.requests[0]).toMatchObject({ method: 'POST', url: '/api/2.0/mlflow/experiments/search' });
    expect(JSON.parse(s.requests[0]!.body)).toEqual({ max_results: 1000 });
    expect(JSON.parse(s.requests[1]!.body)).toEqual({ view_type: 'ALL', max_results: 3, filter: "name = 'e'", order_by: ['name ASC'] });
  });

  it('logBatch is one runs/log-batch request with non-finite values as strings; {} answers are fine', async () => {
    const { s, store } = await setup((_req, res) => sendJson(res, 200, {}));
    await store.logBatch('r1', {
      metrics: [{ key: 'm', value: NaN, timestamp: 1, step: 0 }, { key: 'm', value: Infinity, timestamp: 2, step: 1 }],
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'x' }],
    });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.url).toBe('/api/2.0/mlflow/runs/log-batch');
    expect(JSON.parse(s.requests[0]!.body)).toEqual({
      run_id: 'r1',
      metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }, { key: 'm', value: 'Infinity', timestamp: 2, step: 1 }],
      params: [{ key: 'p', value: 'v' }],
      tags: [{ key: 't', value: 'x' }],
    });
  });

  it('reads metric history with NaN strings and paging', async () => {
    const { s, store } = await setup((_req, res) => sendJson(res, 200, { metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 2 }], next_page_token: 'n' }));
    const page = await store.getMetricHistory('r1', 'm', { maxResults: 1 });
    expect(Number.isNaN(page.items[0]?.value)).toBe(true);
    expect(page.nextPageToken).toBe('n');
    expect(s.requests[0]?.url).toBe('/api/2.0/mlflow/metrics/get-history?run_id=r1&metric_key=m&max_results=1');
  });

  it('sends registry DELETEs with JSON bodies and searches as GETs with repeated order_by', async () => {
    const { s, store } = await setup((req, res) => {
      if (req.url.startsWith('/api/2.0/mlflow/registered-models/search')) sendJson(res, 200, { registered_models: [{ name: 'm', creation_timestamp: 1, last_updated_timestamp: 2 }] });
      else sendJson(res, 200, {});
    });
    await store.deleteRegisteredModel('m');
    await store.deleteModelVersionTag('m', '3', 'k');
    const page = await store.searchRegisteredModels({ orderBy: ['name ASC', 'creation_timestamp DESC'] });
    expect(page.items.map((m) => m.name)).toEqual(['m']);
    expect(page.nextPageToken).toBeUndefined();
    expect(s.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['DELETE', '/api/2.0/mlflow/registered-models/delete', '{"name":"m"}'],
      ['DELETE', '/api/2.0/mlflow/model-versions/delete-tag', '{"name":"m","version":"3","key":"k"}'],
      ['GET', '/api/2.0/mlflow/registered-models/search?max_results=100&order_by=name+ASC&order_by=creation_timestamp+DESC', ''],
    ]);
  });

  it('does not retry runs/create after a dropped connection (no duplicate run), but retries runs/get', async () => {
    const { s, store } = await setup((_req, res) => {
      res.socket?.destroy();
    });
    const e = await store.createRun({ experimentId: '0', userId: 'u', startTime: 1, tags: [] }).catch((err: unknown) => err);
    expect(LablogError.is(e) && e.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(s.requests).toHaveLength(1);
    await store.getRun('r').catch(() => undefined);
    expect(s.requests).toHaveLength(3);
  });

  it('reports a response missing its message field', async () => {
    const { store } = await setup((_req, res) => sendJson(res, 200, {}));
    const e = await store.getRun('r').catch((err: unknown) => err);
    expect(LablogError.is(e) && e.message).toContain("field 'run' is missing");
  });

  it('restStoreFactory serves tracking and registry with one store', async () => {
    const pair = restStoreFactory('http://127.0.0.1:5000');
    expect(pair.registry).toBe(pair.tracking);
    await pair.tracking.close();
  });
});
