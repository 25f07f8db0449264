import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthFixture, type AuthFixture } from '../../__tests__/auth-fixture.js';
import { routesMissingPermissions } from './index.js';
import { ROUTE_PERMISSIONS, ruleFor } from './route-permissions.js';

describe('the route-permission table', () => {
  let f: AuthFixture;
  beforeAll(async () => {
    f = await createAuthFixture();
  });
  afterAll(() => f.close());

  it('has an entry for EVERY route the app registers (add one when you add a route)', () => {
    const routes = f.app.auth.routes;
    expect(routes.length).toBeGreaterThan(100);
    // Spot-check that the record really is the whole app: families from every route file.
    const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const key of [
      'POST /api/2.0/mlflow/runs/log-batch',
      'POST /ajax-api/2.0/mlflow/runs/log-batch',
      'GET /api/2.0/mlflow/model-versions/search',
      'DELETE /api/2.0/mlflow-artifacts/artifacts/*',
      'POST /ajax-api/2.0/mlflow-artifacts/mpu/abort/*',
      'GET /get-artifact',
      'GET /model-versions/get-artifact',
      'POST /ajax-api/2.0/mlflow/upload-artifact',
      'GET /api/2.0/lablog/metrics/get-history-arrow',
      'PATCH /api/2.0/mlflow/users/update-password',
      'GET /health',
    ]) {
      expect(urls, key).toContain(key);
    }
    expect(routesMissingPermissions(routes)).toEqual([]);
  });

  it('HEAD uses the GET entry; unknown keys have none', () => {
    expect(ruleFor('HEAD', '/get-artifact')).toBe(ROUTE_PERMISSIONS.get('GET /get-artifact'));
    expect(ruleFor('GET', '/api/2.0/mlflow/not-a-route')).toBeUndefined();
  });

  it('only /health, /version and the CORS preflight are public', () => {
    const publicKeys = [...ROUTE_PERMISSIONS].filter(([, r]) => r.access === 'public').map(([k]) => k);
    expect(publicKeys.sort()).toEqual(['GET /health', 'GET /version', 'OPTIONS *']);
  });

  it('proxy DELETE needs MANAGE (CVE-2024-4263) and MPU routes are guarded (CVE-2026-2651)', () => {
    for (const p of ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts']) {
      expect(ROUTE_PERMISSIONS.get(`DELETE ${p}/artifacts/*`)).toEqual({ access: 'resource', checks: [{ kind: 'artifact-path', need: 'manage', write: true }] });
      for (const op of ['create', 'complete', 'abort']) {
        expect(ROUTE_PERMISSIONS.get(`POST ${p}/mpu/${op}/*`)).toEqual({ access: 'resource', checks: [{ kind: 'artifact-path', need: 'update', write: true }] });
      }
    }
  });
});

describe('default deny', () => {
  it('a route added without an entry is refused for everybody, admins included, and reported', async () => {
    // A fresh app with an extra route registered after the auth plugin.
    const { buildApp } = await import('../../app.js');
    const { SqliteStore } = await import('@lablog/tracking');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'lablog-deny-'));
    const store = new SqliteStore({ path: join(dir, 'db.sqlite') });
    const app = buildApp({
      trackingStore: store,
      auth: { dbUri: join(dir, 'auth.db'), adminPassword: 'admin-password-123', scrypt: { N: 1024, r: 8, p: 1 } },
    });
    app.register(async (child) => {
      child.get('/api/2.0/mlflow/brand-new', async () => ({ secret: true }));
    });
    await app.ready();
    expect(routesMissingPermissions(app.auth.routes)).toEqual(['GET /api/2.0/mlflow/brand-new', 'HEAD /api/2.0/mlflow/brand-new']);
    const admin = { authorization: `Basic ${Buffer.from('admin:admin-password-123').toString('base64')}` };
    const res = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/brand-new', headers: admin });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
    const anon = await app.inject({ method: 'GET', url: '/api/2.0/mlflow/brand-new' });
    expect(anon.statusCode).toBe(401);
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
