import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';

let f: AppFixture;
beforeEach(async () => {
  f = await createAppFixture();
});
afterEach(async () => {
  await f.close();
});

describe('experiments', () => {
  it('create → get → get-by-name, with MLflow JSON shapes', async () => {
    const created = await f.post('experiments/create', { name: 'exp-a', tags: [{ key: 'team', value: 'x' }] });
    expect(created.statusCode).toBe(200);
    expect(created.headers['content-type']).toMatch(/^application\/json/);
    expect(created.json()).toEqual({ experiment_id: '1' });

    const got = await f.get('experiments/get', 'experiment_id=1');
    expect(got.statusCode).toBe(200);
    const exp = got.json().experiment;
    expect(exp).toEqual({
      experiment_id: '1',
      name: 'exp-a',
      artifact_location: `${f.artifactRoot}/1`,
      lifecycle_stage: 'active',
      last_update_time: expect.any(Number),
      creation_time: expect.any(Number),
      tags: [{ key: 'team', value: 'x' }],
    });

    const byName = await f.get('experiments/get-by-name', 'experiment_name=exp-a');
    expect(byName.json()).toEqual({ experiment: exp });
  });

  it('omits tags when there are none and accepts an explicit artifact location', async () => {
    await f.post('experiments/create', { name: 'plain', artifact_location: `${f.artifactRoot}/elsewhere` });
    const exp = (await f.get('experiments/get', 'experiment_id=1')).json().experiment;
    expect(exp).not.toHaveProperty('tags');
    expect(exp.artifact_location).toBe(`${f.artifactRoot}/elsewhere`);
  });

  it('duplicate name → 400 RESOURCE_ALREADY_EXISTS', async () => {
    await f.post('experiments/create', { name: 'dup' });
    const res = await f.post('experiments/create', { name: 'dup' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('missing name → 400 in MLflow wording', async () => {
    const res = await f.post('experiments/create', {});
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    });
  });

  it('unknown id → 404 RESOURCE_DOES_NOT_EXIST; unknown name → 404', async () => {
    const res = await f.get('experiments/get', 'experiment_id=999');
    expect(res.statusCode).toBe(404);
    expect(res.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const byName = await f.get('experiments/get-by-name', 'experiment_name=nope');
    expect(byName.statusCode).toBe(404);
    expect(byName.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'nope'" });
  });

  it('search over GET and POST; LIKE filter; paging token; max_results required', async () => {
    for (const name of ['exp-1', 'exp-2', 'other']) await f.post('experiments/create', { name });
    const post = await f.post('experiments/search', { max_results: 10, filter: "name LIKE 'exp%'" });
    expect(post.statusCode).toBe(200);
    expect(post.json().experiments.map((e: { name: string }) => e.name).sort()).toEqual(['exp-1', 'exp-2']);
    expect(post.json()).not.toHaveProperty('next_page_token');

    const get = await f.get('experiments/search', `max_results=10&filter=${encodeURIComponent("name LIKE 'exp%'")}`);
    expect(get.json()).toEqual(post.json());

    const page1 = (await f.post('experiments/search', { max_results: 2 })).json();
    expect(page1.experiments).toHaveLength(2);
    expect(typeof page1.next_page_token).toBe('string');
    const page2 = (await f.post('experiments/search', { max_results: 2, page_token: page1.next_page_token })).json();
    expect(page2.experiments.length).toBeGreaterThan(0);

    const unset = await f.post('experiments/search', {});
    expect(unset.statusCode).toBe(400);
    expect(unset.json().message).toMatch(/'max_results'/);
    const tooMany = await f.post('experiments/search', { max_results: 50001 });
    expect(tooMany.statusCode).toBe(400);
    const badFilter = await f.post('experiments/search', { max_results: 5, filter: 'foo.bar = 1' });
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('search with no matches is exactly {}', async () => {
    const res = await f.post('experiments/search', { max_results: 5, filter: "name = 'none'" });
    expect(res.body).toBe('{}');
  });

  it('view_type by name or number', async () => {
    await f.post('experiments/create', { name: 'gone' });
    await f.post('experiments/delete', { experiment_id: '1' });
    const byName = (await f.post('experiments/search', { max_results: 5, view_type: 'DELETED_ONLY' })).json();
    const byNumber = (await f.get('experiments/search', 'max_results=5&view_type=2')).json();
    expect(byName.experiments.map((e: { name: string }) => e.name)).toEqual(['gone']);
    expect(byNumber).toEqual(byName);
    const bad = await f.post('experiments/search', { max_results: 5, view_type: 'SOMETIMES' });
    expect(bad.statusCode).toBe(400);
  });

  it('update, delete, restore, set and delete tags → {}', async () => {
    await f.post('experiments/create', { name: 'e' });
    expect((await f.post('experiments/update', { experiment_id: '1', new_name: 'e2' })).body).toBe('{}');
    expect((await f.get('experiments/get', 'experiment_id=1')).json().experiment.name).toBe('e2');

    expect((await f.post('experiments/set-experiment-tag', { experiment_id: 1, key: 'k', value: 'v' })).body).toBe('{}');
    expect((await f.get('experiments/get', 'experiment_id=1')).json().experiment.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await f.post('experiments/delete-experiment-tag', { experiment_id: '1', key: 'k' })).body).toBe('{}');
    expect((await f.get('experiments/get', 'experiment_id=1')).json().experiment).not.toHaveProperty('tags');

    expect((await f.post('experiments/delete', { experiment_id: '1' })).body).toBe('{}');
    expect((await f.get('experiments/get', 'experiment_id=1')).json().experiment.lifecycle_stage).toBe('deleted');
    expect((await f.post('experiments/restore', { experiment_id: '1' })).body).toBe('{}');
    expect((await f.get('experiments/get', 'experiment_id=1')).json().experiment.lifecycle_stage).toBe('active');
  });

  it('rename to an existing name → 400 RESOURCE_ALREADY_EXISTS', async () => {
    await f.post('experiments/create', { name: 'a' });
    await f.post('experiments/create', { name: 'b' });
    const res = await f.post('experiments/update', { experiment_id: '1', new_name: 'b' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });
});
