import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryFixture, type RegistryFixture } from '../__tests__/registry-fixture.js';

let f: RegistryFixture;
let runId: string;
let artifactUri: string;

const missing = (p: string) => ({
  error_code: 'INVALID_PARAMETER_VALUE',
  message: `Missing value for required parameter '${p}'. See the API docs for more information about request parameters.`,
});

async function create(body: Record<string, unknown> = {}) {
  return f.post('model-versions/create', { name: 'm1', source: `runs:/${runId}/model`, run_id: runId, ...body });
}

beforeEach(async () => {
  f = await createRegistryFixture();
  ({ runId, artifactUri } = await f.createRun());
  await f.post('registered-models/create', { name: 'm1' });
});
afterEach(async () => {
  await f.close();
});

describe('model-versions/create', () => {
  it('answers the version in MLflow’s shape (ref §18), numbering from 1', async () => {
    const res = await create({ description: 'v1 desc' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      model_version: {
        name: 'm1',
        version: '1',
        creation_timestamp: expect.any(Number),
        last_updated_timestamp: expect.any(Number),
        current_stage: 'None',
        description: 'v1 desc',
        source: `runs:/${runId}/model`,
        run_id: runId,
        status: 'READY',
        run_link: '',
      },
    });
    const second = (await create({ tags: [{ key: 'k', value: 'v' }], run_link: 'http://x/run' })).json().model_version;
    expect(second).toMatchObject({ version: '2', tags: [{ key: 'k', value: 'v' }], run_link: 'http://x/run' });
  });

  it('resolves runs:/ to the run’s artifact location (get-download-uri)', async () => {
    await create();
    const res = await f.get('model-versions/get-download-uri', 'name=m1&version=1');
    expect(res.json()).toEqual({ artifact_uri: `${artifactUri}/model` });
  });

  it('resolves models:/ (version, stage, alias) to the referenced version’s location', async () => {
    await create();
    await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'Production' });
    await f.post('registered-models/alias', { name: 'm1', alias: 'champ', version: '1' });
    await f.post('registered-models/create', { name: 'm2' });
    for (const source of ['models:/m1/1', 'models:/m1/production', 'models:/m1@champ', 'models:/m1/latest']) {
      const v = (await f.post('model-versions/create', { name: 'm2', source })).json().model_version;
      expect(v.source).toBe(source);
      expect((await f.get('model-versions/get-download-uri', `name=m2&version=${v.version}`)).json().artifact_uri).toBe(`${artifactUri}/model`);
    }
  });

  it('accepts a local path inside the run’s artifact root (with run_id) and inside the server root', async () => {
    const dir = join(fileURLToPath(artifactUri), 'model');
    mkdirSync(dir, { recursive: true });
    expect((await create({ source: dir })).statusCode).toBe(200);
    expect((await create({ source: pathToFileURL(dir).href })).statusCode).toBe(200);
    const noRun = await f.post('model-versions/create', { name: 'm1', source: pathToFileURL(dir).href });
    expect(noRun.statusCode).toBe(200); // the run root lies under the server's default artifact root
  });

  it('required fields, unknown model, unknown run', async () => {
    expect((await f.post('model-versions/create', { name: 'm1' })).json()).toEqual(missing('source'));
    expect((await f.post('model-versions/create', { source: 'runs:/x/y' })).json()).toEqual(missing('name'));
    const noModel = await f.post('model-versions/create', { name: 'nope', source: `runs:/${runId}/model` });
    expect(noModel.statusCode).toBe(404);
    expect(noModel.json().message).toBe('Registered Model with name=nope not found');
    const noRun = await f.post('model-versions/create', { name: 'm1', source: 'runs:/0123456789abcdef/model' });
    expect(noRun.statusCode).toBe(404);
    expect(noRun.json().message).toBe('Run with id=0123456789abcdef not found');
  });
});

describe('model-versions/create refuses sources outside the artifact roots (security.md §2.3)', () => {
  const attacks = [
    'file:///etc',
    '/etc',
    '//proc/self/root',
    'file://proc/self/root',
    '__RUN__/../../../../../../etc',
    '__RUN__/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc',
    '__RUN__/%252E%252E/%252E%252E/etc',
    '__RUN__\\..\\..\\etc',
    '__RUN__/x%23/../../../../etc',
    '%66ile:///etc',
    ':///etc',
    'etc',
    'http://169.254.169.254/latest/meta-data/',
    'http://attacker/api/2.0/mlflow-artifacts/artifacts/',
    'ftp://attacker/a',
    's3://other-bucket/model',
    '__RUN__/model\u0000',
  ];

  it.each(attacks)('%j → 400 INVALID_PARAMETER_VALUE, with or without run_id', async (template) => {
    const source = template.replaceAll('__RUN__', artifactUri);
    for (const body of [{ name: 'm1', source }, { name: 'm1', source, run_id: runId }]) {
      const res = await f.post('model-versions/create', body);
      expect(res.statusCode).toBe(400);
      expect(Object.keys(res.json()).sort()).toEqual(['error_code', 'message']);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(res.json().message).toMatch(/^Invalid model version source: /);
    }
    expect((await f.get('model-versions/search')).body).toBe('{}');
  });

  it('the prompt tag does not skip validation (CVE-2026-2614)', async () => {
    const res = await f.post('model-versions/create', { name: 'm1', source: 'file:///etc', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] });
    expect(res.statusCode).toBe(400);
  });

  it('model_id (MLflow 3 LoggedModels) is refused', async () => {
    const res = await create({ model_id: 'm-123' });
    expect(res.statusCode).toBe(400);
  });
});

describe('model-versions/get, update, delete', () => {
  beforeEach(async () => {
    await create();
  });

  it('get; unknown version 404 in MLflow’s words; a non-number 400', async () => {
    expect((await f.get('model-versions/get', 'name=m1&version=1')).json().model_version.version).toBe('1');
    const unknown = await f.get('model-versions/get', 'name=m1&version=99');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=m1, version=99) not found' });
    expect((await f.get('model-versions/get', 'name=m1&version=abc')).statusCode).toBe(400);
    expect((await f.get('model-versions/get', 'name=m1')).json()).toEqual(missing('version'));
  });

  it('update is a PATCH', async () => {
    const res = await f.send('PATCH', 'model-versions/update', { name: 'm1', version: '1', description: 'better' });
    expect(res.json().model_version.description).toBe('better');
    expect((await f.send('PATCH', 'model-versions/update', { name: 'm1', version: '7', description: 'x' })).statusCode).toBe(404);
  });

  it('delete is a DELETE with a JSON body; numbers are never reused', async () => {
    await create();
    expect((await f.send('DELETE', 'model-versions/delete', { name: 'm1', version: '2' })).body).toBe('{}');
    expect((await f.get('model-versions/get', 'name=m1&version=2')).statusCode).toBe(404);
    expect((await create()).json().model_version.version).toBe('3');
    expect((await f.send('DELETE', 'model-versions/delete', { name: 'm1' })).json()).toEqual(missing('version'));
  });

  it('set-tag and delete-tag', async () => {
    expect((await f.post('model-versions/set-tag', { name: 'm1', version: '1', key: 'k', value: 'v' })).body).toBe('{}');
    expect((await f.get('model-versions/get', 'name=m1&version=1')).json().model_version.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await f.send('DELETE', 'model-versions/delete-tag', { name: 'm1', version: '1', key: 'k' })).body).toBe('{}');
    expect((await f.get('model-versions/get', 'name=m1&version=1')).json().model_version.tags).toBeUndefined();
    expect((await f.post('model-versions/set-tag', { name: 'm1', version: '9', key: 'k', value: 'v' })).statusCode).toBe(404);
  });
});

describe('model-versions/transition-stage', () => {
  beforeEach(async () => {
    for (let i = 0; i < 3; i++) await create();
  });

  it('stages are case-insensitive and canonicalised', async () => {
    const res = await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'staging', archive_existing_versions: false });
    expect(res.json().model_version.current_stage).toBe('Staging');
  });

  it('archive_existing_versions moves the others in the target stage to Archived', async () => {
    await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'Production' });
    await f.post('model-versions/transition-stage', { name: 'm1', version: '2', stage: 'Production' });
    await f.post('model-versions/transition-stage', { name: 'm1', version: '3', stage: 'Production', archive_existing_versions: true });
    const stages = await Promise.all(['1', '2', '3'].map(async (v) => (await f.get('model-versions/get', `name=m1&version=${v}`)).json().model_version.current_stage));
    expect(stages).toEqual(['Archived', 'Archived', 'Production']);
  });

  it('a bad stage is 400; archiving into a non-active stage is 400 (MLflow: 500)', async () => {
    const bad = await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'Prod' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^Invalid Model Version stage: Prod/);
    const archive = await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'Archived', archive_existing_versions: true });
    expect(archive.statusCode).toBe(400);
    expect((await f.post('model-versions/transition-stage', { name: 'm1', version: '1' })).json()).toEqual(missing('stage'));
    expect((await f.post('model-versions/transition-stage', { name: 'm1', version: '1', stage: 'None', archive_existing_versions: 'maybe' })).statusCode).toBe(400);
  });
});

describe('model-versions/search', () => {
  let otherRun: string;
  beforeEach(async () => {
    otherRun = (await f.createRun()).runId;
    await f.post('registered-models/create', { name: 'm2' });
    await create();
    await create();
    await f.post('model-versions/create', { name: 'm2', source: `runs:/${otherRun}/model`, run_id: otherRun });
  });

  const ids = (body: { model_versions?: { name: string; version: string }[] }) => (body.model_versions ?? []).map((v) => `${v.name}/${v.version}`);

  it('filters by name, run_id and version_number (ref §3.4)', async () => {
    expect(ids((await f.get('model-versions/search', `filter=${encodeURIComponent("name='m1'")}`)).json()).sort()).toEqual(['m1/1', 'm1/2']);
    expect(ids((await f.get('model-versions/search', `filter=${encodeURIComponent(`run_id='${otherRun}'`)}`)).json())).toEqual(['m2/1']);
    expect(ids((await f.get('model-versions/search', `filter=${encodeURIComponent("name='m1' and version_number > 1")}`)).json())).toEqual(['m1/2']);
  });

  it('order_by and paging', async () => {
    const q = `order_by=${encodeURIComponent('name ASC')}&order_by=${encodeURIComponent('version_number DESC')}&max_results=2`;
    const p1 = (await f.get('model-versions/search', q)).json();
    expect(ids(p1)).toEqual(['m1/2', 'm1/1']);
    const p2 = (await f.get('model-versions/search', `${q}&page_token=${encodeURIComponent(p1.next_page_token)}`)).json();
    expect(ids(p2)).toEqual(['m2/1']);
  });

  it('max_results is at most 200 000', async () => {
    expect((await f.get('model-versions/search', 'max_results=200000')).statusCode).toBe(200);
    const over = await f.get('model-versions/search', 'max_results=200001');
    expect(over.statusCode).toBe(400);
    expect(over.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('the ajax mirror answers the same', async () => {
    const res = await f.get('model-versions/search', `filter=${encodeURIComponent("name='m2'")}`, '/ajax-api/2.0/mlflow');
    expect(ids(res.json())).toEqual(['m2/1']);
  });
});
