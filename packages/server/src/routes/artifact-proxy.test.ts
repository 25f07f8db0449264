import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';
import { rawRequest, snapshotTree } from '../__tests__/raw-http.js';
import { MPU_NOT_SUPPORTED } from './artifact-proxy.js';

const API = '/api/2.0/mlflow-artifacts';
const SECRET = 'TOP-SECRET-SENTINEL';

let base: string;
let dest: string;
let outside: string;
let f: AppFixture;
let url: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'lablog-proxy-'));
  outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), SECRET);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

beforeEach(async () => {
  dest = mkdtempSync(join(base, 'dest-'));
  f = await createAppFixture({ artifacts: { destination: dest, maxUploadBytes: 64 * 1024 } });
  url = await f.app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await f.close();
});

const put = (path: string, body: Buffer | Buffer[], headers: Record<string, string> = {}) => rawRequest(url, 'PUT', `${API}/artifacts/${path}`, body, headers);
const get = (path: string, headers: Record<string, string> = {}) => rawRequest(url, 'GET', `${API}/artifacts/${path}`, undefined, headers);

describe('mlflow-artifacts proxy: happy paths', () => {
  it('PUT then GET round-trips binary bytes exactly, with download headers', async () => {
    const bytes = randomBytes(50_000);
    const res = await put('1/run/artifacts/model/weights.bin', bytes, { 'content-type': 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});
    expect(readFileSync(join(dest, '1/run/artifacts/model/weights.bin')).equals(bytes)).toBe(true);

    const got = await get('1/run/artifacts/model/weights.bin');
    expect(got.status).toBe(200);
    expect(got.body.equals(bytes)).toBe(true);
    expect(got.headers).toMatchObject({
      'content-disposition': 'attachment; filename=weights.bin',
      'content-type': 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'content-length': String(bytes.length),
    });
    expect(got.headers['last-modified']).toBeTruthy();
    expect(got.headers['etag']).toMatch(/^W\/"/);
    const again = await get('1/run/artifacts/model/weights.bin', { 'if-none-match': got.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('accepts any content type, none, and chunked bodies, without JSON-parsing them', async () => {
    expect((await put('a/x.json', Buffer.from('{not json'), { 'content-type': 'application/json' })).status).toBe(200);
    expect((await put('a/y.png', Buffer.from([0x89, 0x50]), { 'content-type': 'image/png' })).status).toBe(200);
    expect((await put('a/z.txt', Buffer.from('plain'))).status).toBe(200);
    expect((await put('a/c.bin', [Buffer.from('chunk-1,'), Buffer.from('chunk-2')])).status).toBe(200);
    expect((await put('a/empty.txt', Buffer.alloc(0))).status).toBe(200);
    expect(readFileSync(join(dest, 'a/x.json'), 'utf8')).toBe('{not json');
    expect(readFileSync(join(dest, 'a/c.bin'), 'utf8')).toBe('chunk-1,chunk-2');
    expect(readFileSync(join(dest, 'a/empty.txt'), 'utf8')).toBe('');
    expect((await get('a/x.json')).headers['content-type']).toBe('application/json');
    expect((await get('a/z.txt')).headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('serves HTML as a text/plain attachment, and encodes odd names per RFC 6266', async () => {
    await put('h/page.html', Buffer.from('<script>alert(1)</script>'), { 'content-type': 'text/html' });
    const html = await get('h/page.html');
    expect(html.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(html.headers['content-disposition']).toBe('attachment; filename=page.html');
    expect(html.headers['content-security-policy']).toBe("default-src 'none'; sandbox");

    await put('h/we%22ird%20name.txt', Buffer.from('q'));
    expect((await get('h/we%22ird%20name.txt')).headers['content-disposition']).toBe(
      `attachment; filename="we_ird name.txt"; filename*=UTF-8''we%22ird%20name.txt`,
    );
    await put('h/two%20words.txt', Buffer.from('q'));
    expect((await get('h/two%20words.txt')).headers['content-disposition']).toBe('attachment; filename="two words.txt"');
    expect((await put('h/na%C3%AFve%3B%0D.txt', Buffer.from('q'))).status).toBe(400);
    await put('h/na%C3%AFve.txt', Buffer.from('q'));
    expect((await get('h/na%C3%AFve.txt')).headers['content-disposition']).toBe(
      `attachment; filename="na_ve.txt"; filename*=UTF-8''na%C3%AFve.txt`,
    );
  });

  it('lists one level with basenames; missing directories list as {}', async () => {
    await put('e/r/artifacts/a.txt', Buffer.from('abc'));
    await put('e/r/artifacts/sub/b.txt', Buffer.from('b'));
    const root = await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=e/r/artifacts` });
    expect(root.json()).toEqual({
      files: [
        { path: 'a.txt', is_dir: false, file_size: 3 },
        { path: 'sub', is_dir: true },
      ],
    });
    const sub = await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=e%2Fr%2Fartifacts%2Fsub` });
    expect(sub.json()).toEqual({ files: [{ path: 'b.txt', is_dir: false, file_size: 1 }] });
    expect((await f.app.inject({ method: 'GET', url: `${API}/artifacts` })).json()).toEqual({ files: [{ path: 'e', is_dir: true }] });
    expect((await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=nope` })).json()).toEqual({});
  });

  it('DELETE removes files and directories; GET of a missing file is 404 RESOURCE_DOES_NOT_EXIST', async () => {
    await put('d/one.txt', Buffer.from('1'));
    await put('d/sub/two.txt', Buffer.from('2'));
    expect((await rawRequest(url, 'DELETE', `${API}/artifacts/d/one.txt`)).json()).toEqual({});
    expect((await rawRequest(url, 'DELETE', `${API}/artifacts/d/sub`)).status).toBe(200);
    expect(readdirSync(join(dest, 'd'))).toEqual([]);
    const missing = await get('d/one.txt');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST' });
    expect(missing.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses GET of a directory and GET/PUT/DELETE of the destination root', async () => {
    await put('dir/x', Buffer.from('x'));
    expect((await get('dir')).status).toBe(400);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      for (const p of ['', '.', '%2E', './.']) {
        const res = await rawRequest(url, method, `${API}/artifacts/${p}`, method === 'PUT' ? Buffer.from('x') : undefined);
        expect(res.status, `${method} ${p}`).toBe(400);
      }
    }
    expect(existsSync(join(dest, 'dir/x'))).toBe(true);
  });

  it('is served under /ajax-api/2.0/mlflow-artifacts too', async () => {
    expect((await rawRequest(url, 'PUT', '/ajax-api/2.0/mlflow-artifacts/artifacts/j/k.txt', Buffer.from('k'))).status).toBe(200);
    expect((await rawRequest(url, 'GET', '/ajax-api/2.0/mlflow-artifacts/artifacts/j/k.txt')).body.toString()).toBe('k');
  });

  it('PUT over the size limit → 413, by Content-Length or while streaming, leaving no file', async () => {
    const big = Buffer.alloc(64 * 1024 + 1, 1);
    const declared = await put('big/declared.bin', big);
    expect(declared.status).toBe(413);
    expect(declared.json().error_code).toBe('BAD_REQUEST');
    const chunked = await put('big/chunked.bin', [big.subarray(0, 40_000), big.subarray(40_000)]);
    expect(chunked.status).toBe(413);
    expect(existsSync(join(dest, 'big')) ? readdirSync(join(dest, 'big')) : []).toEqual([]);
  });

  it('a client that disconnects mid-upload leaves no file and no temp file behind', async () => {
    const { request } = await import('node:http');
    const target = new URL(url);
    await new Promise<void>((resolve) => {
      const req = request({ host: target.hostname, port: target.port, method: 'PUT', path: `${API}/artifacts/cut/part.bin`, headers: { 'content-length': '100000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(30_000), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(dest, 'cut')) ? readdirSync(join(dest, 'cut')) : []).toEqual([]);
  });

  it('multipart upload routes answer 501 NOT_IMPLEMENTED for a local destination', async () => {
    for (const op of ['create', 'complete', 'abort']) {
      const res = await rawRequest(url, 'POST', `${API}/mpu/${op}/1/r/artifacts/big.bin`, Buffer.from('{"path":"big.bin","num_parts":2}'), {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(501);
      expect(res.json()).toEqual({ error_code: 'NOT_IMPLEMENTED', message: MPU_NOT_SUPPORTED });
      const bad = await rawRequest(url, 'POST', `${API}/mpu/${op}/%2E%2E%2Fx`, Buffer.from('{}'), { 'content-type': 'application/json' });
      expect(bad.status).toBe(400);
    }
  });
});

describe('mlflow-artifacts proxy with --no-serve-artifacts', () => {
  it('answers 503 TEMPORARILY_UNAVAILABLE on every route', async () => {
    const g = await createAppFixture({ artifacts: { destination: dest, serveArtifacts: false } });
    try {
      for (const [method, path] of [
        ['GET', `${API}/artifacts/a.txt`],
        ['PUT', `${API}/artifacts/a.txt`],
        ['DELETE', `${API}/artifacts/a.txt`],
        ['GET', `${API}/artifacts?path=x`],
        ['POST', `${API}/mpu/create/a.txt`],
      ] as const) {
        const res = await g.app.inject({ method, url: path, payload: method === 'PUT' || method === 'POST' ? '{}' : undefined });
        expect(res.statusCode, `${method} ${path}`).toBe(503);
        expect(res.json().error_code).toBe('TEMPORARILY_UNAVAILABLE');
      }
    } finally {
      await g.close();
    }
  });
});

/** Spellings of attacks in the URL path after `…/artifacts/` (sent raw, not normalized). */
const PATH_ATTACKS = [
  '/etc/passwd',
  '/path',
  '../path',
  '../../outside/secret.txt',
  '..%2F..%2Foutside%2Fsecret.txt',
  '%2E%2E%2F%2E%2E%2Foutside%2Fsecret.txt',
  '%252E%252E%252F%252E%252E%252Foutside%252Fsecret.txt',
  '%25252E%25252E%25252Fpath',
  '..\\x',
  '..%5C..%5Coutside%5Csecret.txt',
  'C:\\x',
  'C:%5Cx',
  'file:///etc/passwd',
  'file%3A%2F%2F%2Fetc%2Fpasswd',
  '%66ile:///etc/passwd',
  '%2566ile%3A%2F%2F%2Fetc%2Fpasswd',
  'a%00b',
  '%2Fetc%2Fpasswd%2500.jpg',
  '/etc/passwd%00.jpg',
  'a%23b',
  'link/secret.txt',
  'link/new.txt',
  'link',
];

describe('mlflow-artifacts proxy: path attacks (security.md §2.1–2.2)', () => {
  beforeEach(() => {
    symlinkSync(outside, join(dest, 'link'));
  });

  it.each(PATH_ATTACKS)('%s → 400 "Invalid path" for GET, PUT, DELETE and MPU; nothing outside touched', async (attack) => {
    const before = snapshotTree(outside);
    for (const method of ['GET', 'PUT', 'DELETE', 'POST']) {
      const path = method === 'POST' ? `${API}/mpu/create/${attack}` : `${API}/artifacts/${attack}`;
      const res = await rawRequest(url, method, path, method === 'PUT' ? Buffer.from('pwned') : method === 'POST' ? Buffer.from('{}') : undefined, {
        'content-type': 'application/json',
      });
      // `link` itself is a real entry in the root: deleting it removes the link, never the target.
      if (attack === 'link' && method === 'DELETE') continue;
      // MPU never touches the file system here (501 after the string check), so a symlink is moot.
      if (attack.startsWith('link') && method === 'POST') {
        expect(res.status).toBe(501);
        continue;
      }
      expect(res.status, `${method} ${attack}`).toBe(400);
      expect(res.json(), `${method} ${attack}`).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/Invalid path|directory/) });
      expect(res.body.toString()).not.toContain(SECRET);
    }
    expect(snapshotTree(outside)).toEqual(before);
  });

  it.each(PATH_ATTACKS.map((a) => decodeURIComponent(a.replace(/%25/g, '%2525'))).concat(['link/..', 'link/.']))(
    'listing ?path=%j → 400 or an empty listing, never the outside directory',
    async (attack) => {
      const res = await f.app.inject({ method: 'GET', url: `${API}/artifacts?path=${encodeURIComponent(attack)}` });
      if (res.statusCode === 200) expect(res.json()).toEqual({});
      else expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      expect(res.body).not.toContain('secret.txt');
    },
  );

  it('DELETE of the symlink removes the link, not its target', async () => {
    const before = snapshotTree(outside);
    expect((await rawRequest(url, 'DELETE', `${API}/artifacts/link`)).status).toBe(200);
    expect(existsSync(join(dest, 'link'))).toBe(false);
    expect(snapshotTree(outside)).toEqual(before);
  });
});
