import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';

let f: AppFixture;
let runId: string;
let root: string;

beforeEach(async () => {
  f = await createAppFixture();
  await f.post('experiments/create', { name: 'exp' });
  const info = (await f.post('runs/create', { experiment_id: '1' })).json().run.info;
  runId = info.run_id;
  root = info.artifact_uri;
  const dir = fileURLToPath(root);
  mkdirSync(join(dir, 'sub', 'dir'), { recursive: true });
  writeFileSync(join(dir, 'hello.txt'), 'hello, artifacts');
  writeFileSync(join(dir, 'sub', 'dir', 'x.bin'), Buffer.alloc(3));
});
afterEach(async () => {
  await f.close();
});

describe('artifacts/list', () => {
  it('lists the root with sizes for files only', async () => {
    const res = await f.get('artifacts/list', `run_id=${runId}`);
    expect(res.json()).toEqual({
      root_uri: root,
      files: [
        { path: 'hello.txt', is_dir: false, file_size: 16 },
        { path: 'sub', is_dir: true },
      ],
    });
  });

  it('lists a sub-directory with paths relative to the run root (ref §18)', async () => {
    const res = await f.get('artifacts/list', `run_id=${runId}&path=sub`);
    expect(res.json()).toEqual({ root_uri: root, files: [{ path: 'sub/dir', is_dir: true }] });
    const deeper = await f.get('artifacts/list', `run_uuid=${runId}&path=sub/dir`);
    expect(deeper.json().files).toEqual([{ path: 'sub/dir/x.bin', is_dir: false, file_size: 3 }]);
  });

  it('an empty or missing directory lists as just the root_uri', async () => {
    expect((await f.get('artifacts/list', `run_id=${runId}&path=nothing`)).json()).toEqual({ root_uri: root });
  });

  it.each(['../x', '%2E%2E%2Fx', '%252E%252E%252Fx', '/etc/passwd', 'a/../../b', 'sub#frag', 'C:/x', 'file:///etc'])(
    'rejects %s with 400 "Invalid path"',
    async (bad) => {
      const res = await f.get('artifacts/list', `run_id=${runId}&path=${encodeURIComponent(bad)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    },
  );

  // Found by fuzz.test.ts (seeds 1 and 2): a path past PATH_MAX made lstat fail with
  // ENAMETOOLONG, which surfaced as a 500.
  it('a path longer than PATH_MAX is a client error, not a 500', async () => {
    const res = await f.get('artifacts/list', `run_id=${runId}&path=${'y'.repeat(5000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });

  it('unknown run → 404', async () => {
    expect((await f.get('artifacts/list', 'run_id=nope')).statusCode).toBe(404);
  });
});
