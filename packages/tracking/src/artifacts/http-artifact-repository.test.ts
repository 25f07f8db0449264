import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LablogError } from '../errors.js';
import { HttpClient } from '../store/rest/http-client.js';
import { getArtifactRepository, registerArtifactRepository } from './artifact-repository-registry.js';
import { HttpArtifactRepository, httpArtifactRepositoryFactory, resolveMlflowArtifactsUri } from './http-artifact-repository.js';
import { contentTypeFor } from './content-type.js';
import { startArtifactProxy, type ArtifactProxy } from './__tests__/artifact-proxy-server.js';
import { TRAVERSAL_ATTACKS } from './__tests__/traversal-attacks.js';

const FAST = { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 };

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function rejection(p: Promise<unknown>): Promise<LablogError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(LablogError.is(e), `expected a LablogError, got ${String(e)}`).toBe(true);
  return e as LablogError;
}

describe('resolveMlflowArtifactsUri (ref §4.1)', () => {
  it('maps mlflow-artifacts URIs onto the tracking server', () => {
    const api = '/api/2.0/mlflow-artifacts/artifacts';
    expect(resolveMlflowArtifactsUri('mlflow-artifacts:/1/abc/artifacts', 'http://h:5000')).toBe(`http://h:5000${api}/1/abc/artifacts`);
    expect(resolveMlflowArtifactsUri('mlflow-artifacts:/1/x', 'https://h/mlflow/')).toBe(`https://h/mlflow${api}/1/x`);
    expect(resolveMlflowArtifactsUri('mlflow-artifacts://other:7000/2/y', 'http://h:5000')).toBe(`http://other:7000${api}/2/y`);
    expect(resolveMlflowArtifactsUri('mlflow-artifacts:/', 'http://h:5000')).toBe(`http://h:5000${api}`);
  });

  it('needs an http(s) tracking URI', () => {
    expect(() => resolveMlflowArtifactsUri('mlflow-artifacts:/1', 'sqlite:///x.db')).toThrow(/http or https tracking URI/);
    expect(() => resolveMlflowArtifactsUri('s3://b/k', 'http://h')).toThrow(LablogError);
  });

  it('guesses upload content types from extensions', () => {
    expect(contentTypeFor('a/b.json')).toBe('application/json');
    expect(contentTypeFor('notes.TXT')).toBe('text/plain');
    expect(contentTypeFor('model.onnx')).toBe('application/octet-stream');
    expect(contentTypeFor('.hidden')).toBe('application/octet-stream');
  });
});

describe('HttpArtifactRepository over a real proxy', () => {
  let sandbox: string;
  let proxy: ArtifactProxy;
  let http: HttpClient;
  let repo: HttpArtifactRepository;

  beforeEach(async () => {
    sandbox = await mkdtemp(nodePath.join(tmpdir(), 'lablog-httprepo-'));
    await mkdir(nodePath.join(sandbox, 'dest'));
    await mkdir(nodePath.join(sandbox, 'local'));
    proxy = await startArtifactProxy(nodePath.join(sandbox, 'dest'), '/prefix');
    http = new HttpClient({ baseUrl: proxy.url, retry: FAST, env: { MLFLOW_TRACKING_TOKEN: 'tok' } });
    repo = new HttpArtifactRepository('mlflow-artifacts:/1/run1/artifacts', { trackingUri: proxy.url, http });
  });

  afterEach(async () => {
    await http.close();
    await proxy.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  it('uploads with PUT per file, lists root-relative paths, downloads and streams', async () => {
    const local = nodePath.join(sandbox, 'local');
    await writeFile(nodePath.join(local, 'metrics.json'), '{"a":1}');
    await mkdir(nodePath.join(local, 'tree', 'deep'), { recursive: true });
    await writeFile(nodePath.join(local, 'tree', 'x.txt'), 'xx');
    await writeFile(nodePath.join(local, 'tree', 'deep', 'y.bin'), 'yyy');

    await repo.logArtifact(nodePath.join(local, 'metrics.json'), 'eval');
    await repo.logArtifacts(nodePath.join(local, 'tree'), 'model');
    await repo.writeArtifact('notes/readme.md', 'hello');

    const puts = proxy.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.url, r.headers['content-type']])).toEqual([
      ['/prefix/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/eval/metrics.json', 'application/json'],
      ['/prefix/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model/deep/y.bin', 'application/octet-stream'],
      ['/prefix/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/model/x.txt', 'text/plain'],
      ['/prefix/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts/notes/readme.md', 'text/markdown'],
    ]);
    expect(puts.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true);
    expect(await readFile(nodePath.join(sandbox, 'dest', '1', 'run1', 'artifacts', 'model', 'deep', 'y.bin'), 'utf8')).toBe('yyy');

    expect(await repo.listArtifacts()).toEqual([
      { path: 'eval', isDir: true },
      { path: 'model', isDir: true },
      { path: 'notes', isDir: true },
    ]);
    expect(await repo.listArtifacts('model')).toEqual([
      { path: 'model/deep', isDir: true },
      { path: 'model/x.txt', isDir: false, fileSize: 2 },
    ]);
    expect(proxy.requests.at(-1)?.url).toBe('/prefix/api/2.0/mlflow-artifacts/artifacts?path=1%2Frun1%2Fartifacts%2Fmodel');
    expect(await repo.listArtifacts('nope')).toEqual([]);

    const dst = nodePath.join(sandbox, 'out');
    expect(await repo.downloadArtifacts('model', dst)).toBe(nodePath.join(dst, 'model'));
    expect(await readFile(nodePath.join(dst, 'model', 'deep', 'y.bin'), 'utf8')).toBe('yyy');
    expect(await repo.downloadArtifacts('eval/metrics.json', dst)).toBe(nodePath.join(dst, 'eval', 'metrics.json'));
    expect(await readFile(nodePath.join(dst, 'eval', 'metrics.json'), 'utf8')).toBe('{"a":1}');
    const all = nodePath.join(sandbox, 'all');
    expect(await repo.downloadArtifacts('', all)).toBe(all);
    expect(await readFile(nodePath.join(all, 'notes', 'readme.md'), 'utf8')).toBe('hello');

    expect(await readAll(await repo.openArtifact('notes/readme.md'))).toBe('hello');
    expect((await rejection(repo.openArtifact('notes/missing.md'))).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await rejection(repo.downloadArtifacts('missing.txt', dst))).errorCode).toBe('RESOURCE_DOES_NOT_EXIST');

    await repo.deleteArtifacts('model');
    expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['eval', 'notes']);
    await expect(stat(nodePath.join(sandbox, 'dest', '1', 'run1', 'artifacts', 'model'))).rejects.toThrow();
  });

  it('rejects every traversal attack before sending anything', async () => {
    const before = proxy.requests.length;
    const local = nodePath.join(sandbox, 'local', 'f.txt');
    await writeFile(local, 'x');
    for (const attack of TRAVERSAL_ATTACKS) {
      const calls: Promise<unknown>[] = [
        repo.writeArtifact(attack, 'x'),
        repo.logArtifact(local, attack),
        repo.listArtifacts(attack),
        repo.downloadArtifacts(attack, nodePath.join(sandbox, 'out')),
        repo.openArtifact(attack),
        repo.deleteArtifacts(attack),
      ];
      for (const call of calls) expect((await rejection(call)).errorCode, attack).toBe('INVALID_PARAMETER_VALUE');
    }
    expect(proxy.requests.length).toBe(before);
    for (const bad of ['mlflow-artifacts:/1/../../etc', 'mlflow-artifacts:/%2e%2e/x', 'mlflow-artifacts://h:1/../x', `${proxy.url}/api/2.0/mlflow-artifacts/artifacts/1/../../x`]) {
      expect(() => new HttpArtifactRepository(bad, { trackingUri: proxy.url, http }), bad).toThrow(LablogError);
    }
  });

  it('refuses unsafe names in a listing, so a hostile server cannot steer downloads', async () => {
    for (const name of ['../evil', 'a/b', '..', '%2e%2e']) {
      proxy.listingOverride = { files: [{ path: name, is_dir: false, file_size: 1 }] };
      expect((await rejection(repo.listArtifacts())).errorCode).toBe('INVALID_PARAMETER_VALUE');
      await rejection(repo.downloadArtifacts('', nodePath.join(sandbox, 'out')));
    }
  });

  it('takes plain http(s) proxy roots; sends credentials only to the tracking origin', async () => {
    const other = await startArtifactProxy(nodePath.join(sandbox, 'dest'), '/prefix');
    try {
      const elsewhere = new HttpArtifactRepository(`${other.url}/api/2.0/mlflow-artifacts/artifacts/9/r/artifacts`, { trackingUri: proxy.url, http });
      await elsewhere.writeArtifact('a.txt', 'A');
      expect(other.requests[0]?.url).toBe('/prefix/api/2.0/mlflow-artifacts/artifacts/9/r/artifacts/a.txt');
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
      const port = new URL(other.url).port;
      const viaHost = new HttpArtifactRepository(`mlflow-artifacts://127.0.0.1:${port}/9/r/artifacts`, { trackingUri: proxy.url, http });
      expect((await viaHost.listArtifacts()).map((f) => f.path)).toEqual(['a.txt']);
      expect(other.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('is what getArtifactRepository returns once the factory is registered', async () => {
    const factory = httpArtifactRepositoryFactory(() => proxy.url, { retry: FAST });
    const restore = [registerArtifactRepository('mlflow-artifacts', factory), registerArtifactRepository('http', factory)];
    try {
      const a = getArtifactRepository('mlflow-artifacts:/1/run1/artifacts');
      expect(a).toBeInstanceOf(HttpArtifactRepository);
      await a.writeArtifact('via-registry.txt', 'ok');
      const b = getArtifactRepository(`${proxy.url}/api/2.0/mlflow-artifacts/artifacts/1/run1/artifacts`);
      expect(await readAll(await b.openArtifact('via-registry.txt'))).toBe('ok');
      const sqliteFactory = httpArtifactRepositoryFactory(() => 'sqlite:///x.db');
      expect(() => sqliteFactory('mlflow-artifacts:/1')).toThrow(/http or https tracking URI/);
    } finally {
      for (const r of restore.reverse()) r();
      await factory.close();
    }
  });
});
