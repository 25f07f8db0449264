import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryFixture, type RegistryFixture } from '../__tests__/registry-fixture.js';

let f: RegistryFixture;
let runId: string;

const missing = (p: string) => ({
  error_code: 'INVALID_PARAMETER_VALUE',
  message: `Missing value for required parameter '${p}'. See the API docs for more information about request parameters.`,
});

async function createVersion(name = 'm1'): Promise<string> {
  const res = await f.post('model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
  expect(res.statusCode).toBe(200);
  return res.json().model_version.version;
}

beforeEach(async () => {
  f = await createRegistryFixture();
  runId = (await f.createRun()).runId;
});
afterEach(async () => {
  await f.close();
});

describe('registered-models/create, get, rename, update, delete', () => {
  it('create answers the registered model; description and tags omitted when empty (ref §18)', async () => {
    const res = await f.post('registered-models/create', { name: 'm1', tags: [{ key: 'k', value: 'v' }], description: 'desc' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const m = res.json().registered_model;
    expect(m).toEqual({ name: 'm1', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number), description: 'desc', tags: [{ key: 'k', value: 'v' }] });
    const bare = (await f.post('registered-models/create', { name: 'm2' })).json().registered_model;
    expect(Object.keys(bare).sort()).toEqual(['creation_timestamp', 'last_updated_timestamp', 'name']);
  });

  it('a duplicate name is 400 RESOURCE_ALREADY_EXISTS; a missing name 400', async () => {
    await f.post('registered-models/create', { name: 'm1' });
    const dup = await f.post('registered-models/create', { name: 'm1' });
    expect(dup.statusCode).toBe(400);
    expect(dup.json()).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: 'Registered Model (name=m1) already exists.' });
    const none = await f.post('registered-models/create', {});
    expect(none.statusCode).toBe(400);
    expect(none.json()).toEqual(missing('name'));
  });

  it('get: the model with latest_versions and aliases; unknown → 404', async () => {
    await f.post('registered-models/create', { name: 'm1' });
    await createVersion();
    await f.post('registered-models/alias', { name: 'm1', alias: 'champion', version: '1' });
    const m = (await f.get('registered-models/get', 'name=m1')).json().registered_model;
    expect(m.latest_versions.map((v: { version: string; current_stage: string }) => [v.version, v.current_stage])).toEqual([['1', 'None']]);
    expect(m.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    const unknown = await f.get('registered-models/get', 'name=nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=nope not found' });
    expect((await f.get('registered-models/get')).json()).toEqual(missing('name'));
  });

  it('rename moves the versions; a taken new name is 400 RESOURCE_ALREADY_EXISTS', async () => {
    await f.post('registered-models/create', { name: 'm1' });
    await f.post('registered-models/create', { name: 'taken' });
    await createVersion();
    const res = await f.post('registered-models/rename', { name: 'm1', new_name: 'm9' });
    expect(res.json().registered_model.name).toBe('m9');
    expect((await f.get('model-versions/get', 'name=m9&version=1')).json().model_version.name).toBe('m9');
    expect((await f.get('registered-models/get', 'name=m1')).statusCode).toBe(404);
    const clash = await f.post('registered-models/rename', { name: 'm9', new_name: 'taken' });
    expect(clash.statusCode).toBe(400);
    expect(clash.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
    expect((await f.post('registered-models/rename', { name: 'm9' })).json()).toEqual(missing('new_name'));
  });

  it('update is a PATCH; POST on it is 405', async () => {
    await f.post('registered-models/create', { name: 'm1' });
    const res = await f.send('PATCH', 'registered-models/update', { name: 'm1', description: 'new' });
    expect(res.statusCode).toBe(200);
    expect(res.json().registered_model.description).toBe('new');
    const wrong = await f.post('registered-models/update', { name: 'm1', description: 'x' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.json().error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('delete is a DELETE with a JSON body → {}; then the model is gone', async () => {
    await f.post('registered-models/create', { name: 'm1' });
    await createVersion();
    const res = await f.send('DELETE', 'registered-models/delete', { name: 'm1' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{}');
    expect((await f.get('registered-models/get', 'name=m1')).statusCode).toBe(404);
    expect((await f.send('DELETE', 'registered-models/delete', { name: 'm1' })).statusCode).toBe(404);
    expect((await f.send('DELETE', 'registered-models/delete', {})).json()).toEqual(missing('name'));
  });
});

describe('registered-models/search', () => {
  beforeEach(async () => {
    for (const name of ['alpha', 'beta', 'mango', 'melon']) await f.post('registered-models/create', { name });
    await f.post('registered-models/set-tag', { name: 'mango', key: 'team', value: 'fruit' });
  });

  it('filters by name and tags, orders by name ASC by default', async () => {
    const like = await f.get('registered-models/search', `filter=${encodeURIComponent("name LIKE 'm%'")}`);
    expect(like.json().registered_models.map((m: { name: string }) => m.name)).toEqual(['mango', 'melon']);
    const tag = await f.get('registered-models/search', `filter=${encodeURIComponent("tags.team = 'fruit'")}`);
    expect(tag.json().registered_models.map((m: { name: string }) => m.name)).toEqual(['mango']);
    const all = await f.get('registered-models/search');
    expect(all.json().registered_models.map((m: { name: string }) => m.name)).toEqual(['alpha', 'beta', 'mango', 'melon']);
    expect((await f.get('registered-models/search', `filter=${encodeURIComponent("name = 'none'")}`)).body).toBe('{}');
  });

  it('order_by (repeated) and paging with page tokens', async () => {
    const p1 = (await f.get('registered-models/search', `order_by=${encodeURIComponent('name DESC')}&max_results=3`)).json();
    expect(p1.registered_models.map((m: { name: string }) => m.name)).toEqual(['melon', 'mango', 'beta']);
    expect(typeof p1.next_page_token).toBe('string');
    const p2 = (await f.get('registered-models/search', `order_by=${encodeURIComponent('name DESC')}&max_results=3&page_token=${encodeURIComponent(p1.next_page_token)}`)).json();
    expect(p2.registered_models.map((m: { name: string }) => m.name)).toEqual(['alpha']);
    expect(p2.next_page_token).toBeUndefined();
  });

  it('max_results defaults to 100 and is at most 1000; bad filters and tokens are 400', async () => {
    for (let i = 0; i < 100; i++) await f.post('registered-models/create', { name: `bulk-${String(i).padStart(3, '0')}` });
    const page = (await f.get('registered-models/search')).json();
    expect(page.registered_models).toHaveLength(100);
    expect(page.next_page_token).toBeDefined();
    expect((await f.get('registered-models/search', 'max_results=1000')).statusCode).toBe(200);
    const over = await f.get('registered-models/search', 'max_results=1001');
    expect(over.statusCode).toBe(400);
    expect(over.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await f.get('registered-models/search', `filter=${encodeURIComponent('badfilter')}`)).statusCode).toBe(400);
    const token = await f.get('registered-models/search', 'page_token=notatoken');
    expect(token.statusCode).toBe(400);
    expect(token.json().message).toMatch(/^Invalid page token/);
  });
});

describe('registered-models/get-latest-versions', () => {
  beforeEach(async () => {
    await f.post('registered-models/create', { name: 'm1' });
    for (let i = 0; i < 4; i++) await createVersion();
    await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'Production' });
    await f.post('model-versions/transition-stage', { name: 'm1', version: '2', stage: 'Staging' });
    await f.post('model-versions/transition-stage', { name: 'm1', version: '3', stage: 'Staging' });
  });

  const versions = (body: { model_versions?: { version: string; current_stage: string }[] }) =>
    (body.model_versions ?? []).map((v) => `${v.version}:${v.current_stage}`);

  it('POST: the highest version per requested stage, stages case-insensitive', async () => {
    const res = await f.post('registered-models/get-latest-versions', { name: 'm1', stages: ['staging', 'PRODUCTION'] });
    expect(versions(res.json())).toEqual(['3:Staging', '1:Production']);
  });

  it('GET with repeated stages, and all four stages when none are given', async () => {
    const res = await f.get('registered-models/get-latest-versions', 'name=m1&stages=None&stages=staging');
    expect(versions(res.json())).toEqual(['4:None', '3:Staging']);
    expect(versions((await f.get('registered-models/get-latest-versions', 'name=m1')).json()).sort()).toEqual(['1:Production', '3:Staging', '4:None']);
    expect((await f.post('registered-models/get-latest-versions', { name: 'm1', stages: ['Archived'] })).body).toBe('{}');
  });

  it('an unknown stage is 400, an unknown model 404', async () => {
    const bad = await f.post('registered-models/get-latest-versions', { name: 'm1', stages: ['Prod'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^Invalid Model Version stage: Prod/);
    expect((await f.post('registered-models/get-latest-versions', { name: 'nope' })).statusCode).toBe(404);
  });
});

describe('registered-models tags and aliases', () => {
  beforeEach(async () => {
    await f.post('registered-models/create', { name: 'm1' });
    await createVersion();
    await createVersion();
  });

  it('set-tag (POST) and delete-tag (DELETE with a JSON body)', async () => {
    expect((await f.post('registered-models/set-tag', { name: 'm1', key: 'k', value: 'v' })).body).toBe('{}');
    expect((await f.get('registered-models/get', 'name=m1')).json().registered_model.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await f.send('DELETE', 'registered-models/delete-tag', { name: 'm1', key: 'k' })).body).toBe('{}');
    expect((await f.get('registered-models/get', 'name=m1')).json().registered_model.tags).toBeUndefined();
    expect((await f.post('registered-models/set-tag', { name: 'm1' })).json()).toEqual(missing('key'));
    expect((await f.post('registered-models/set-tag', { name: 'nope', key: 'k', value: 'v' })).statusCode).toBe(404);
  });

  it('POST alias → {}; GET alias → the version with its aliases; moving and deleting', async () => {
    expect((await f.post('registered-models/alias', { name: 'm1', alias: 'champion', version: '1' })).body).toBe('{}');
    const got = (await f.get('registered-models/alias', 'name=m1&alias=champion')).json();
    expect(got.model_version).toMatchObject({ name: 'm1', version: '1', aliases: ['champion'] });
    // A JSON integer version is accepted too; the alias moves.
    await f.post('registered-models/alias', { name: 'm1', alias: 'champion', version: 2 });
    expect((await f.get('registered-models/alias', 'name=m1&alias=champion')).json().model_version.version).toBe('2');
    expect((await f.get('model-versions/get', 'name=m1&version=1')).json().model_version.aliases).toBeUndefined();
    expect((await f.send('DELETE', 'registered-models/alias', { name: 'm1', alias: 'champion' })).body).toBe('{}');
    const gone = await f.get('registered-models/alias', 'name=m1&alias=champion');
    expect(gone.statusCode).toBe(400);
    expect(gone.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.' });
  });

  it('alias rules (ref §5.2): reserved names, bad characters, unknown version', async () => {
    for (const alias of ['latest', 'LATEST', 'v1', 'V12', 'bad alias', 'a/b']) {
      const res = await f.post('registered-models/alias', { name: 'm1', alias, version: '1' });
      expect(res.statusCode, alias).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const unknown = await f.post('registered-models/alias', { name: 'm1', alias: 'a', version: '99' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=m1, version=99) not found' });
    expect((await f.post('registered-models/alias', { name: 'm1', alias: 'a' })).json()).toEqual(missing('version'));
  });

  it('GET alias `latest` (any case) is the newest version', async () => {
    expect((await f.get('registered-models/alias', 'name=m1&alias=Latest')).json().model_version.version).toBe('2');
  });
});

describe('mirrors and backends', () => {
  it('the /ajax-api/2.0/mlflow mirror answers the same', async () => {
    const ajax = '/ajax-api/2.0/mlflow';
    await f.post('registered-models/create', { name: 'm1' }, ajax);
    const res = await f.get('registered-models/get', 'name=m1', ajax);
    expect(res.statusCode).toBe(200);
    expect(res.json().registered_model.name).toBe('m1');
    expect((await f.send('DELETE', 'registered-models/delete', { name: 'm1' }, ajax)).body).toBe('{}');
  });

  it('POST needs Content-Type application/json', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/2.0/mlflow/registered-models/create', payload: '{"name":"x"}', headers: { 'content-type': 'text/plain' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe("Bad Request. Content-Type must be one of ['application/json'].");
  });
});

describe('a backend without a registry', () => {
  let g: RegistryFixture;
  beforeEach(async () => {
    g = await createRegistryFixture({ registryStore: null });
  });
  afterEach(async () => {
    await g.close();
  });

  it.each([
    ['POST', 'registered-models/create', { name: 'm' }],
    ['GET', 'registered-models/get?name=m', undefined],
    ['GET', 'registered-models/search', undefined],
    ['PATCH', 'registered-models/update', { name: 'm' }],
    ['DELETE', 'registered-models/delete', { name: 'm' }],
    ['POST', 'registered-models/alias', { name: 'm', alias: 'a', version: '1' }],
    ['GET', 'registered-models/alias?name=m&alias=a', undefined],
    ['POST', 'model-versions/create', { name: 'm', source: 'runs:/abc/model' }],
    ['GET', 'model-versions/get?name=m&version=1', undefined],
    ['GET', 'model-versions/search', undefined],
    ['GET', 'model-versions/get-download-uri?name=m&version=1', undefined],
  ] as const)('%s %s → 501 NOT_IMPLEMENTED', async (method, path, body) => {
    const res =
      method === 'GET' ? await g.app.inject({ method, url: `/api/2.0/mlflow/${path}` }) : await g.send(method, path, body);
    expect(res.statusCode).toBe(501);
    expect(res.json()).toEqual({ error_code: 'NOT_IMPLEMENTED', message: 'This server has no model registry for its backend store.' });
  });

  it('tracking routes still work', async () => {
    expect((await g.post('experiments/create', { name: 'e' })).statusCode).toBe(200);
  });
});
