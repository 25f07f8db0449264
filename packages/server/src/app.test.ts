import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackingStore } from '@lablog/tracking';
import { buildApp, MLFLOW_API_PREFIXES } from './app.js';
import { createAppFixture, type AppFixture } from './__tests__/app-fixture.js';

let f: AppFixture;
beforeEach(async () => {
  f = await createAppFixture();
});
afterEach(async () => {
  await f.close();
});

const API = '/api/2.0/mlflow';
const json = { 'content-type': 'application/json' };

describe('misc routes', () => {
  it('/health answers OK', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('OK');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it("/version answers this package's version", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const res = await f.app.inject({ method: 'GET', url: '/version' });
    expect(res.body).toBe(pkg.version);
  });
});

describe('routing', () => {
  it('serves every route under the /ajax-api mirror too', async () => {
    expect(MLFLOW_API_PREFIXES).toEqual(['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']);
    const created = await f.post('experiments/create', { name: 'via-ajax' }, '/ajax-api/2.0/mlflow');
    expect(created.json()).toEqual({ experiment_id: '1' });
    const a = await f.get('experiments/get', 'experiment_id=1');
    const b = await f.get('experiments/get', 'experiment_id=1', '/ajax-api/2.0/mlflow');
    expect(b.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
  });

  it('unknown route → 404 ENDPOINT_NOT_FOUND JSON', async () => {
    for (const url of [`${API}/runs/nope`, '/', '/api/2.0/mlflow', '/static/x.js']) {
      const res = await f.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json().error_code).toBe('ENDPOINT_NOT_FOUND');
    }
    // A POST to an unknown path with a foreign content type is still a 404, not a 400/415.
    const res = await f.app.inject({ method: 'POST', url: `${API}/nope`, headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(res.statusCode).toBe(404);
  });

  it('wrong method on a known path → 405 JSON with Allow', async () => {
    const res = await f.app.inject({ method: 'DELETE', url: `${API}/experiments/get?experiment_id=1` });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: 'Method DELETE is not allowed for /api/2.0/mlflow/experiments/get. Allowed: GET, HEAD.',
    });
  });
});

describe('request decoding (ref §1.1)', () => {
  it('POST without Content-Type → 400 with MLflow message', async () => {
    const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, payload: '{"name":"x"}' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Bad Request. Content-Type header is missing.' });
  });

  it('POST with another Content-Type → 400 with MLflow message', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
      const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: { 'content-type': type }, payload: '{"name":"x"}' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: "Bad Request. Content-Type must be one of ['application/json']." });
    }
  });

  it('charset and letter case in Content-Type are fine', async () => {
    const a = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: { 'content-type': 'application/json; charset=utf-8' }, payload: '{"name":"a"}' });
    expect(a.statusCode).toBe(200);
    const b = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: { 'content-type': 'Application/JSON' }, payload: '{"name":"b"}' });
    expect(b.statusCode).toBe(200);
  });

  it('malformed JSON → 400 MALFORMED_REQUEST (MLflow reads it as {})', async () => {
    const res = await f.app.inject({ method: 'POST', url: `${API}/runs/create`, headers: json, payload: '{"experiment_id": "1",' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('MALFORMED_REQUEST');
    expect(res.json().message).toMatch(/^Malformed JSON in request body: /);
  });

  it('empty body = {}', async () => {
    const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: json, payload: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^Missing value for required parameter 'name'/);
  });

  it('decodes double-encoded JSON bodies', async () => {
    const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: json, payload: JSON.stringify(JSON.stringify({ name: 'twice' })) });
    expect(res.json()).toEqual({ experiment_id: '1' });
  });

  it('a non-object body → 400', async () => {
    for (const payload of ['[1,2]', '42', 'true', '"[]"']) {
      const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: json, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('ignores unknown fields and __proto__ keys', async () => {
    const payload = '{"name":"u","unknown":{"deep":[1]},"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}';
    const res = await f.app.inject({ method: 'POST', url: `${API}/experiments/create`, headers: json, payload });
    expect(res.json()).toEqual({ experiment_id: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('experiment_id as a JSON int is a string', async () => {
    await f.post('experiments/create', { name: 'e' });
    const res = await f.post('experiments/set-experiment-tag', { experiment_id: 1, key: 'k', value: 'v' });
    expect(res.body).toBe('{}');
  });

  it('GET with no query string falls back to a JSON body', async () => {
    await f.post('experiments/create', { name: 'from-body' });
    const res = await f.app.inject({ method: 'GET', url: `${API}/experiments/get`, headers: json, payload: '{"experiment_id": 1}' });
    expect(res.statusCode).toBe(200);
    expect(res.json().experiment.name).toBe('from-body');
  });

  it('a repeated scalar query key takes the first value', async () => {
    await f.post('experiments/create', { name: 'first' });
    const res = await f.get('experiments/get', 'experiment_id=1&experiment_id=2');
    expect(res.json().experiment.name).toBe('first');
  });

  it('wrong types in the query string → 400 in MLflow wording', async () => {
    const res = await f.get('experiments/search', 'max_results=ten');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/^Invalid value 'ten' for parameter 'max_results' supplied/);
  });
});

describe('limits and failures', () => {
  it('rejects bodies over the limit with 413 JSON', async () => {
    const small = await createAppFixture({ bodyLimit: 1024 });
    try {
      const res = await small.post('experiments/create', { name: 'x'.repeat(2000) });
      expect(res.statusCode).toBe(413);
      expect(res.json().error_code).toBe('BAD_REQUEST');
      const get = await small.app.inject({ method: 'GET', url: `${API}/experiments/get`, headers: json, payload: JSON.stringify({ experiment_id: 'x'.repeat(2000) }) });
      expect(get.statusCode).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('hides unexpected errors: 500 INTERNAL_ERROR, no message, no stack, logged', async () => {
    const logged: string[] = [];
    const failing = {
      getExperiment: async () => {
        throw new Error('SELECT secret FROM internals');
      },
      close: async () => undefined,
    } as unknown as TrackingStore;
    const app = buildApp({
      trackingStore: failing,
      logger: { level: 'error', stream: { write: (line: string) => void logged.push(line) } },
    });
    const res = await app.inject({ method: 'GET', url: `${API}/experiments/get?experiment_id=1` });
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['error_code', 'message']);
    expect(body.error_code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toMatch(/secret|at .*\.ts/);
    expect(logged.join('\n')).toMatch(/SELECT secret FROM internals/);
    await app.close();
  });

  it('TEMPORARILY_UNAVAILABLE keeps its message: artifacts/list on an mlflow-artifacts: root without the proxy → 503', async () => {
    await f.post('experiments/create', { name: 'proxied', artifact_location: 'mlflow-artifacts:/proxied' });
    const runId = (await f.post('runs/create', { experiment_id: '1' })).json().run.info.run_id;
    const res = await f.get('artifacts/list', `run_id=${runId}`);
    expect(res.statusCode).toBe(503);
    expect(res.json().error_code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(res.json().message).toMatch(/--no-serve-artifacts/);
  });
});
