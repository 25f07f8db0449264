import { afterEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';
import { CROSS_ORIGIN_BLOCKED_MESSAGE, hostChecker, INVALID_HOST_MESSAGE, originChecker, splitHost, type SecurityOptions } from './security.js';

let f: AppFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function app(security?: SecurityOptions): Promise<AppFixture> {
  f = await createAppFixture(security ? { security } : {});
  return f;
}

const health = (a: AppFixture, headers: Record<string, string>) => a.app.inject({ method: 'GET', url: '/health', headers });

describe('Host header check (DNS rebinding)', () => {
  it.each(['evil.com', 'evil.com:5000', 'localhost.evil.com', '127.0.0.1.nip.io', 'attacker.example.org'])('Host %s → 403', async (host) => {
    const a = await app();
    const res = await health(a, { host });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error_code: 'PERMISSION_DENIED', message: INVALID_HOST_MESSAGE });
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each(['localhost', 'localhost:5000', '127.0.0.1:5000', '[::1]:5000', 'app.localhost:3000', '192.168.1.20:5000', '10.0.0.7'])(
    'Host %s → 200',
    async (host) => {
      const res = await health(await app(), { host });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('OK');
    },
  );

  it('allows --allowed-hosts entries (names, wildcards, host:port) and the bound host', async () => {
    const a = await app({ allowedHosts: ['mlflow.internal', '*.example.com', 'pinned.io:8443'], boundHost: 'tracking.lan' });
    for (const host of ['mlflow.internal', 'mlflow.internal:80', 'a.example.com', 'b.c.example.com:5000', 'pinned.io:8443', 'tracking.lan:5000']) {
      expect((await health(a, { host })).statusCode, host).toBe(200);
    }
    for (const host of ['example.com', 'pinned.io:8444', 'pinned.io', 'xexample.com']) {
      expect((await health(a, { host })).statusCode, host).toBe(403);
    }
  });

  it('checks API and artifact routes too, and can be disabled', async () => {
    const a = await app();
    expect((await a.app.inject({ method: 'GET', url: '/api/2.0/mlflow/experiments/get?experiment_id=0', headers: { host: 'evil.com' } })).statusCode).toBe(403);
    expect((await a.app.inject({ method: 'GET', url: '/get-artifact?run_id=x&path=y', headers: { host: 'evil.com' } })).statusCode).toBe(403);
    await a.close();
    f = undefined;
    const off = await app({ disabled: true });
    expect((await health(off, { host: 'evil.com' })).statusCode).toBe(200);
  });

  it('unit: splitHost and hostChecker', () => {
    expect(splitHost('[::1]:5000')).toEqual({ host: '::1', port: '5000' });
    expect(splitHost('Example.COM:80')).toEqual({ host: 'example.com', port: '80' });
    const check = hostChecker({ boundHost: '0.0.0.0' });
    expect(check(undefined)).toBe(false);
    expect(check('0.0.0.0')).toBe(false);
    expect(check('172.20.1.1')).toBe(true);
    expect(check('172.32.1.1')).toBe(false);
    expect(check('8.8.8.8')).toBe(false);
    expect(hostChecker({ allowedHosts: ['*'] })('anything.at.all')).toBe(true);
  });
});

describe('CORS allow-list', () => {
  const preflight = (a: AppFixture, origin: string, host = 'localhost:5000') =>
    a.app.inject({
      method: 'OPTIONS',
      url: '/api/2.0/mlflow/experiments/create',
      headers: { host, origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  it.each(['http://localhost:8888', 'http://127.0.0.1:3000', 'https://localhost', 'http://[::1]:8888'])(
    'default: preflight from %s (a localhost origin, e.g. JupyterLab) is allowed',
    async (origin) => {
      const res = await preflight(await app(), origin);
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(String(res.headers['access-control-allow-methods'])).toMatch(/POST/);
    },
  );

  it.each(['https://evil.com', 'http://localhost.evil.com', 'null', 'file://'])('default: preflight from %s → 403 without CORS headers', async (origin) => {
    const res = await preflight(await app(), origin);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error_code: 'PERMISSION_DENIED', message: CROSS_ORIGIN_BLOCKED_MESSAGE });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses state-changing requests from other origins (CSRF), even "simple" text/plain ones', async () => {
    const a = await app();
    const csrf = await a.app.inject({
      method: 'POST',
      url: '/ajax-api/2.0/mlflow/upload-artifact?run_uuid=x&path=a.txt',
      headers: { host: 'localhost:5000', origin: 'https://evil.com', 'content-type': 'text/plain' },
      payload: 'pwned',
    });
    expect(csrf.statusCode).toBe(403);
    const rename = await a.app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/experiments/update',
      headers: { host: 'localhost:5000', origin: 'https://evil.com', 'content-type': 'application/json' },
      payload: JSON.stringify({ experiment_id: '0', new_name: 'pwned' }),
    });
    expect(rename.statusCode).toBe(403);
    // A cross-origin GET is answered, without CORS headers, so the browser hides the body.
    const read = await a.app.inject({ method: 'GET', url: '/health', headers: { host: 'localhost:5000', origin: 'https://evil.com' } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('same-origin requests pass whatever the allow-list (the UI on its own host)', async () => {
    const a = await app({ allowedHosts: ['mlflow.corp:5000'] });
    const res = await a.post('experiments/create', { name: 'ui' });
    expect(res.statusCode).toBe(200);
    const same = await a.app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/experiments/create',
      headers: { host: 'mlflow.corp:5000', origin: 'http://mlflow.corp:5000', 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'same-origin' }),
    });
    expect(same.statusCode).toBe(200);
  });

  it('--cors-allowed-origins replaces the defaults; wildcards and ports', async () => {
    const a = await app({ corsAllowedOrigins: ['https://notebooks.example.com', 'https://*.corp.io', 'http://dev.box:*'] });
    expect((await preflight(a, 'https://notebooks.example.com')).statusCode).toBe(204);
    expect((await preflight(a, 'https://x.corp.io')).statusCode).toBe(204);
    expect((await preflight(a, 'http://dev.box:1234')).statusCode).toBe(204);
    expect((await preflight(a, 'http://localhost:8888')).statusCode).toBe(403);
    expect((await preflight(a, 'http://notebooks.example.com')).statusCode).toBe(403);
    expect((await preflight(a, 'https://notebooks.example.com:444')).statusCode).toBe(403);
  });

  it('unit: originChecker', () => {
    const def = originChecker({});
    expect(def('http://localhost:8888')).toBe(true);
    expect(def('ftp://localhost')).toBe(false);
    expect(def('garbage')).toBe(false);
    expect(originChecker({ corsAllowedOrigins: ['*'] })('https://any.where')).toBe(true);
  });
});

describe('security headers', () => {
  it('every response carries X-Frame-Options and nosniff: JSON, text, errors, 404s, malformed URLs', async () => {
    const a = await app();
    for (const res of [
      await a.app.inject({ method: 'GET', url: '/health' }),
      await a.get('experiments/get', 'experiment_id=0'),
      await a.get('experiments/get', 'experiment_id=999'),
      await a.app.inject({ method: 'GET', url: '/no/such/route' }),
      await a.app.inject({ method: 'GET', url: '/api/%' }),
    ]) {
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('X-Frame-Options can be DENY', async () => {
    const a = await app({ frameOptions: 'DENY' });
    expect((await a.app.inject({ method: 'GET', url: '/health' })).headers['x-frame-options']).toBe('DENY');
  });
});
