import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';
import { rawRequest, snapshotTree } from '../__tests__/raw-http.js';
import { UPLOAD_TOO_LARGE_MESSAGE } from './run-artifacts.js';

const SECRET = 'TOP-SECRET-SENTINEL';
const UPLOAD = '/ajax-api/2.0/mlflow/upload-artifact';

let base: string;
let dest: string;
let outside: string;
let f: AppFixture;
let url: string;
/** A run whose root is `mlflow-artifacts:/…` (in the destination), and one with a `file:` root. */
let proxiedRun: { id: string; dir: string };
let localRun: { id: string; dir: string };

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'lablog-run-art-'));
  outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), SECRET);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

beforeEach(async () => {
  dest = mkdtempSync(join(base, 'dest-'));
  f = await createAppFixture({ artifacts: { destination: dest } });
  url = await f.app.listen({ host: '127.0.0.1', port: 0 });
  const proxiedExp = (await f.post('experiments/create', { name: 'proxied', artifact_location: 'mlflow-artifacts:/proxied' })).json().experiment_id;
  const p = (await f.post('runs/create', { experiment_id: proxiedExp })).json().run.info;
  expect(p.artifact_uri).toBe(`mlflow-artifacts:/proxied/${p.run_id}/artifacts`);
  proxiedRun = { id: p.run_id, dir: join(dest, 'proxied', p.run_id, 'artifacts') };
  const l = (await f.post('runs/create', { experiment_id: '0' })).json().run.info;
  localRun = { id: l.run_id, dir: fileURLToPath(l.artifact_uri) };
  for (const run of [proxiedRun, localRun]) {
    mkdirSync(join(run.dir, 'sub'), { recursive: true });
    writeFileSync(join(run.dir, 'sub', 'hello.txt'), 'hello');
    symlinkSync(outside, join(run.dir, 'link'));
  }
});
afterEach(async () => {
  await f.close();
});

describe('GET /get-artifact', () => {
  it.each(['proxied', 'local'])('serves a file of a %s run as an attachment (run_id and run_uuid)', async (kind) => {
    const run = kind === 'proxied' ? proxiedRun : localRun;
    const bytes = randomBytes(10_000);
    writeFileSync(join(run.dir, 'sub', 'data.bin'), bytes);
    const res = await rawRequest(url, 'GET', `/get-artifact?run_id=${run.id}&path=sub/data.bin`);
    expect(res.status).toBe(200);
    expect(res.body.equals(bytes)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-disposition': 'attachment; filename=data.bin',
      'x-content-type-options': 'nosniff',
      'content-length': '10000',
    });
    const alias = await f.app.inject({ method: 'GET', url: `/get-artifact?run_uuid=${run.id}&path=sub%2Fhello.txt` });
    expect(alias.body).toBe('hello');
    expect(alias.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('missing file → 404; unknown run → 404; missing path → 400', async () => {
    const missing = await f.app.inject({ method: 'GET', url: `/get-artifact?run_id=${localRun.id}&path=nope.txt` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await f.app.inject({ method: 'GET', url: '/get-artifact?run_id=nope&path=a' })).statusCode).toBe(404);
    expect((await f.app.inject({ method: 'GET', url: `/get-artifact?run_id=${localRun.id}` })).statusCode).toBe(400);
  });

  it('refuses a run root that points at a remote http location instead of fetching it', async () => {
    const exp = await f.store.createExperiment('remote', 'http://169.254.169.254/latest');
    const run = await f.store.createRun({ experimentId: exp, userId: 'u', startTime: Date.now(), tags: [] });
    const res = await f.app.inject({ method: 'GET', url: `/get-artifact?run_id=${run.info.runId}&path=meta-data` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('POST /ajax-api/2.0/mlflow/upload-artifact', () => {
  it.each(['proxied', 'local'])('stores a raw body under the %s run root (any content type)', async (kind) => {
    const run = kind === 'proxied' ? proxiedRun : localRun;
    const bytes = randomBytes(20_000);
    const res = await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${run.id}&path=ui%2Fimage.png`, bytes, { 'content-type': 'image/png' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});
    expect(readFileSync(join(run.dir, 'ui', 'image.png')).equals(bytes)).toBe(true);
    const back = await rawRequest(url, 'GET', `/get-artifact?run_id=${run.id}&path=ui/image.png`);
    expect(back.body.equals(bytes)).toBe(true);
  });

  it('refuses bodies over 10 MB with MLflow\'s message, by header or while streaming', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    const declared = await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${localRun.id}&path=big.bin`, big, { 'content-type': 'application/octet-stream' });
    expect(declared.status).toBe(400);
    expect(declared.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: UPLOAD_TOO_LARGE_MESSAGE });
    const chunked = await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${localRun.id}&path=big.bin`, [big.subarray(0, 6e6), big.subarray(6e6)], {
      'content-type': 'application/octet-stream',
    });
    expect(chunked.status).toBe(400);
    expect(chunked.json().message).toBe(UPLOAD_TOO_LARGE_MESSAGE);
    expect(existsSync(join(localRun.dir, 'big.bin'))).toBe(false);
  });

  it('an empty body or a missing parameter → 400', async () => {
    const empty = await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${localRun.id}&path=e.txt`, Buffer.alloc(0), { 'content-type': 'text/plain' });
    expect(empty.status).toBe(400);
    expect((await rawRequest(url, 'POST', `${UPLOAD}?path=e.txt`, Buffer.from('x'))).status).toBe(400);
    expect((await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${localRun.id}`, Buffer.from('x'))).status).toBe(400);
  });
});

describe('artifacts/list on an mlflow-artifacts: run root (ref §2.4)', () => {
  it('lists from the destination, paths relative to the run root', async () => {
    const root = await f.get('artifacts/list', `run_id=${proxiedRun.id}`);
    expect(root.json()).toEqual({ root_uri: `mlflow-artifacts:/proxied/${proxiedRun.id}/artifacts`, files: [{ path: 'sub', is_dir: true }] });
    const sub = await f.get('artifacts/list', `run_id=${proxiedRun.id}&path=sub`);
    expect(sub.json().files).toEqual([{ path: 'sub/hello.txt', is_dir: false, file_size: 5 }]);
  });
});

/** Values of `path` an attacker sends (each URL-encoded once into the query string). */
const QUERY_ATTACKS = [
  '/path',
  '/etc/passwd',
  '../path',
  '../../../../outside/secret.txt',
  './../path',
  'path/../../to/file',
  '%2E%2E%2F%2E%2E%2Fpath',
  '%252E%252E%252Fpath',
  '..\\x',
  'C:\\x',
  'file:///etc/passwd',
  '%66ile:///etc/passwd',
  'a\u0000b',
  '/etc/passwd%00.jpg',
  'a#b',
  'a?/../../b',
  'link/secret.txt',
  'link/new.txt',
];

describe('path attacks on /get-artifact, upload-artifact and artifacts/list (security.md §2.1–2.2)', () => {
  it.each(QUERY_ATTACKS)('%j → 400 "Invalid path" on every route and run kind; nothing outside touched', async (attack) => {
    const before = snapshotTree(outside);
    const q = encodeURIComponent(attack);
    for (const run of [proxiedRun, localRun]) {
      const responses = [
        await rawRequest(url, 'GET', `/get-artifact?run_id=${run.id}&path=${q}`),
        await rawRequest(url, 'POST', `${UPLOAD}?run_uuid=${run.id}&path=${q}`, Buffer.from('pwned'), { 'content-type': 'text/plain' }),
        await rawRequest(url, 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${run.id}&path=${q}`),
      ];
      for (const [i, res] of responses.entries()) {
        expect(res.body.toString()).not.toContain(SECRET);
        // Listing a path that exists nowhere (e.g. `link/new.txt` refused, `a?/…`) may also be 400;
        // a 200 listing may only ever be empty.
        if (i === 2 && res.status === 200) {
          expect(res.json().files ?? []).toEqual([]);
          continue;
        }
        expect(res.status, `route ${i} ${attack}`).toBe(400);
        expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      }
    }
    expect(snapshotTree(outside)).toEqual(before);
  });
});
