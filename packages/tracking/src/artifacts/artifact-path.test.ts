import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LablogError } from '../errors.js';
import { MAX_ARTIFACT_PATH_DECODE_ROUNDS, resolveUnderRoot, validateArtifactPath } from './artifact-path.js';
import { reencode, TRAVERSAL_ATTACKS } from './__tests__/traversal-attacks.js';

function expectInvalid(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(LablogError.is(e)).toBe(true);
    expect((e as LablogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
    expect((e as LablogError).message).toBe('Invalid path');
    return;
  }
  throw new Error('expected Invalid path');
}

describe('validateArtifactPath', () => {
  it.each(TRAVERSAL_ATTACKS.map((p) => [JSON.stringify(p), p]))('rejects %s', (_label, p) => {
    expectInvalid(() => validateArtifactPath(p));
  });

  it('normalizes the root to the empty string', () => {
    for (const p of ['', '.', './', '/'.slice(1), './/.', './.']) expect(validateArtifactPath(p)).toBe('');
  });

  it('collapses empty and `.` segments, keeps names with dots', () => {
    expect(validateArtifactPath('a//b/./c/')).toBe('a/b/c');
    expect(validateArtifactPath('model/MLmodel')).toBe('model/MLmodel');
    expect(validateArtifactPath('..foo/a..b/.../....')).toBe('..foo/a..b/.../....');
    expect(validateArtifactPath('.hidden')).toBe('.hidden');
    expect(validateArtifactPath('notes:v1.txt')).toBe('notes:v1.txt');
  });

  it('decodes until stable, forgiving malformed escapes like Python unquote', () => {
    expect(validateArtifactPath('a%20b')).toBe('a b');
    expect(validateArtifactPath('a%2520b')).toBe('a b');
    expect(validateArtifactPath('a%2Fb')).toBe('a/b');
    expect(validateArtifactPath('caf%C3%A9')).toBe('café');
    expect(validateArtifactPath('100%')).toBe('100%');
    expect(validateArtifactPath('%zz')).toBe('%zz');
    expect(validateArtifactPath('%C3')).toBe('\ufffd');
    expect(validateArtifactPath('a+b')).toBe('a+b');
  });

  it('is idempotent: a validated path validates to itself', () => {
    for (const p of ['a%2541', 'x/%25252Fy', 'caf%C3%A9/z', '100%25']) {
      const once = validateArtifactPath(p);
      expect(validateArtifactPath(once)).toBe(once);
    }
  });

  it(`rejects a path still changing after ${MAX_ARTIFACT_PATH_DECODE_ROUNDS} rounds`, () => {
    // n extra layers need n + 1 decoding rounds, plus one round that finds the value stable.
    expect(validateArtifactPath(reencode('a%41', MAX_ARTIFACT_PATH_DECODE_ROUNDS - 2))).toBe('aA');
    expectInvalid(() => validateArtifactPath(reencode('a%41', MAX_ARTIFACT_PATH_DECODE_ROUNDS - 1)));
    expectInvalid(() => validateArtifactPath(reencode('%2E%2E%2Fx', 40)));
  });

  it('rejects non-strings', () => {
    expectInvalid(() => validateArtifactPath(undefined as unknown as string));
    expectInvalid(() => validateArtifactPath(42 as unknown as string));
  });
});

describe.skipIf(process.platform === 'win32')('resolveUnderRoot', () => {
  let sandbox: string;
  let root: string;
  let outside: string;

  beforeEach(async () => {
    sandbox = await mkdtemp(nodePath.join(tmpdir(), 'lablog-artpath-'));
    root = nodePath.join(sandbox, 'root');
    outside = nodePath.join(sandbox, 'outside');
    await mkdir(nodePath.join(root, 'real', 'deep'), { recursive: true });
    await mkdir(outside);
    await writeFile(nodePath.join(outside, 'canary.txt'), 'secret');
    await symlink(outside, nodePath.join(root, 'escape'));
    await symlink(nodePath.join(outside, 'canary.txt'), nodePath.join(root, 'escape-file'));
    await symlink(nodePath.join(outside, 'not-yet'), nodePath.join(root, 'dangling'));
    await symlink(nodePath.join(root, 'real'), nodePath.join(root, 'alias'));
    await symlink('loop-b', nodePath.join(root, 'loop-a'));
    await symlink('loop-a', nodePath.join(root, 'loop-b'));
  });

  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('returns canonical paths under the root, existing or not', async () => {
    const realRoot = await resolveUnderRoot(root, '');
    expect(await resolveUnderRoot(root, 'real/deep')).toBe(nodePath.join(realRoot, 'real', 'deep'));
    expect(await resolveUnderRoot(root, 'real/new/file.txt')).toBe(nodePath.join(realRoot, 'real', 'new', 'file.txt'));
    expect(await resolveUnderRoot(root, 'alias/deep')).toBe(nodePath.join(realRoot, 'real', 'deep'));
    expect(await resolveUnderRoot(root, '..foo')).toBe(nodePath.join(realRoot, '..foo'));
  });

  it('works for a root that does not exist yet and for a root behind a symlink', async () => {
    const missing = nodePath.join(sandbox, 'missing', 'root');
    const realSandbox = await resolveUnderRoot(sandbox, '');
    expect(await resolveUnderRoot(missing, 'a/b')).toBe(nodePath.join(realSandbox, 'missing', 'root', 'a', 'b'));
    await symlink(root, nodePath.join(sandbox, 'root-link'));
    expect(await resolveUnderRoot(nodePath.join(sandbox, 'root-link'), 'real')).toBe(nodePath.join(realSandbox, 'root', 'real'));
  });

  it.each([
    'escape',
    'escape/canary.txt',
    'escape/new/file',
    'escape-file',
    'dangling',
    'dangling/x',
    'loop-a',
    'loop-a/x',
    '../outside/canary.txt',
    '%2E%2E%2Foutside',
  ])('rejects %s', async (p) => {
    await expect(resolveUnderRoot(root, p)).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
  });
});
