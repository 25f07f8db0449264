import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitContext, readGitInfo, remoteUrl } from './git.js';
import { resolveTags } from './index.js';
import { tempDir } from '../__tests__/tracking-fixtures.js';

const SHA1 = 'a'.repeat(40);
const SHA2 = '0123456789abcdef0123456789abcdef01234567';
const CONFIG = `[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://example.com/up.git\n[remote "origin"]\n\turl = git@github.com:lab/log.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;

let dir: string;
let cleanup: () => Promise<void>;

/** A repository made of plain files, as `git init` + a commit would leave it. */
async function fakeRepo(root: string, opts: { head: string; loose?: Record<string, string>; packed?: string; config?: string }): Promise<string> {
  const git = join(root, '.git');
  await mkdir(join(git, 'refs', 'heads'), { recursive: true });
  await writeFile(join(git, 'HEAD'), opts.head + '\n');
  for (const [ref, sha] of Object.entries(opts.loose ?? {})) {
    await mkdir(join(git, ref, '..'), { recursive: true });
    await writeFile(join(git, ref), sha + '\n');
  }
  if (opts.packed) await writeFile(join(git, 'packed-refs'), opts.packed);
  if (opts.config) await writeFile(join(git, 'config'), opts.config);
  return git;
}

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('lablog-git-'));
});
afterEach(() => cleanup());

describe('readGitInfo', () => {
  it('reads a loose branch ref, from a subdirectory, with the origin URL', async () => {
    await fakeRepo(dir, { head: 'ref: refs/heads/main', loose: { 'refs/heads/main': SHA1 }, config: CONFIG });
    const sub = join(dir, 'src', 'train');
    await mkdir(sub, { recursive: true });
    expect(readGitInfo(sub)).toEqual({ commit: SHA1, branch: 'main', repoUrl: 'git@github.com:lab/log.git', workTree: dir });
  });

  it('falls back to packed-refs', async () => {
    await fakeRepo(dir, {
      head: 'ref: refs/heads/feature/x',
      packed: `# pack-refs with: peeled fully-peeled sorted\n${SHA1} refs/heads/main\n${SHA2} refs/heads/feature/x\n^${SHA1}\n`,
    });
    expect(readGitInfo(dir)).toMatchObject({ commit: SHA2, branch: 'feature/x' });
  });

  it('reads a detached HEAD', async () => {
    await fakeRepo(dir, { head: SHA2 });
    const info = readGitInfo(dir)!;
    expect(info.commit).toBe(SHA2);
    expect(info.branch).toBeUndefined();
  });

  it('follows a worktree .git file and its commondir', async () => {
    const main = join(dir, 'main');
    const gitDir = await fakeRepo(main, { head: 'ref: refs/heads/main', loose: { 'refs/heads/main': SHA1 }, config: CONFIG });
    const wtGit = join(gitDir, 'worktrees', 'wt');
    await mkdir(wtGit, { recursive: true });
    await writeFile(join(wtGit, 'HEAD'), 'ref: refs/heads/topic\n');
    await writeFile(join(wtGit, 'commondir'), '../..\n');
    await writeFile(join(gitDir, 'packed-refs'), `${SHA2} refs/heads/topic\n`);
    const wt = join(dir, 'wt');
    await mkdir(wt);
    await writeFile(join(wt, '.git'), `gitdir: ${wtGit}\n`);
    expect(readGitInfo(wt)).toEqual({ commit: SHA2, branch: 'topic', repoUrl: 'git@github.com:lab/log.git', workTree: wt });
  });

  it('gives nothing before the first commit or outside a repository', async () => {
    await fakeRepo(dir, { head: 'ref: refs/heads/main' });
    expect(readGitInfo(dir)).toBeUndefined();
    const { dir: plain, cleanup: c2 } = await tempDir('lablog-nogit-');
    try {
      // tmp dirs normally sit outside any repository
      if (!readGitInfo(join(plain, '..'))) expect(readGitInfo(plain)).toBeUndefined();
    } finally {
      await c2();
    }
  });

  it('takes the first remote when there is no origin', () => {
    expect(remoteUrl('[remote "a"]\n url = u1\n[remote "b"]\n url = u2\n')).toBe('u1');
    expect(remoteUrl('[core]\n')).toBeUndefined();
  });
});

describe('context tags', () => {
  it('tags runs with the commit of the script directory', async () => {
    await fakeRepo(dir, { head: 'ref: refs/heads/main', loose: { 'refs/heads/main': SHA1 }, config: CONFIG });
    const saved = process.argv[1];
    process.argv[1] = join(dir, 'train.js');
    try {
      expect(gitContext.tags()).toEqual({
        'mlflow.source.git.commit': SHA1,
        'mlflow.source.git.branch': 'main',
        'mlflow.source.git.repoURL': 'git@github.com:lab/log.git',
      });
      const tags = resolveTags({ 'mlflow.source.git.branch': 'override' });
      expect(tags['mlflow.source.name']).toBe(join(dir, 'train.js'));
      expect(tags['mlflow.source.git.commit']).toBe(SHA1);
      expect(tags['mlflow.source.git.branch']).toBe('override');
    } finally {
      process.argv[1] = saved!;
    }
  });
});
