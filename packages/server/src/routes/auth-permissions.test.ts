import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createAuthFixture, type AuthFixture } from '../__tests__/auth-fixture.js';

let f: AuthFixture;
let exp: string;

beforeEach(async () => {
  f = await createAuthFixture();
  await f.createUser('alice');
  await f.createUser('bob');
  exp = await f.createExperiment('alice', 'exp');
  expect((await f.call('alice', 'POST', 'registered-models/create', { name: 'm' })).statusCode).toBe(200);
});
afterEach(() => f.close());

describe('experiments/permissions/*', () => {
  it('create, get, update, delete with MLflow’s shapes', async () => {
    const created = await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'EDIT' });
    expect(created.json()).toEqual({ experiment_permission: { experiment_id: exp, user_id: expect.any(Number), permission: 'EDIT' } });
    const got = await f.call('alice', 'GET', 'experiments/permissions/get', { experiment_id: exp, username: 'bob' });
    expect(got.json().experiment_permission.permission).toBe('EDIT');
    expect((await f.call('alice', 'PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'bob', permission: 'READ' })).json()).toEqual({});
    expect((await f.call('alice', 'GET', 'experiments/permissions/get', { experiment_id: exp, username: 'bob' })).json().experiment_permission.permission).toBe('READ');
    expect((await f.call('alice', 'DELETE', 'experiments/permissions/delete', { experiment_id: exp, username: 'bob' })).json()).toEqual({});
    const gone = await f.call('alice', 'GET', 'experiments/permissions/get', { experiment_id: exp, username: 'bob' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('needs MANAGE: EDIT cannot grant itself more', async () => {
    await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'EDIT' });
    const res = await f.call('bob', 'PATCH', 'experiments/permissions/update', { experiment_id: exp, username: 'bob', permission: 'MANAGE' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' });
  });

  it('validates the permission, the user, duplicates and the experiment; ids are canonical', async () => {
    const bad = await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'OWNER' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/Invalid permission 'OWNER'/);
    expect((await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'zed', permission: 'READ' })).statusCode).toBe(404);
    expect((await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: Number(exp), username: 'bob', permission: 'READ' })).statusCode).toBe(200);
    const dup = await f.call('alice', 'POST', 'experiments/permissions/create', { experiment_id: exp, username: 'bob', permission: 'READ' });
    expect(dup.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await f.call(ADMIN.username, 'POST', 'experiments/permissions/create', { experiment_id: '424242', username: 'bob', permission: 'READ' })).statusCode).toBe(404);
  });
});

describe('registered-models/permissions/*', () => {
  it('create, get, update, delete with MLflow’s shapes; MANAGE required', async () => {
    expect((await f.call('bob', 'POST', 'registered-models/permissions/create', { name: 'm', username: 'bob', permission: 'MANAGE' })).statusCode).toBe(403);
    const created = await f.call('alice', 'POST', 'registered-models/permissions/create', { name: 'm', username: 'bob', permission: 'USE' });
    expect(created.json()).toEqual({ registered_model_permission: { name: 'm', user_id: expect.any(Number), permission: 'USE' } });
    expect((await f.call('alice', 'GET', 'registered-models/permissions/get', { name: 'm', username: 'bob' })).json().registered_model_permission.permission).toBe('USE');
    expect((await f.call('alice', 'PATCH', 'registered-models/permissions/update', { name: 'm', username: 'bob', permission: 'MANAGE' })).statusCode).toBe(200);
    expect((await f.call('bob', 'DELETE', 'registered-models/permissions/delete', { name: 'm', username: 'bob' })).statusCode).toBe(200);
    expect((await f.call(ADMIN.username, 'POST', 'registered-models/permissions/create', { name: 'nope', username: 'bob', permission: 'READ' })).statusCode).toBe(404);
  });
});
