import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '@lablog/tracking';
import { buildApp } from '../../app.js';
import { ADMIN, TEST_SCRYPT, USER_PASSWORD, createAuthFixture, type AuthFixture } from '../../__tests__/auth-fixture.js';
import { SqliteAuthStore } from './sqlite-auth-store.js';
import { authOptionsForServer, defaultAuthDbUri } from './options.js';
import type { AuthOptions } from './options.js';

describe('bootstrap', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-boot-'));
    store = new SqliteStore({ path: join(dir, 'lablog.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (auth: AuthOptions) => {
    const app = buildApp({ trackingStore: store, auth: { dbUri: join(dir, 'basic_auth.db'), scrypt: TEST_SCRYPT, ...auth } });
    try {
      await app.ready();
    } finally {
      await app.close();
    }
  };

  it('refuses to start without an admin password, or with one under 12 characters', async () => {
    await expect(start({})).rejects.toThrow(/LABLOG_AUTH_ADMIN_PASSWORD/);
    await expect(start({ adminPassword: '' })).rejects.toThrow(/LABLOG_AUTH_ADMIN_PASSWORD/);
    await expect(start({ adminPassword: 'password123' })).rejects.toThrow(/too short/);
    await expect(start({ adminPassword: 'long-enough-pw', defaultPermission: 'ALL' as never })).rejects.toThrow(/Invalid permission/);
    await expect(start({ adminPassword: 'long-enough-pw', adminUsername: 'a:b' })).rejects.toThrow(/LABLOG_AUTH_ADMIN_USERNAME/);
  });

  it('creates the admin once, keeps its password afterwards, and restores its admin flag', async () => {
    await start({ adminPassword: 'first-password-1', adminUsername: 'root' });
    let db = new SqliteAuthStore(join(dir, 'basic_auth.db'));
    const first = db.getUser('root');
    expect(first.isAdmin).toBe(true);
    expect(first.passwordHash).toMatch(/^scrypt\$/);
    db.updateAdmin('root', false);
    db.close();
    await start({ adminPassword: 'second-password-2', adminUsername: 'root' });
    db = new SqliteAuthStore(join(dir, 'basic_auth.db'));
    expect(db.getUser('root')).toEqual({ ...first, isAdmin: true });
    db.close();
  });

  it('server options: database beside the store, admin from the environment', () => {
    expect(defaultAuthDbUri('sqlite:///srv/lab/mlflow.db')).toBe('/srv/lab/basic_auth.db');
    expect(defaultAuthDbUri('file:///srv/mlruns')).toBe('/srv/mlruns/basic_auth.db');
    const env = { LABLOG_AUTH_ADMIN_USERNAME: 'boss', LABLOG_AUTH_ADMIN_PASSWORD: 'env-password-123' };
    expect(authOptionsForServer({ type: 'basic' }, 'sqlite:///srv/x.db', env)).toEqual({
      type: 'basic',
      dbUri: '/srv/basic_auth.db',
      adminUsername: 'boss',
      adminPassword: 'env-password-123',
    });
    expect(authOptionsForServer({ dbUri: '/a.db', adminPassword: 'explicit-pw-1234' }, 'sqlite:///srv/x.db', env).adminPassword).toBe('explicit-pw-1234');
  });
});

describe('authentication', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await createAuthFixture();
    await f.createUser('alice');
  });
  afterEach(() => f.close());

  it('401 with a Basic challenge and MLflow error JSON; the same for unknown users and wrong passwords', async () => {
    const answers = [
      await f.call(null, 'GET', 'experiments/get', { experiment_id: '0' }),
      await f.call({ username: 'alice', password: 'wrong-password-9' }, 'GET', 'experiments/get', { experiment_id: '0' }),
      await f.call({ username: 'nobody', password: USER_PASSWORD }, 'GET', 'experiments/get', { experiment_id: '0' }),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="lablog"');
      expect(res.json().error_code).toBe('UNAUTHENTICATED');
      expect(res.body).toBe(answers[0]!.body);
    }
  });

  it('/health and /version need no login; everything else does, before the content type is looked at', async () => {
    expect((await f.call(null, 'GET', '/health')).statusCode).toBe(200);
    expect((await f.call(null, 'GET', '/version')).statusCode).toBe(200);
    const res = await f.app.inject({ method: 'POST', url: '/api/2.0/mlflow/users/create', payload: 'x', headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(401); // CVE-2023-6014: no anonymous user creation
    expect((await f.call(null, 'GET', '/get-artifact', { run_id: 'x', path: 'y' })).statusCode).toBe(401);
    expect((await f.call(null, 'PUT', '/api/2.0/mlflow-artifacts/artifacts/0/x', {}, 'data')).statusCode).toBe(401);
  });

  it('a password change ends cached logins (credential cache on)', async () => {
    const g = await createAuthFixture({ credentialCacheTtlSeconds: 300 });
    try {
      await g.createUser('bob');
      expect((await g.call('bob', 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(200);
      expect(g.app.auth.authenticator.cachedCount).toBeGreaterThan(0);
      const res = await g.call('bob', 'PATCH', 'users/update-password', { username: 'bob', password: 'new-password-456' });
      expect(res.statusCode).toBe(200);
      expect((await g.call('bob', 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(401);
      expect((await g.call({ username: 'bob', password: 'new-password-456' }, 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(200);
    } finally {
      await g.close();
    }
  });
});

describe('user endpoints', () => {
  let f: AuthFixture;
  beforeEach(async () => {
    f = await createAuthFixture();
    await f.createUser('alice');
    await f.createUser('bob');
  });
  afterEach(() => f.close());

  it('users/create is admin-only and answers MLflow’s user JSON', async () => {
    expect((await f.call('alice', 'POST', 'users/create', { username: 'eve', password: 'eve-password-123' })).statusCode).toBe(403);
    const res = await f.call(ADMIN.username, 'POST', 'users/create', { username: 'carol', password: 'carol-password-1' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: { id: expect.any(Number), username: 'carol', is_admin: false, experiment_permissions: [], registered_model_permissions: [] },
    });
    expect(res.body).not.toContain('scrypt');
    const dup = await f.call(ADMIN.username, 'POST', 'users/create', { username: 'carol', password: 'carol-password-1' });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('refuses empty usernames and empty or short passwords, on create and on update (CVE-2025-1474, -11200)', async () => {
    for (const body of [
      { username: '', password: 'long-enough-123' },
      { username: '  ', password: 'long-enough-123' },
      { username: 'dave' },
      { username: 'dave', password: '' },
      { username: 'dave', password: 'short' },
      { username: 'dave', password: 'password123' },
    ]) {
      const res = await f.call(ADMIN.username, 'POST', 'users/create', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    for (const password of ['', 'short']) {
      expect((await f.call('alice', 'PATCH', 'users/update-password', { username: 'alice', password })).statusCode).toBe(400);
    }
  });

  it('users/get and update-password: self or admin only', async () => {
    expect((await f.call('alice', 'GET', 'users/get', { username: 'alice' })).statusCode).toBe(200);
    expect((await f.call('alice', 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(403);
    expect((await f.call(ADMIN.username, 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(200);
    expect((await f.call('alice', 'PATCH', 'users/update-password', { username: 'bob', password: 'hijacked-pass-1' })).statusCode).toBe(403);
    expect((await f.call(ADMIN.username, 'PATCH', 'users/update-password', { username: 'bob', password: 'reset-by-admin-1' })).statusCode).toBe(200);
    expect((await f.call({ username: 'bob', password: 'reset-by-admin-1' }, 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(200);
    const missing = await f.call(ADMIN.username, 'GET', 'users/get', { username: 'zed' });
    expect(missing.statusCode).toBe(404);
  });

  it('update-admin and delete are admin-only; a deleted user cannot log in; a new admin bypasses checks', async () => {
    expect((await f.call('alice', 'PATCH', 'users/update-admin', { username: 'alice', is_admin: true })).statusCode).toBe(403);
    expect((await f.call('alice', 'DELETE', 'users/delete', { username: 'bob' })).statusCode).toBe(403);
    expect((await f.call(ADMIN.username, 'PATCH', 'users/update-admin', { username: 'alice', is_admin: true })).statusCode).toBe(200);
    expect((await f.call('alice', 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(200);
    expect((await f.call('alice', 'DELETE', 'users/delete', { username: 'bob' })).statusCode).toBe(200);
    expect((await f.call('bob', 'GET', 'users/get', { username: 'bob' })).statusCode).toBe(401);
  });

  it('serves the ajax mirror too', async () => {
    const res = await f.call('alice', 'GET', '/ajax-api/2.0/mlflow/users/get', { username: 'alice' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.username).toBe('alice');
  });
});
