import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryFixture, type RegistryFixture } from '../__tests__/registry-fixture.js';

let f: RegistryFixture;
let runId: string;
let modelDir: string;

function getArtifact(query: string) {
  return f.app.inject({ method: 'GET', url: `/model-versions/get-artifact?${query}` });
}

beforeEach(async () => {
  f = await createRegistryFixture();
  const run = await f.createRun();
  runId = run.runId;
  modelDir = join(fileURLToPath(run.artifactUri), 'model');
  mkdirSync(join(modelDir, 'sub'), { recursive: true });
  writeFileSync(join(modelDir, 'MLmodel'), 'flavors: {}\n');
  writeFileSync(join(modelDir, 'notes.txt'), 'hello, model');
  writeFileSync(join(modelDir, 'sub', 'conf.json'), '{"a":1}');
  writeFileSync(join(modelDir, 'my model.bin'), Buffer.from([1, 2, 3]));
  symlinkSync('/etc', join(modelDir, 'etc-link'));
  await f.post('registered-models/create', { name: 'm1' });
  await f.post('model-versions/create', { name: 'm1', source: `runs:/${runId}/model`, run_id: runId });
});
afterEach(async () => {
  await f.close();
});

describe('GET /model-versions/get-artifact', () => {
  it('streams the file as an attachment with nosniff and a content type from the extension', async () => {
    const res = await getArtifact('name=m1&version=1&path=notes.txt');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('hello, model');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename=notes.txt');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const mlmodel = await getArtifact('name=m1&version=1&path=MLmodel');
    expect(mlmodel.body).toBe('flavors: {}\n');
    expect(mlmodel.headers['content-type']).toBe('application/octet-stream');
  });

  it('serves nested paths with the basename as file name', async () => {
    const res = await getArtifact('name=m1&version=1&path=sub/conf.json');
    expect(res.body).toBe('{"a":1}');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-disposition']).toBe('attachment; filename=conf.json');
  });

  it('names with spaces get a quoted file name', async () => {
    const res = await getArtifact(`name=m1&version=1&path=${encodeURIComponent('my model.bin')}`);
    expect(res.rawPayload).toEqual(Buffer.from([1, 2, 3]));
    expect(res.headers['content-disposition']).toBe('attachment; filename="my model.bin"');
  });

  it('a missing file is 404 RESOURCE_DOES_NOT_EXIST (MLflow: 500)', async () => {
    const res = await getArtifact('name=m1&version=1&path=nope.txt');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Artifact 'nope.txt' does not exist" });
  });

  it('unknown versions and models are 404; missing parameters 400', async () => {
    const unknown = await getArtifact('name=m1&version=99&path=MLmodel');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Model Version (name=m1, version=99) not found' });
    expect((await getArtifact('name=nope&version=1&path=MLmodel')).statusCode).toBe(404);
    const noPath = await getArtifact('name=m1&version=1');
    expect(noPath.statusCode).toBe(400);
    expect(noPath.json().message).toMatch(/'path'/);
  });

  it.each([
    '../../../../../../etc/passwd',
    '%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    '%252E%252E%252F%252E%252E%252Fetc%252Fpasswd',
    '/etc/passwd',
    'file:///etc/passwd',
    'sub/../../x',
    '..\\..\\etc\\passwd',
    'x#/../../etc/passwd',
    'C:/Windows/win.ini',
    'notes.txt%00.png',
  ])('path %j → 400 "Invalid path"', async (bad) => {
    const res = await getArtifact(`name=m1&version=1&path=${encodeURIComponent(bad)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });

  it('a symlink inside the model that leaves the artifact root is refused', async () => {
    const res = await getArtifact('name=m1&version=1&path=etc-link/passwd');
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('a version whose stored source points outside every root is never read (re-checked before reading)', async () => {
    // Written straight to the store, as a version from before validation (or another writer) would be.
    await f.store.createModelVersion({ name: 'm1', source: 'file:///etc' });
    await f.store.createModelVersion({ name: 'm1', source: '//proc/self/root' });
    await f.store.createModelVersion({ name: 'm1', source: 'models:/m1/1' });
    for (const [version, path] of [['2', 'passwd'], ['3', 'etc/passwd'], ['4', 'MLmodel']]) {
      const res = await getArtifact(`name=m1&version=${version}&path=${path}`);
      expect(res.statusCode, `version ${version}`).toBe(400);
      expect(res.json().message).toMatch(/^Invalid model version source/);
    }
  });

  it('is served at the root only: not under /api or /ajax-api', async () => {
    for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
      const res = await f.app.inject({ method: 'GET', url: `${prefix}/model-versions/get-artifact?name=m1&version=1&path=MLmodel` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error_code).toBe('ENDPOINT_NOT_FOUND');
    }
  });

  it('answers 501 on a backend without a registry', async () => {
    const g = await createRegistryFixture({ registryStore: null });
    try {
      const res = await g.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=m1&version=1&path=MLmodel' });
      expect(res.statusCode).toBe(501);
      expect(res.json().error_code).toBe('NOT_IMPLEMENTED');
    } finally {
      await g.close();
    }
  });
});

describe('GET /model-versions/get-artifact on a proxied (mlflow-artifacts:) location', () => {
  it('reads from the artifacts destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lablog-proxied-'));
    const destination = join(dir, 'mlartifacts');
    const h = await createRegistryFixture({ artifacts: { destination }, artifactRoots: ['mlflow-artifacts:/'] });
    try {
      mkdirSync(join(destination, '1', 'r', 'artifacts', 'model'), { recursive: true });
      writeFileSync(join(destination, '1', 'r', 'artifacts', 'model', 'MLmodel'), 'proxied');
      await h.post('registered-models/create', { name: 'p' });
      const created = await h.post('model-versions/create', { name: 'p', source: 'mlflow-artifacts:/1/r/artifacts/model' });
      expect(created.statusCode).toBe(200);
      const res = await h.app.inject({ method: 'GET', url: '/model-versions/get-artifact?name=p&version=1&path=MLmodel' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('proxied');
      const escape = await h.post('model-versions/create', { name: 'p', source: 'mlflow-artifacts:/1/%2E%2E/%2E%2E/etc' });
      expect(escape.statusCode).toBe(400);
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
