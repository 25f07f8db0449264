/** Each permission level on representative routes of each family, with real stores. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createAuthFixture, type AuthFixture } from '../../__tests__/auth-fixture.js';

let f: AuthFixture;
let expA: string; // alice's (she has MANAGE as creator)
let runA: string;
let expB: string; // bob's
let runB: string;

async function grant(owner: string, experimentId: string, username: string, permission: string): Promise<void> {
  const res = await f.call(owner, 'POST', 'experiments/permissions/create', { experiment_id: experimentId, username, permission });
  expect(res.statusCode, res.body).toBe(200);
}

const status = async (p: Promise<{ statusCode: number }>) => (await p).statusCode;

beforeEach(async () => {
  f = await createAuthFixture();
  await f.createUser('alice');
  await f.createUser('bob');
  expA = await f.createExperiment('alice', 'exp-a');
  runA = await f.createRun('alice', expA);
  expB = await f.createExperiment('bob', 'exp-b');
  runB = await f.createRun('bob', expB);
});
afterEach(() => f.close());

describe('experiments', () => {
  it('the creator gets MANAGE; others the default READ', async () => {
    const grants = (await f.call('alice', 'GET', 'users/get', { username: 'alice' })).json().user.experiment_permissions;
    expect(grants).toEqual([{ experiment_id: expA, user_id: expect.any(Number), permission: 'MANAGE' }]);
    expect(await status(f.call('bob', 'GET', 'experiments/get', { experiment_id: expA }))).toBe(200);
    expect(await status(f.call('bob', 'GET', 'experiments/get-by-name', { experiment_name: 'exp-a' }))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'experiments/update', { experiment_id: expA, new_name: 'x' }))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'experiments/set-experiment-tag', { experiment_id: expA, key: 'k', value: 'v' }))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'experiments/delete', { experiment_id: expA }))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'runs/create', { experiment_id: expA }))).toBe(403);
  });

  it('EDIT updates but cannot delete; MANAGE deletes and restores', async () => {
    await grant('alice', expA, 'bob', 'EDIT');
    expect(await status(f.call('bob', 'POST', 'experiments/set-experiment-tag', { experiment_id: expA, key: 'k', value: 'v' }))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'runs/create', { experiment_id: expA }))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'experiments/delete', { experiment_id: expA }))).toBe(403);
    expect(await status(f.call('alice', 'POST', 'experiments/delete', { experiment_id: expA }))).toBe(200);
    expect(await status(f.call('alice', 'POST', 'experiments/restore', { experiment_id: expA }))).toBe(200);
  });

  it('NO_PERMISSIONS beats the default; another spelling of the id does not get around it', async () => {
    await grant('alice', expA, 'bob', 'NO_PERMISSIONS');
    expect(await status(f.call('bob', 'GET', 'experiments/get', { experiment_id: expA }))).toBe(403);
    expect(await status(f.call('bob', 'GET', 'experiments/get-by-name', { experiment_name: 'exp-a' }))).toBe(403);
    expect(await status(f.call('bob', 'GET', 'experiments/get', { experiment_id: `0${expA}` }))).not.toBe(200);
    expect(await status(f.call('bob', 'GET', 'experiments/get', { experiment_id: ` ${expA}` }))).not.toBe(200);
  });

  it('admins bypass everything, even an explicit NO_PERMISSIONS', async () => {
    await grant('alice', expA, ADMIN.username, 'NO_PERMISSIONS');
    expect(await status(f.call(ADMIN.username, 'GET', 'experiments/get', { experiment_id: expA }))).toBe(200);
    expect(await status(f.call(ADMIN.username, 'POST', 'experiments/delete', { experiment_id: expA }))).toBe(200);
  });

  it('search lists only readable experiments, refilling short pages', async () => {
    await grant('alice', expA, 'bob', 'NO_PERMISSIONS');
    const names = async (body: Record<string, unknown>) =>
      ((await f.call('bob', 'POST', 'experiments/search', body)).json().experiments ?? []).map((e: { name: string }) => e.name);
    expect(await names({ max_results: 100 })).toEqual(['exp-b', 'Default']);
    // Newest first: exp-b, exp-a (hidden), Default. A page of 2 must still hold two readable ones.
    const first = (await f.call('bob', 'POST', 'experiments/search', { max_results: 1, order_by: ['name DESC'] })).json();
    expect(first.experiments.map((e: { name: string }) => e.name)).toEqual(['exp-b']);
    const second = (await f.call('bob', 'GET', 'experiments/search', { max_results: 1, order_by: 'name DESC', page_token: first.next_page_token })).json();
    expect(second.experiments.map((e: { name: string }) => e.name)).toEqual(['Default']);
    const adminNames = (await f.call(ADMIN.username, 'POST', 'experiments/search', { max_results: 100 })).json().experiments.length;
    expect(adminNames).toBe(3);
  });
});

describe('runs', () => {
  it('run id → experiment: read, update (log-batch, log-metric), delete', async () => {
    expect(await status(f.call('bob', 'GET', 'runs/get', { run_id: runA }))).toBe(200);
    const batch = { run_id: runA, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] };
    expect(await status(f.call('bob', 'POST', 'runs/log-batch', batch))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'runs/log-metric', { run_id: runA, key: 'm', value: 1, timestamp: 1 }))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'runs/log-batch', { ...batch, run_id: runB }))).toBe(200);
    await grant('alice', expA, 'bob', 'EDIT');
    expect(await status(f.call('bob', 'POST', 'runs/log-batch', batch))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'runs/delete', { run_id: runA }))).toBe(403);
    expect(await status(f.call('alice', 'POST', 'runs/delete', { run_id: runA }))).toBe(200);
    expect(await status(f.call('bob', 'GET', 'runs/get', { run_id: 'f'.repeat(32) }))).toBe(404);
  });

  it('checks the union of query and body: a second run id in the query is checked too', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: `/api/2.0/mlflow/runs/log-batch?run_id=${runA}`,
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('bob:user-password-123').toString('base64')}` },
      payload: JSON.stringify({ run_id: runB, params: [{ key: 'p', value: '1' }] }),
    });
    expect(res.statusCode).toBe(403);
    // The deprecated alias is read as the handler reads it (get-history accepts run_uuid).
    expect(await status(f.call('bob', 'GET', 'metrics/get-history', { run_uuid: runA, metric_key: 'm' }))).toBe(200);
    await grant('alice', expA, 'bob', 'NO_PERMISSIONS');
    expect(await status(f.call('bob', 'GET', 'metrics/get-history', { run_uuid: runA, metric_key: 'm' }))).toBe(403);
    // Both spellings: the handler uses run_id, the check sees the same decoded message, runA is untouched.
    expect(await status(f.call('bob', 'POST', 'runs/log-batch', { run_uuid: runA, run_id: runB, tags: [{ key: 't', value: 'v' }] }))).toBe(200);
    expect((await f.store.getRun(runA)).data.tags.some((t) => t.key === 't')).toBe(false);
  });

  it('metric reads across runs need read on every run', async () => {
    await grant('alice', expA, 'bob', 'NO_PERMISSIONS');
    expect(await status(f.call('bob', 'GET', 'metrics/get-history-bulk-interval', { run_ids: [runB], metric_key: 'm' }))).toBe(200);
    expect(await status(f.call('bob', 'GET', 'metrics/get-history-bulk-interval', { run_ids: [runB, runA], metric_key: 'm' }))).toBe(403);
    expect(await status(f.call('bob', 'GET', '/api/2.0/lablog/metrics/get-history-arrow', { run_id: runA, metric_key: 'm' }))).toBe(403);
    expect(await status(f.call('bob', 'GET', 'artifacts/list', { run_id: runA }))).toBe(403);
    expect(await status(f.call('bob', 'GET', '/get-artifact', { run_id: runA, path: 'x.txt' }))).toBe(403);
  });

  it('search lists only runs of readable experiments', async () => {
    await grant('alice', expA, 'bob', 'NO_PERMISSIONS');
    const res = await f.call('bob', 'POST', 'runs/search', { experiment_ids: [expA, expB], max_results: 10 });
    expect(res.json().runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runB]);
  });

  it('the default permission applies to users without a grant', async () => {
    const g = await createAuthFixture({ defaultPermission: 'NO_PERMISSIONS' });
    try {
      await g.createUser('alice');
      await g.createUser('bob');
      const e = await g.createExperiment('alice', 'private');
      expect(await status(g.call('bob', 'GET', 'experiments/get', { experiment_id: e }))).toBe(403);
      expect(await status(g.call('alice', 'GET', 'experiments/get', { experiment_id: e }))).toBe(200);
      expect((await g.call('bob', 'POST', 'experiments/search', { max_results: 10 })).json()).toEqual({});
    } finally {
      await g.close();
    }
    const h = await createAuthFixture({ defaultPermission: 'EDIT' });
    try {
      await h.createUser('alice');
      await h.createUser('bob');
      const e = await h.createExperiment('alice', 'shared');
      expect(await status(h.call('bob', 'POST', 'experiments/set-experiment-tag', { experiment_id: e, key: 'k', value: 'v' }))).toBe(200);
      expect(await status(h.call('bob', 'POST', 'experiments/delete', { experiment_id: e }))).toBe(403);
    } finally {
      await h.close();
    }
  });
});
