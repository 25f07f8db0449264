import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getArtifactRepository } from './artifact-repository-registry.js';
import { createS3Client, parseS3Uri, S3ArtifactRepository, s3OptionsFromEnv, type S3ArtifactRepositoryOptions } from './s3-artifact-repository.js';
import { startS3rver, type TestS3 } from './__tests__/s3rver.js';

let s3: TestS3;
let work: string;
let n = 0;

/** A repository on a fresh prefix, so tests do not see each other's objects. */
function repo(extra: Partial<S3ArtifactRepositoryOptions> = {}): S3ArtifactRepository {
  return new S3ArtifactRepository(`s3://${s3.bucket}/runs/${++n}/artifacts`, { ...s3.options, ...extra });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startS3rver();
  work = mkdtempSync(join(tmpdir(), 'lablog-s3-test-'));
});
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('parseS3Uri and options', () => {
  it('splits bucket and prefix', () => {
    expect(parseS3Uri('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(parseS3Uri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
  });
  it.each(['s3://b/../x', 's3://bucket/a/%2E%2E/x', 's3://bucket/a#x', 's3:///x', 'http://bucket/x', 's3://Bad_Bucket/x'])('rejects %s', (uri) => {
    expect(() => parseS3Uri(uri)).toThrow();
  });
  it('reads MLflow environment variables', () => {
    expect(
      s3OptionsFromEnv({
        MLFLOW_S3_ENDPOINT_URL: 'http://h:9000',
        AWS_ACCESS_KEY_ID: 'k',
        AWS_SECRET_ACCESS_KEY: 's',
        AWS_REGION: 'eu-west-1',
        MLFLOW_S3_IGNORE_TLS: 'true',
      }),
    ).toEqual({ endpointUrl: 'http://h:9000', accessKeyId: 'k', secretAccessKey: 's', region: 'eu-west-1', ignoreTls: true });
    expect(s3OptionsFromEnv({})).toEqual({});
  });
  it('uses path-style addressing and us-east-1 by default with an endpoint', async () => {
    const client = await createS3Client({ endpointUrl: 'http://127.0.0.1:1' });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
    client.destroy();
  });
  it('is what getArtifactRepository returns for s3:', () => {
    expect(getArtifactRepository('s3://bucket/x')).toBeInstanceOf(S3ArtifactRepository);
  });
});

describe('S3ArtifactRepository against s3rver', () => {
  it('round-trips bytes and text, byte-identical', async () => {
    const r = repo();
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
    await r.writeArtifact('bin/data.bin', bytes);
    await r.writeArtifact('hello.txt', 'héllo');
    expect((await readAll(await r.openArtifact('bin/data.bin'))).equals(bytes)).toBe(true);
    expect((await readAll(await r.openArtifact('hello.txt'))).toString('utf8')).toBe('héllo');
    const info = await r.openArtifactWithInfo('bin/data.bin');
    expect(info.size).toBe(bytes.length);
    expect(info.etag).toMatch(/^"/);
    await readAll(info.stream);
  });

  it('streams uploads with and without a known length', async () => {
    const r = repo();
    await r.putStream('a/known.bin', Readable.from([Buffer.from('abc'), Buffer.from('def')]), 6);
    await r.putStream('a/chunked.bin', Readable.from([Buffer.from('xyz')]));
    expect((await readAll(await r.openArtifact('a/known.bin'))).toString()).toBe('abcdef');
    expect((await readAll(await r.openArtifact('a/chunked.bin'))).toString()).toBe('xyz');
  });

  it('logs files and nested directories, lists one level with root-relative paths', async () => {
    const r = repo();
    const src = join(work, 'tree');
    mkdirSync(join(src, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(src, 'top.txt'), 'top');
    writeFileSync(join(src, 'sub', 'a.json'), '{}');
    writeFileSync(join(src, 'sub', 'deep', 'b.bin'), Buffer.alloc(5));
    await r.logArtifacts(src, 'model');
    await r.logArtifact(join(src, 'top.txt'));
    expect(await r.listArtifacts()).toEqual([
      { path: 'model', isDir: true },
      { path: 'top.txt', isDir: false, fileSize: 3 },
    ]);
    expect(await r.listArtifacts('model')).toEqual([
      { path: 'model/sub', isDir: true },
      { path: 'model/top.txt', isDir: false, fileSize: 3 },
    ]);
    expect(await r.listArtifacts('model/sub/')).toEqual([
      { path: 'model/sub/a.json', isDir: false, fileSize: 2 },
      { path: 'model/sub/deep', isDir: true },
    ]);
    expect(await r.listArtifacts('missing')).toEqual([]);
    expect(await r.listArtifacts('top.txt')).toEqual([]);
  });

  // s3rver's continuation tokens use a cipher OpenSSL 3 no longer offers, so paging is checked
  // against a scripted client.
  it('follows continuation tokens across pages', async () => {
    const pages = [
      { IsTruncated: true, NextContinuationToken: 't1', Contents: [{ Key: 'p/a', Size: 1 }] },
      { IsTruncated: false, Contents: [{ Key: 'p/b', Size: 2 }], CommonPrefixes: [{ Prefix: 'p/d/' }] },
    ];
    const inputs: Array<Record<string, unknown>> = [];
    const client = { send: async (cmd: { input: Record<string, unknown> }) => (inputs.push(cmd.input), pages[inputs.length - 1]) };
    const r = new S3ArtifactRepository('s3://bucket-x/p', { client: client as never });
    expect(await r.listArtifacts()).toEqual([
      { path: 'a', isDir: false, fileSize: 1 },
      { path: 'b', isDir: false, fileSize: 2 },
      { path: 'd', isDir: true },
    ]);
    expect(inputs).toEqual([
      { Bucket: 'bucket-x', Prefix: 'p/', Delimiter: '/' },
      { Bucket: 'bucket-x', Prefix: 'p/', Delimiter: '/', ContinuationToken: 't1' },
    ]);
  });

  it('downloads a file and a directory tree', async () => {
    const r = repo();
    await r.writeArtifact('d/x.txt', 'x');
    await r.writeArtifact('d/e/y.txt', 'y');
    const dst = mkdtempSync(join(work, 'dl-'));
    expect(await r.downloadArtifacts('d/x.txt', dst)).toBe(join(dst, 'd', 'x.txt'));
    expect(readFileSync(join(dst, 'd', 'x.txt'), 'utf8')).toBe('x');
    const dst2 = mkdtempSync(join(work, 'dl-'));
    expect(await r.downloadArtifacts('d', dst2)).toBe(join(dst2, 'd'));
    expect(readFileSync(join(dst2, 'd', 'e', 'y.txt'), 'utf8')).toBe('y');
    const dst3 = mkdtempSync(join(work, 'dl-'));
    await r.downloadArtifacts('', dst3);
    expect(readFileSync(join(dst3, 'd', 'e', 'y.txt'), 'utf8')).toBe('y');
    await expect(r.downloadArtifacts('nope', dst3)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('does not follow a symlink in the download directory out of it', async () => {
    const r = repo();
    await r.writeArtifact('link/evil.txt', 'pwned');
    const dst = mkdtempSync(join(work, 'dl-'));
    const outside = mkdtempSync(join(work, 'outside-'));
    symlinkSync(outside, join(dst, 'link'));
    await expect(r.downloadArtifacts('link', dst)).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    expect(existsSync(join(outside, 'evil.txt'))).toBe(false);
  });

  it('deletes files and directories recursively, but not look-alike siblings', async () => {
    const r = repo();
    await r.writeArtifact('keep.txt.bak', 'k');
    await r.writeArtifact('keep.txt', 'k');
    await r.writeArtifact('dir/a', 'a');
    await r.writeArtifact('dir/b/c', 'c');
    await r.writeArtifact('dir2/z', 'z');
    await r.deleteArtifacts('dir');
    await r.deleteArtifacts('keep.txt');
    expect((await r.listArtifacts()).map((f) => f.path)).toEqual(['dir2', 'keep.txt.bak']);
    await r.deleteArtifacts('nothing-here');
    await r.deleteArtifacts('');
    expect(await r.listArtifacts()).toEqual([]);
  });

  it('missing object → RESOURCE_DOES_NOT_EXIST', async () => {
    await expect(repo().openArtifact('absent.txt')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('leaves hostile keys in the bucket out of listings', async () => {
    const r = repo();
    const { c } = await (r as unknown as { s3(): Promise<{ c: { send(cmd: unknown): Promise<unknown> }; m: typeof import('@aws-sdk/client-s3') }> }).s3();
    const m = await import('@aws-sdk/client-s3');
    await c.send(new m.PutObjectCommand({ Bucket: s3.bucket, Key: `${r.prefix}/..`, Body: 'x' }));
    await c.send(new m.PutObjectCommand({ Bucket: s3.bucket, Key: `${r.prefix}/ok.txt`, Body: 'x' }));
    expect((await r.listArtifacts()).map((f) => f.path)).toEqual(['ok.txt']);
  });

  it.each(['../x', '/etc/passwd', '%2E%2E%2Fx', '%252E%252E%252Fx', '..\\x', 'C:\\x', 'file:///etc/passwd', '%66ile:x', 'a\u0000b', 'a#b'])(
    'rejects %j before sending any request',
    async (bad) => {
      const client = await createS3Client(s3.options);
      const send = vi.spyOn(client, 'send');
      const r = repo({ client });
      const dst = mkdtempSync(join(work, 'dl-'));
      for (const op of [
        () => r.writeArtifact(bad, 'x'),
        () => r.openArtifact(bad),
        () => r.listArtifacts(bad),
        () => r.deleteArtifacts(bad),
        () => r.downloadArtifacts(bad, dst),
        () => r.putStream(bad, Readable.from(['x']), 1),
        () => r.logArtifact(join(work, 'nothing'), bad),
      ]) {
        await expect(op()).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      }
      expect(send).not.toHaveBeenCalled();
      client.destroy();
    },
  );
});
