/**
 * The artifact proxy end to end with an S3 destination: a real s3rver on 127.0.0.1, reached
 * through MLflow's environment variables, as `lablog server --artifacts-destination s3://…`.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
// The s3: repository registers itself when the tracking index imports it; importing it here too
// keeps this test independent of that line.
import { startS3rver, type TestS3 } from '../../../tracking/src/artifacts/__tests__/s3rver.js';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';
import { rawRequest } from '../__tests__/raw-http.js';

const API = '/api/2.0/mlflow-artifacts';

let s3: TestS3;
let f: AppFixture;
let url: string;
let n = 0;
let prefix: string;

beforeAll(async () => {
  s3 = await startS3rver('lablog-proxy');
  for (const [k, v] of Object.entries(s3.env)) vi.stubEnv(k, v);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.close();
});
beforeEach(async () => {
  prefix = `dest-${++n}`;
  f = await createAppFixture({ artifacts: { destination: `s3://${s3.bucket}/${prefix}`, maxUploadBytes: 1024 * 1024 } });
  url = await f.app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await f.close();
});

describe('artifact proxy on an s3:// destination', () => {
  it('PUT → GET round-trips binary bytes exactly; listing gives basenames; DELETE is recursive', async () => {
    const bytes = randomBytes(200_000);
    expect((await rawRequest(url, 'PUT', `${API}/artifacts/1/r/artifacts/model/w.bin`, bytes)).status).toBe(200);
    expect((await rawRequest(url, 'PUT', `${API}/artifacts/1/r/artifacts/notes.txt`, [Buffer.from('chunked '), Buffer.from('body')])).status).toBe(200);

    const got = await rawRequest(url, 'GET', `${API}/artifacts/1/r/artifacts/model/w.bin`);
    expect(got.status).toBe(200);
    expect(got.body.equals(bytes)).toBe(true);
    expect(got.headers).toMatchObject({
      'content-length': String(bytes.length),
      'content-disposition': 'attachment; filename=w.bin',
      'x-content-type-options': 'nosniff',
    });
    expect(got.headers.etag).toBeTruthy();
    expect((await rawRequest(url, 'GET', `${API}/artifacts/1/r/artifacts/notes.txt`)).body.toString()).toBe('chunked body');

    const list = await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=1/r/artifacts` });
    expect(list.json()).toEqual({
      files: [
        { path: 'model', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 12 },
      ],
    });

    expect((await rawRequest(url, 'DELETE', `${API}/artifacts/1/r/artifacts/model`)).status).toBe(200);
    expect((await rawRequest(url, 'GET', `${API}/artifacts/1/r/artifacts/model/w.bin`)).status).toBe(404);
    expect((await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=1/r/artifacts` })).json().files).toEqual([
      { path: 'notes.txt', is_dir: false, file_size: 12 },
    ]);
  });

  it('serves runs on mlflow-artifacts: roots through /get-artifact, upload-artifact and artifacts/list', async () => {
    const exp = (await f.post('experiments/create', { name: 'e', artifact_location: 'mlflow-artifacts:/e' })).json().experiment_id;
    const run = (await f.post('runs/create', { experiment_id: exp })).json().run.info.run_id;
    const up = await rawRequest(url, 'POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run}&path=plots%2Floss.png`, Buffer.from('PNG'), {
      'content-type': 'image/png',
    });
    expect(up.status).toBe(200);
    const dl = await rawRequest(url, 'GET', `/get-artifact?run_id=${run}&path=plots/loss.png`);
    expect(dl.body.toString()).toBe('PNG');
    expect(dl.headers['content-type']).toBe('image/png');
    const listed = await f.get('artifacts/list', `run_id=${run}&path=plots`);
    expect(listed.json().files).toEqual([{ path: 'plots/loss.png', is_dir: false, file_size: 3 }]);
    // The object sits under the destination prefix, at <exp path>/<run>/artifacts/<path>.
    const direct = await rawRequest(url, 'GET', `${API}/artifacts/e/${run}/artifacts/plots/loss.png`);
    expect(direct.body.toString()).toBe('PNG');
  });

  it('accepts experiment locations under the destination bucket and prefix only', async () => {
    expect((await f.post('experiments/create', { name: 'in', artifact_location: `s3://${s3.bucket}/${prefix}/team` })).statusCode).toBe(200);
    expect((await f.post('experiments/create', { name: 'out', artifact_location: `s3://${s3.bucket}/other` })).statusCode).toBe(400);
    expect((await f.post('experiments/create', { name: 'out2', artifact_location: 's3://another-bucket/x' })).statusCode).toBe(400);
  });

  it.each(['%2E%2E%2Fescape.txt', '%252E%252E%252Fescape.txt', '..%5Cescape.txt', '%2Fescape.txt', 'a%00b', 'a%23b', '%66ile:%2F%2F%2Fetc%2Fpasswd'])(
    '%s → 400 on GET, PUT, DELETE; nothing written outside the prefix',
    async (attack) => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await rawRequest(url, method, `${API}/artifacts/${attack}`, method === 'PUT' ? Buffer.from('x') : undefined);
        expect(res.status, method).toBe(400);
      }
      const outside = await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=${encodeURIComponent('../')}` });
      expect(outside.statusCode).toBe(400);
    },
  );

  it('over-limit PUT → 413; multipart upload → 501', async () => {
    expect((await rawRequest(url, 'PUT', `${API}/artifacts/big.bin`, Buffer.alloc(1024 * 1024 + 1))).status).toBe(413);
    const mpu = await rawRequest(url, 'POST', `${API}/mpu/create/big.bin`, Buffer.from('{"path":"big.bin","num_parts":1}'), { 'content-type': 'application/json' });
    expect(mpu.status).toBe(501);
  });
});
