/** Permission levels on the registry, the artifact proxy and the run-artifact routes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createAuthFixture, type AuthFixture } from '../../__tests__/auth-fixture.js';

let f: AuthFixture;
let expA: string;
let runA: string;
let expB: string;
let runB: string;

const status = async (p: Promise<{ statusCode: number }>) => (await p).statusCode;
const PROXY = '/api/2.0/mlflow-artifacts';

async function grantExperiment(owner: string, experimentId: string, username: string, permission: string): Promise<void> {
  expect(await status(f.call(owner, 'POST', 'experiments/permissions/create', { experiment_id: experimentId, username, permission }))).toBe(200);
}
async function grantModel(owner: string, name: string, username: string, permission: string): Promise<void> {
  expect(await status(f.call(owner, 'POST', 'registered-models/permissions/create', { name, username, permission }))).toBe(200);
}

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

describe('registry', () => {
  beforeEach(async () => {
    expect(await status(f.call('alice', 'POST', 'registered-models/create', { name: 'model-a' }))).toBe(200);
    expect(await status(f.call('alice', 'POST', 'model-versions/create', { name: 'model-a', source: `runs:/${runA}/model`, run_id: runA }))).toBe(200);
  });

  it('creator gets MANAGE; READ reads; EDIT updates; only MANAGE deletes', async () => {
    const grants = (await f.call('alice', 'GET', 'users/get', { username: 'alice' })).json().user.registered_model_permissions;
    expect(grants).toEqual([{ name: 'model-a', user_id: expect.any(Number), permission: 'MANAGE' }]);
    expect(await status(f.call('bob', 'GET', 'registered-models/get', { name: 'model-a' }))).toBe(200);
    expect(await status(f.call('bob', 'GET', 'model-versions/get', { name: 'model-a', version: '1' }))).toBe(200);
    expect(await status(f.call('bob', 'PATCH', 'registered-models/update', { name: 'model-a', description: 'x' }))).toBe(403);
    expect(await status(f.call('bob', 'POST', 'model-versions/transition-stage', { name: 'model-a', version: '1', stage: 'Production' }))).toBe(403);
    await grantModel('alice', 'model-a', 'bob', 'EDIT');
    expect(await status(f.call('bob', 'PATCH', 'registered-models/update', { name: 'model-a', description: 'x' }))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'registered-models/alias', { name: 'model-a', alias: 'champion', version: '1' }))).toBe(200);
    expect(await status(f.call('bob', 'DELETE', 'registered-models/alias', { name: 'model-a', alias: 'champion' }))).toBe(403);
    expect(await status(f.call('bob', 'DELETE', 'model-versions/delete', { name: 'model-a', version: '1' }))).toBe(403);
    expect(await status(f.call('bob', 'DELETE', 'registered-models/delete', { name: 'model-a' }))).toBe(403);
    expect(await status(f.call('alice', 'DELETE', 'registered-models/delete', { name: 'model-a' }))).toBe(200);
  });

  it('rename moves the grants; delete drops them, so a new model of the name starts clean', async () => {
    await grantModel('alice', 'model-a', 'bob', 'NO_PERMISSIONS');
    expect(await status(f.call('alice', 'POST', 'registered-models/rename', { name: 'model-a', new_name: 'model-z' }))).toBe(200);
    expect(await status(f.call('bob', 'GET', 'registered-models/get', { name: 'model-z' }))).toBe(403);
    expect(await status(f.call('alice', 'PATCH', 'registered-models/update', { name: 'model-z', description: 'still mine' }))).toBe(200);
    expect(await status(f.call('alice', 'DELETE', 'registered-models/delete', { name: 'model-z' }))).toBe(200);
    expect(await status(f.call('bob', 'POST', 'registered-models/create', { name: 'model-z' }))).toBe(200);
    expect(await status(f.call('bob', 'DELETE', 'registered-models/delete', { name: 'model-z' }))).toBe(200);
  });

  it('search lists only readable models and versions (CVE-2026-2734)', async () => {
    expect(await status(f.call('bob', 'POST', 'registered-models/create', { name: 'model-b' }))).toBe(200);
    await grantModel('alice', 'model-a', 'bob', 'NO_PERMISSIONS');
    const models = (await f.call('bob', 'GET', 'registered-models/search', {})).json().registered_models.map((m: { name: string }) => m.name);
    expect(models).toEqual(['model-b']);
    expect((await f.call('bob', 'GET', 'model-versions/search', {})).json()).toEqual({});
    expect((await f.call('alice', 'GET', 'model-versions/search', {})).json().model_versions).toHaveLength(1);
    expect(await status(f.call('bob', 'GET', '/model-versions/get-artifact', { name: 'model-a', version: '1', path: 'MLmodel' }))).toBe(403);
  });

  it('a new version may only point at what its creator can read', async () => {
    expect(await status(f.call('bob', 'POST', 'registered-models/create', { name: 'model-b' }))).toBe(200);
    await grantExperiment('alice', expA, 'bob', 'NO_PERMISSIONS');
    const create = async (body: Record<string, unknown>) => {
      const res = await f.call('bob', 'POST', 'model-versions/create', { name: 'model-b', ...body });
      if (res.statusCode !== 403 && res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
      return res.statusCode;
    };
    expect(await create({ source: `runs:/${runA}/model` })).toBe(403);
    expect(await create({ source: `runs:/${runB}/model`, run_id: runA })).toBe(403);
    expect(await create({ source: 'models:/model-a/1' })).toBe(200); // model-a is readable by default
    const runAUri = (await f.store.getRun(runA)).info.artifactUri;
    const runBUri = (await f.store.getRun(runB)).info.artifactUri;
    expect(await create({ source: `${runAUri}/model` })).toBe(403); // inside the server root, but no run_id
    expect(await create({ source: `${runAUri}/model`, run_id: runB })).toBe(403); // not inside run B
    expect(await create({ source: `${runBUri}/model`, run_id: runB })).toBe(200);
    expect(await create({ source: `runs:%2F${runA}/model` })).toBe(403);
    // Admins may register anything the source rules allow.
    expect(await status(f.call(ADMIN.username, 'POST', 'model-versions/create', { name: 'model-b', source: `${runAUri}/model` }))).toBe(200);
  });
});

describe('artifact proxy (first path segment = experiment)', () => {
  const put = (caller: string, path: string) => f.call(caller, 'PUT', `${PROXY}/artifacts/${path}`, {}, 'hello');

  it('READ downloads and lists; EDIT uploads; only MANAGE deletes (CVE-2024-4263)', async () => {
    expect(await status(put('alice', `${expA}/${runA}/artifacts/a.txt`))).toBe(200);
    expect(await status(f.call('bob', 'GET', `${PROXY}/artifacts/${expA}/${runA}/artifacts/a.txt`))).toBe(200);
    expect(await status(f.call('bob', 'GET', `${PROXY}/artifacts`, { path: `${expA}/${runA}/artifacts` }))).toBe(200);
    expect(await status(put('bob', `${expA}/${runA}/artifacts/b.txt`))).toBe(403);
    await grantExperiment('alice', expA, 'bob', 'EDIT');
    expect(await status(put('bob', `${expA}/${runA}/artifacts/b.txt`))).toBe(200);
    expect(await status(f.call('bob', 'DELETE', `${PROXY}/artifacts/${expA}/${runA}/artifacts/a.txt`))).toBe(403);
    expect(await status(f.call('alice', 'DELETE', `${PROXY}/artifacts/${expA}/${runA}/artifacts/a.txt`))).toBe(200);
  });

  it('traversal and encodings cannot reach another experiment', async () => {
    const other = `${expA}/${runA}/artifacts/x.txt`;
    for (const path of [
      `${expB}/../${other}`,
      `${expB}/%2e%2e/${other}`,
      `${expB}/%252e%252e/${other}`,
      `${expB}%2F..%2F${other}`,
      `%2F${other}`,
      `file:${other}`,
    ]) {
      const code = await status(put('bob', path));
      expect([400, 403], path).toContain(code);
    }
    // A double-encoded first segment is authorized as what it decodes to.
    const encoded = [...expA].map((c) => `%25${c.charCodeAt(0).toString(16)}`).join('');
    expect(await status(put('bob', `${encoded}/${runA}/artifacts/x.txt`))).toBe(403);
    expect(await status(put('bob', `0${expA}/${runA}/artifacts/x.txt`))).toBe(403); // another directory, not experiment A
    expect(await status(put('bob', `999/${runA}/artifacts/x.txt`))).toBe(403); // no such experiment
  });

  it('store and experiment roots never fall back to a default (mlflow_oidc_auth #283/#285)', async () => {
    for (const root of ['.', '%2e', './.', '%252e', '.%2F.']) {
      expect(await status(f.call('bob', 'DELETE', `${PROXY}/artifacts/${root}`)), root).toBe(403);
      expect(await status(f.call('alice', 'DELETE', `${PROXY}/artifacts/${root}`)), root).toBe(403);
    }
    for (const root of [expB, `${expB}/`, `${expB}//`, `${expB}/.`, `./${expB}`, `${expB}/%2e`]) {
      expect(await status(f.call('bob', 'DELETE', `${PROXY}/artifacts/${root}`)), root).toBe(403);
      expect(await status(put('bob', root)), root).toBe(403);
    }
    expect(await status(f.call('bob', 'GET', `${PROXY}/artifacts`))).toBe(403);
    expect(await status(f.call('bob', 'GET', `${PROXY}/artifacts`, { path: '.' }))).toBe(403);
    expect(await status(f.call('bob', 'GET', `${PROXY}/artifacts`, { path: expB }))).toBe(200); // reading an experiment root is fine
  });

  it('multipart-upload routes need update on the experiment (CVE-2026-2651)', async () => {
    for (const op of ['create', 'complete', 'abort']) {
      expect(await status(f.call('bob', 'POST', `${PROXY}/mpu/${op}/${expA}/${runA}/artifacts/big.bin`, {}, '{}'))).toBe(403);
      expect(await status(f.call('bob', 'POST', `${PROXY}/mpu/${op}/${expB}/${runB}/artifacts/big.bin`, {}, '{}'))).toBe(501);
      expect(await status(f.call('bob', 'POST', `${PROXY}/mpu/${op}/.`, {}, '{}'))).toBe(403);
    }
  });

  it('the ajax mirror is guarded the same way', async () => {
    expect(await status(f.call('bob', 'PUT', `/ajax-api/2.0/mlflow-artifacts/artifacts/${expA}/${runA}/artifacts/x`, {}, 'x'))).toBe(403);
  });
});

describe('run artifact routes', () => {
  it('/get-artifact needs read; the UI upload needs update', async () => {
    const upload = (caller: string, runId: string) =>
      f.app.inject({
        method: 'POST',
        url: `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=note.txt`,
        headers: { authorization: `Basic ${Buffer.from(`${caller}:user-password-123`).toString('base64')}`, 'content-type': 'text/plain' },
        payload: 'note',
      });
    expect((await upload('bob', runA)).statusCode).toBe(403);
    expect((await upload('alice', runA)).statusCode).toBe(200);
    expect(await status(f.call('bob', 'GET', '/get-artifact', { run_id: runA, path: 'note.txt' }))).toBe(200);
    await grantExperiment('alice', expA, 'bob', 'NO_PERMISSIONS');
    expect(await status(f.call('bob', 'GET', '/get-artifact', { run_uuid: runA, path: 'note.txt' }))).toBe(403);
  });
});
