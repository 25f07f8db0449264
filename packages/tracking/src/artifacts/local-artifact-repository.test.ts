import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LablogError } from '../errors.js';
import { pathToFileUri } from './file-uri.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import { TRAVERSAL_ATTACKS } from './__tests__/traversal-attacks.js';

const onWindows = process.platform === 'win32';

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Every file and link under `dir`, with contents (or link targets), for before/after comparison. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const p = nodePath.join(d, name);
      const st = await lstat(p);
      if (st.isSymbolicLink()) out[p] = `-> ${await readlink(p)}`;
      else if (st.isDirectory()) {
        out[p] = '<dir>';
        await walk(p);
      } else out[p] = await readFile(p, 'utf8');
    }
  }
  await walk(dir);
  return out;
}

async function expectRejects(p: Promise<unknown>, errorCode = 'INVALID_PARAMETER_VALUE'): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').not.toBeNull();
  expect(LablogError.is(e)).toBe(true);
  expect((e as LablogError).errorCode).toBe(errorCode);
}

let sandbox: string;
let root: string;
let outside: string;
let work: string;
let repo: LocalArtifactRepository;

beforeEach(async () => {
  sandbox = await mkdtemp(nodePath.join(tmpdir(), 'lablog-localrepo-'));
  root = nodePath.join(sandbox, 'root');
  outside = nodePath.join(sandbox, 'outside');
  work = nodePath.join(sandbox, 'work');
  await mkdir(outside);
  await mkdir(work);
  await writeFile(nodePath.join(outside, 'canary.txt'), 'secret');
  repo = new LocalArtifactRepository(pathToFileUri(root));
});

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

describe('LocalArtifactRepository: construction', () => {
  it('keeps the URI and resolves the root lazily', async () => {
    expect(repo.rootUri).toBe(pathToFileUri(root));
    expect(repo.rootDir).toBe(nodePath.resolve(root));
    expect(await repo.listArtifacts()).toEqual([]);
    await expect(stat(root)).rejects.toThrow();
    await repo.writeArtifact('a/b.txt', 'x');
    expect((await stat(nodePath.join(root, 'a', 'b.txt'))).isFile()).toBe(true);
  });

  it('accepts plain paths', () => {
    expect(new LocalArtifactRepository(root).rootDir).toBe(nodePath.resolve(root));
    expect(new LocalArtifactRepository('rel/dir').rootDir).toBe(nodePath.resolve('rel/dir'));
  });

  it('refuses remote file URIs and empty roots', () => {
    expect(() => new LocalArtifactRepository('file://proc/self/root')).toThrow(LablogError);
    expect(() => new LocalArtifactRepository('file://evil.example/etc')).toThrow(LablogError);
    expect(() => new LocalArtifactRepository('')).toThrow(LablogError);
  });
});

describe('LocalArtifactRepository: round trips', () => {
  it('writes text and bytes atomically and reads them back', async () => {
    await repo.writeArtifact('notes.txt', 'héllo');
    await repo.writeArtifact('dir/data.bin', new Uint8Array([0, 1, 2, 255]));
    expect(await readAll(await repo.openArtifact('notes.txt'))).toBe('héllo');
    expect([...(await readFile(nodePath.join(root, 'dir', 'data.bin')))]).toEqual([0, 1, 2, 255]);
    await repo.writeArtifact('notes.txt', 'replaced');
    expect(await readAll(await repo.openArtifact('./notes.txt'))).toBe('replaced');
    expect(await readdir(root)).toEqual(expect.arrayContaining(['notes.txt', 'dir']));
    expect((await readdir(root)).length).toBe(2);
  });

  it('keeps one writer’s content whole under concurrent writes', async () => {
    const big = (c: string) => c.repeat(256 * 1024);
    await Promise.all(['a', 'b', 'c', 'd'].map((c) => repo.writeArtifact('race.txt', big(c))));
    const content = await readFile(nodePath.join(root, 'race.txt'), 'utf8');
    expect(['a', 'b', 'c', 'd'].map(big)).toContain(content);
    expect(await readdir(root)).toEqual(['race.txt']);
  });

  it('creates directories safely under concurrent writers', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => `n/${i % 4}/deep/${i}.txt`);
    await Promise.all(paths.map((p) => repo.writeArtifact(p, p)));
    for (const p of paths) expect(await readAll(await repo.openArtifact(p))).toBe(p);
  });

  it('logs a single file into the root or a sub-path', async () => {
    const f = nodePath.join(work, 'model.pkl');
    await writeFile(f, 'weights');
    await repo.logArtifact(f);
    await repo.logArtifact(f, 'models/v1');
    expect(await readFile(nodePath.join(root, 'model.pkl'), 'utf8')).toBe('weights');
    expect(await readFile(nodePath.join(root, 'models', 'v1', 'model.pkl'), 'utf8')).toBe('weights');
  });

  it('logs a directory tree, downloads it back identically', async () => {
    const src = nodePath.join(work, 'src');
    await mkdir(nodePath.join(src, 'sub', 'deeper'), { recursive: true });
    await mkdir(nodePath.join(src, 'empty'));
    await writeFile(nodePath.join(src, 'a.txt'), 'A');
    await writeFile(nodePath.join(src, 'sub', 'b.txt'), 'BB');
    await writeFile(nodePath.join(src, 'sub', 'deeper', 'c.txt'), 'CCC');
    await repo.logArtifacts(src, 'tree');

    const dst = nodePath.join(sandbox, 'dl');
    const got = await repo.downloadArtifacts('tree', dst);
    expect(got).toBe(nodePath.join(dst, 'tree'));
    const strip = (snap: Record<string, string>, base: string) =>
      Object.fromEntries(Object.entries(snap).map(([k, v]) => [nodePath.relative(base, k), v]));
    expect(strip(await snapshot(got), got)).toEqual(strip(await snapshot(src), src));

    const one = await repo.downloadArtifacts('tree/sub/b.txt', dst);
    expect(one).toBe(nodePath.join(dst, 'tree', 'sub', 'b.txt'));
    expect(await readFile(one, 'utf8')).toBe('BB');

    const whole = await repo.downloadArtifacts('', nodePath.join(sandbox, 'dl-root'));
    expect(whole).toBe(nodePath.join(sandbox, 'dl-root'));
    expect(await readFile(nodePath.join(whole, 'tree', 'sub', 'deeper', 'c.txt'), 'utf8')).toBe('CCC');
  });

  it('logs a directory into the root', async () => {
    const src = nodePath.join(work, 'flat');
    await mkdir(src);
    await writeFile(nodePath.join(src, 'x.txt'), 'x');
    await repo.logArtifacts(src);
    expect(await repo.listArtifacts()).toEqual([{ path: 'x.txt', isDir: false, fileSize: 1 }]);
  });

  it('downloading something missing is RESOURCE_DOES_NOT_EXIST', async () => {
    await expectRejects(repo.downloadArtifacts('nope', work), 'RESOURCE_DOES_NOT_EXIST');
  });
});

describe('LocalArtifactRepository: listing', () => {
  beforeEach(async () => {
    await repo.writeArtifact('b.txt', '12345');
    await repo.writeArtifact('a.txt', '');
    await repo.writeArtifact('sub/dir/inner.txt', 'i');
    await repo.writeArtifact('sub/b.txt', 'bb');
    await repo.writeArtifact('sub/a b.txt', 'ab');
  });

  it('lists one level, sorted, with sizes for files and paths relative to the root', async () => {
    expect(await repo.listArtifacts()).toEqual([
      { path: 'a.txt', isDir: false, fileSize: 0 },
      { path: 'b.txt', isDir: false, fileSize: 5 },
      { path: 'sub', isDir: true },
    ]);
    expect(await repo.listArtifacts('sub')).toEqual([
      { path: 'sub/a b.txt', isDir: false, fileSize: 2 },
      { path: 'sub/b.txt', isDir: false, fileSize: 2 },
      { path: 'sub/dir', isDir: true },
    ]);
    expect(await repo.listArtifacts('sub/dir/')).toEqual([{ path: 'sub/dir/inner.txt', isDir: false, fileSize: 1 }]);
    expect(await repo.listArtifacts('./sub//dir')).toEqual(await repo.listArtifacts('sub/dir'));
    expect(await repo.listArtifacts('sub%2Fdir')).toEqual(await repo.listArtifacts('sub/dir'));
  });

  it('lists a missing directory or a file as empty', async () => {
    expect(await repo.listArtifacts('missing')).toEqual([]);
    expect(await repo.listArtifacts('b.txt')).toEqual([]);
  });

  it('hides in-flight temp files and names no valid path can reach', async () => {
    await writeFile(nodePath.join(root, '.b.txt.lablog-tmp-0123456789abcdef'), 'partial');
    await writeFile(nodePath.join(root, 'odd#name'), 'x');
    await writeFile(nodePath.join(root, 'enc%41'), 'x');
    expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['a.txt', 'b.txt', 'sub']);
  });
});

describe('LocalArtifactRepository: open and delete', () => {
  it('openArtifact: 404 for missing, invalid for a directory', async () => {
    await repo.writeArtifact('d/f.txt', 'x');
    await expectRejects(repo.openArtifact('missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
    await expectRejects(repo.openArtifact('d/missing.txt'), 'RESOURCE_DOES_NOT_EXIST');
    await expectRejects(repo.openArtifact('d/f.txt/x'), 'RESOURCE_DOES_NOT_EXIST');
    await expectRejects(repo.openArtifact('d'));
  });

  it('deletes files, directories, nothing, and the whole root', async () => {
    await repo.writeArtifact('keep.txt', 'k');
    await repo.writeArtifact('f.txt', 'f');
    await repo.writeArtifact('d/e/g.txt', 'g');
    await repo.deleteArtifacts('f.txt');
    await repo.deleteArtifacts('d');
    await repo.deleteArtifacts('never/was');
    expect(await repo.listArtifacts()).toEqual([{ path: 'keep.txt', isDir: false, fileSize: 1 }]);
    await repo.deleteArtifacts('');
    await expect(stat(root)).rejects.toThrow();
    expect(await repo.listArtifacts()).toEqual([]);
  });

  it('refuses to write the root or over a directory', async () => {
    await repo.writeArtifact('d/f.txt', 'x');
    await expectRejects(repo.writeArtifact('', 'x'));
    await expectRejects(repo.writeArtifact('.', 'x'));
    await expectRejects(repo.writeArtifact('d', 'x'));
    expect(await readdir(nodePath.join(root, 'd'))).toEqual(['f.txt']);
  });
});

describe('LocalArtifactRepository: traversal attacks touch nothing outside the root', () => {
  /** Rewrites an attack so that, if it escaped, it would land on the sandbox's canary. */
  const aimed = (): string[] => [
    ...TRAVERSAL_ATTACKS,
    '../outside/canary.txt',
    '%2E%2E%2Foutside%2Fcanary.txt',
    '%252E%252E%252Foutside%252Fcanary.txt',
    '..\\outside\\canary.txt',
    nodePath.join(outside, 'canary.txt'),
    pathToFileUri(nodePath.join(outside, 'canary.txt')),
    pathToFileUri(nodePath.join(outside, 'canary.txt')).replace('file:', '%66ile:'),
    pathToFileUri(nodePath.join(outside, 'canary.txt')).replace('file:', '%2566ile:'),
    `x/../../outside/canary.txt`,
    'canary.txt\u0000',
    'canary.txt#frag',
  ];

  it('rejects every attack with INVALID_PARAMETER_VALUE for every operation', async () => {
    await repo.writeArtifact('inside.txt', 'inside');
    const local = nodePath.join(work, 'payload.txt');
    await writeFile(local, 'pwned');
    const before = await snapshot(sandbox);
    for (const attack of aimed()) {
      // Read-only operations get every attack; writes and deletes only those aimed at the
      // sandbox, so a bug could never damage /etc.
      if (!/etc/i.test(attack)) {
        await expectRejects(repo.writeArtifact(attack, 'pwned'));
        await expectRejects(repo.deleteArtifacts(attack));
        await expectRejects(repo.logArtifact(local, attack));
        await expectRejects(repo.logArtifacts(work, attack));
      }
      await expectRejects(repo.listArtifacts(attack));
      await expectRejects(repo.openArtifact(attack));
      await expectRejects(repo.downloadArtifacts(attack, nodePath.join(sandbox, 'dl')));
    }
    expect(await snapshot(sandbox)).toEqual(before);
  });

  it.skipIf(onWindows)('never follows a symlink out of the root', async () => {
    await repo.writeArtifact('inside.txt', 'inside');
    await symlink(outside, nodePath.join(root, 'escape'));
    await symlink(nodePath.join(outside, 'canary.txt'), nodePath.join(root, 'escape-file'));
    await mkdir(nodePath.join(root, 'sub'));
    await symlink('../../outside', nodePath.join(root, 'sub', 'up'));
    const before = await snapshot(outside);

    for (const p of ['escape/canary.txt', 'escape/new.txt', 'escape/a/b.txt', 'sub/up/canary.txt']) {
      await expectRejects(repo.writeArtifact(p, 'pwned'));
      await expectRejects(repo.openArtifact(p));
      await expectRejects(repo.deleteArtifacts(p));
      await expectRejects(repo.downloadArtifacts(p, nodePath.join(sandbox, 'dl')));
    }
    await expectRejects(repo.listArtifacts('escape'));
    await expectRejects(repo.listArtifacts('sub/up'));
    await expectRejects(repo.openArtifact('escape-file'));

    // Listings and downloads leave escaping links out.
    expect((await repo.listArtifacts()).map((f) => f.path)).toEqual(['inside.txt', 'sub']);
    expect(await repo.listArtifacts('sub')).toEqual([]);
    const dl = await repo.downloadArtifacts('', nodePath.join(sandbox, 'dl'));
    expect(await snapshot(dl)).toEqual({
      [nodePath.join(dl, 'inside.txt')]: 'inside',
      [nodePath.join(dl, 'sub')]: '<dir>',
    });

    // Writing or deleting the link itself replaces or removes the link, never its target.
    await repo.writeArtifact('escape-file', 'replaced');
    expect((await lstat(nodePath.join(root, 'escape-file'))).isSymbolicLink()).toBe(false);
    await repo.deleteArtifacts('escape');
    await expect(lstat(nodePath.join(root, 'escape'))).rejects.toThrow();
    expect(await snapshot(outside)).toEqual(before);
  });

  it.skipIf(onWindows)('never writes through a dangling symlink', async () => {
    await mkdir(root);
    await symlink(nodePath.join(outside, 'created.txt'), nodePath.join(root, 'dangling'));
    await symlink(nodePath.join(outside, 'newdir'), nodePath.join(root, 'dangling-dir'));
    await expectRejects(repo.writeArtifact('dangling-dir/x.txt', 'pwned'));
    await expectRejects(repo.openArtifact('dangling'));
    await repo.writeArtifact('dangling', 'inside now');
    expect(await readdir(outside)).toEqual(['canary.txt']);
    expect(await readFile(nodePath.join(root, 'dangling'), 'utf8')).toBe('inside now');
  });

  it.skipIf(onWindows)('follows symlinks that stay inside the root, and survives loops', async () => {
    await repo.writeArtifact('real/f.txt', 'f');
    await symlink('real', nodePath.join(root, 'alias'));
    await symlink('.', nodePath.join(root, 'real', 'self'));
    expect(await repo.listArtifacts('alias')).toEqual([
      { path: 'alias/f.txt', isDir: false, fileSize: 1 },
      { path: 'alias/self', isDir: true },
    ]);
    expect(await readAll(await repo.openArtifact('alias/self/self/f.txt'))).toBe('f');
    const dl = await repo.downloadArtifacts('real', nodePath.join(sandbox, 'dl'));
    expect(await readFile(nodePath.join(dl, 'f.txt'), 'utf8')).toBe('f');
  });

  it('terminates when logging or downloading a tree into itself', async () => {
    await repo.writeArtifact('a.txt', 'a');
    await repo.writeArtifact('sub/b.txt', 'b');
    await repo.logArtifacts(root, 'copy');
    expect((await repo.listArtifacts('copy')).map((f) => f.path)).toEqual(['copy/a.txt', 'copy/sub']);
    const dl = await repo.downloadArtifacts('', nodePath.join(root, 'dl'));
    expect((await readdir(dl)).sort()).toEqual(['a.txt', 'copy', 'sub']);
  });

  it('stores an encoded name decoded, as MLflow does', async () => {
    const local = nodePath.join(work, 'a%20b.txt');
    await writeFile(local, 'x');
    await repo.logArtifact(local);
    expect(await readdir(root)).toEqual(['a b.txt']);
  });
});
