import { afterEach, describe, expect, it } from 'vitest';
import { LablogError } from '../../errors.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';
import { backoffDelayMs, resolveRetryOptions, retryAfterMs } from './retry-policy.js';
import { sendJson, startScriptedServer, unusedPort, type Handler, type ScriptedServer } from './__tests__/scripted-server.js';

/** Short waits: tests count attempts, never time them. */
const FAST = { maxRetries: 3, backoffFactor: 0.001, backoffJitter: 0 };

let servers: ScriptedServer[] = [];
let clients: HttpClient[] = [];

async function serve(handler: Handler): Promise<ScriptedServer> {
  const s = await startScriptedServer(handler);
  servers.push(s);
  return s;
}

function client(baseUrl: string, extra: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({ baseUrl, retry: FAST, env: {}, ...extra });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<LablogError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').not.toBeNull();
  expect(LablogError.is(e), `expected a LablogError, got ${String(e)}`).toBe(true);
  return e as LablogError;
}

afterEach(async () => {
  for (const c of clients) await c.close();
  for (const s of servers) await s.close();
  clients = [];
  servers = [];
});

describe('HttpClient retries', () => {
  it('retries 503 and 429, then returns the success', async () => {
    const s = await serve((_req, res, i) => {
      if (i === 0) sendJson(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
      else if (i === 1) sendJson(res, 429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'slow down' });
      else sendJson(res, 200, { ok: true });
    });
    expect(await client(s.url).json('GET', '/api/2.0/mlflow/x', {}, { idempotent: true })).toEqual({ ok: true });
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry a 400 and reports its error code', async () => {
    const s = await serve((_req, res) => sendJson(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad key' }));
    const e = await failure(client(s.url).json('POST', '/api/2.0/mlflow/x', {}, { idempotent: true }));
    expect(e.errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect(e.message).toBe('bad key');
    expect(e.httpStatus).toBe(400);
    expect(s.requests).toHaveLength(1);
  });

  it('gives up after maxRetries and reports the last error', async () => {
    const s = await serve((_req, res) => sendJson(res, 502, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'gateway' }));
    const e = await failure(client(s.url, { retry: { ...FAST, maxRetries: 2 } }).json('GET', '/p', {}, { idempotent: true }));
    expect(e.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(e.httpStatus).toBe(502);
    expect(s.requests).toHaveLength(3);
  });

  it('honours Retry-After instead of its own (here enormous) backoff, capping the wait', async () => {
    const s = await serve((_req, res, i) => {
      if (i === 0) sendJson(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'x' }, { 'retry-after': '0' });
      else if (i === 1) sendJson(res, 429, { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'x' }, { 'retry-after': '0' });
      else if (i === 2) sendJson(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'x' }, { 'retry-after': '3600' });
      else sendJson(res, 200, {});
    });
    // Without Retry-After the 2nd and 3rd retries would wait 600 s each: the test would time out.
    const c = client(s.url, { retry: { maxRetries: 5, backoffFactor: 300, backoffJitter: 0, maxBackoffMs: 50 } });
    // maxBackoffMs caps Retry-After (3600 s) as well; the backoff itself is bypassed by Retry-After.
    expect(await c.json('GET', '/p', {}, { idempotent: true })).toEqual({});
    expect(s.requests).toHaveLength(4);
  });

  it('retries a refused connection, then fails with a clear LablogError', async () => {
    const port = await unusedPort();
    const c = client(`http://127.0.0.1:${port}`, { retry: { ...FAST, maxRetries: 2 } });
    for (const method of ['GET', 'POST'] as const) {
      const e = await failure(c.json(method, '/api/2.0/mlflow/runs/create', {}, { idempotent: false }));
      expect(e.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
      expect(e.message).toContain(`${method} http://127.0.0.1:${port}/api/2.0/mlflow/runs/create`);
      expect(e.message).toContain('failed after 3 attempts');
      expect(e.message).toMatch(/ECONNREFUSED/);
    }
  });

  it('retries a dropped connection for idempotent requests only', async () => {
    let drop = true;
    const s = await serve((_req, res) => {
      if (drop) {
        drop = false;
        res.socket?.destroy();
      } else sendJson(res, 200, { ok: 1 });
    });
    const c = client(s.url);
    expect(await c.json('POST', '/api/2.0/mlflow/runs/log-batch', {}, { idempotent: true })).toEqual({ ok: 1 });
    expect(s.requests).toHaveLength(2);
    drop = true;
    const e = await failure(c.json('POST', '/api/2.0/mlflow/runs/create', {}, { idempotent: false }));
    expect(e.errorCode).toBe('TEMPORARILY_UNAVAILABLE');
    expect(e.message).toContain('may have applied it');
    expect(s.requests).toHaveLength(3);
  });

  it('retries a non-idempotent request on 503 but not on 500', async () => {
    const s = await serve((_req, res, i) => {
      if (i === 0) sendJson(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'x' });
      else sendJson(res, 500, { error_code: 'INTERNAL_ERROR', message: 'boom' });
    });
    const e = await failure(client(s.url).json('POST', '/p', {}, { idempotent: false }));
    expect(e.errorCode).toBe('INTERNAL_ERROR');
    expect(s.requests).toHaveLength(2);
  });

  it('times out a silent server (DEADLINE_EXCEEDED) and retries idempotent requests', async () => {
    const s = await serve(() => undefined);
    const c = client(s.url, { timeoutMs: 150, retry: { ...FAST, maxRetries: 1 } });
    const e = await failure(c.json('GET', '/p', {}, { idempotent: true }));
    expect(e.errorCode).toBe('DEADLINE_EXCEEDED');
    expect(e.message).toContain('2 attempts');
    expect(s.requests).toHaveLength(2);
  });

  it('reads MLFLOW_HTTP_REQUEST_MAX_RETRIES and MLFLOW_HTTP_REQUEST_TIMEOUT', async () => {
    const s = await serve((_req, res) => sendJson(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'x' }, { 'retry-after': '0' }));
    const c = new HttpClient({ baseUrl: s.url, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1', MLFLOW_HTTP_REQUEST_TIMEOUT: '7' } });
    clients.push(c);
    expect(c.timeoutMs).toBe(7000);
    await failure(c.json('GET', '/p', {}, { idempotent: true }));
    expect(s.requests).toHaveLength(2);
    expect(resolveRetryOptions({}, {})).toMatchObject({ maxRetries: 7, backoffFactor: 2, backoffJitter: 1, maxBackoffMs: 120_000 });
  });
});

describe('retry policy arithmetic', () => {
  it('backs off like urllib3: 0, then factor·2^(n-1) plus jitter, capped', () => {
    const o = resolveRetryOptions({ backoffFactor: 2, backoffJitter: 1, maxBackoffMs: 120_000 }, {});
    const half = () => 0.5;
    expect([1, 2, 3, 4, 7, 8].map((n) => backoffDelayMs(n, o, half))).toEqual([0, 4500, 8500, 16500, 120_000, 120_000]);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    expect(retryAfterMs('2', 60_000)).toBe(2000);
    expect(retryAfterMs('3600', 60_000)).toBe(60_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 60_000, 5_000)).toBe(5000);
    expect(retryAfterMs('soon', 60_000)).toBeUndefined();
    expect(retryAfterMs(undefined, 60_000)).toBeUndefined();
  });
});

describe('HttpClient auth', () => {
  it('sends Basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    await client(s.url, { env: { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'p:ss' } }).json('GET', '/p', {}, { idempotent: true });
    expect(s.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('alice:p:ss').toString('base64')}`);
  });

  it('sends Bearer auth from MLFLOW_TRACKING_TOKEN, Basic winning when both are set', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    await client(s.url, { env: { MLFLOW_TRACKING_TOKEN: 'tok' } }).json('POST', '/p', {}, { idempotent: true });
    await client(s.url, { env: { MLFLOW_TRACKING_TOKEN: 'tok', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' } }).json('GET', '/p', {}, { idempotent: true });
    expect(s.requests[0]?.headers.authorization).toBe('Bearer tok');
    expect(s.requests[1]?.headers.authorization).toMatch(/^Basic /);
  });

  it('takes user:pass@ from the URI, keeps it out of messages, and sends no auth to other origins', async () => {
    const other = await serve((_req, res) => sendJson(res, 404, '<html>nope</html>'));
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    const c = client(s.url.replace('http://', 'http://bob:secret@'));
    await c.json('GET', '/p', {}, { idempotent: true });
    expect(s.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('bob:secret').toString('base64')}`);
    const e = await failure(c.json('GET', `${other.url}/elsewhere`, {}, { idempotent: true }));
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
    expect(e.message).not.toContain('secret');
    expect(c.baseUrl.href).not.toContain('secret');
  });

  it('sends no Authorization header without credentials', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    await client(s.url).json('GET', '/p', {}, { idempotent: true });
    expect(s.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('HttpClient responses and encoding', () => {
  it("maps error JSON to the server's code, numeric and unknown codes from the HTTP status", async () => {
    const answers: [number, unknown, string][] = [
      [404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Run 'x' not found" }, 'RESOURCE_DOES_NOT_EXIST'],
      [400, { error_code: 'RESOURCE_ALREADY_EXISTS', message: 'dup' }, 'RESOURCE_ALREADY_EXISTS'],
      [400, { error_code: 404, message: 'numeric' }, 'ENDPOINT_NOT_FOUND'],
      [409, { error_code: 'SOMETHING_NEW', message: 'unknown' }, 'RESOURCE_CONFLICT'],
      [401, { message: 'who are you' }, 'UNAUTHENTICATED'],
      [404, '<!doctype html><title>404 Not Found</title>', 'ENDPOINT_NOT_FOUND'],
      [404, '', 'ENDPOINT_NOT_FOUND'],
      [403, 'Forbidden', 'PERMISSION_DENIED'],
      [418, 'teapot', 'BAD_REQUEST'],
    ];
    const s = await serve((_req, res, i) => {
      const [status, body] = answers[i]!;
      sendJson(res, status, body as object);
    });
    const c = client(s.url);
    for (const [status, , code] of answers) {
      const e = await failure(c.json('GET', '/p', {}, { idempotent: true }));
      expect(e.errorCode, JSON.stringify(answers.find((a) => a[2] === code))).toBe(code);
      expect(e.httpStatus).toBe(status);
    }
    expect(s.requests).toHaveLength(answers.length);
  });

  it('rejects a 200 whose body is not a JSON object', async () => {
    const bodies = ['<html>login page</html>', '', '[1,2]', 'null'];
    const s = await serve((_req, res, i) => {
      res.writeHead(200, { 'content-type': i === 0 ? 'text/html' : 'application/json' });
      res.end(bodies[i]);
    });
    const c = client(s.url);
    for (const body of bodies) {
      const e = await failure(c.json('GET', '/api/2.0/mlflow/experiments/get', {}, { idempotent: true }));
      expect(e.errorCode).toBe('INTERNAL_ERROR');
      expect(e.message).toContain('not a JSON object');
      if (body.startsWith('<html>')) expect(e.message).toContain('login page');
    }
    expect(s.requests).toHaveLength(bodies.length);
  });

  it('encodes GET messages as query strings with repeated keys; other methods as JSON bodies', async () => {
    const s = await serve((_req, res) => sendJson(res, 200, {}));
    const c = client(`${s.url}/prefix/`);
    await c.json('GET', '/api/2.0/mlflow/metrics/get-history-bulk-interval', { run_ids: ['a', 'b c'], metric_key: 'loss', max_results: 5, archive: false, skip: undefined }, { idempotent: true });
    await c.json('DELETE', '/api/2.0/mlflow/registered-models/alias', { name: 'm', alias: 'champ' }, { idempotent: false });
    expect(s.requests[0]?.url).toBe('/prefix/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=a&run_ids=b+c&metric_key=loss&max_results=5&archive=false');
    expect(s.requests[0]?.body).toBe('');
    expect(s.requests[1]).toMatchObject({ method: 'DELETE', url: '/prefix/api/2.0/mlflow/registered-models/alias', body: '{"name":"m","alias":"champ"}' });
    expect(s.requests[1]?.headers['content-type']).toBe('application/json');
  });

  it('refuses non-http URIs and a closed client', async () => {
    expect(() => new HttpClient({ baseUrl: 'sqlite:///x.db', env: {} })).toThrow(LablogError);
    const c = client('http://127.0.0.1:9');
    await c.close();
    await failure(c.json('GET', '/p', {}, { idempotent: true }));
  });
});
