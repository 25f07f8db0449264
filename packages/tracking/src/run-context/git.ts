/**
 * Git context without spawning git (it may be absent): finds the repository by walking up from
 * the source file's directory, and reads `HEAD`, loose refs, `packed-refs` and `config` itself.
 * Handles worktrees and submodules, whose `.git` is a file (`gitdir: …`) pointing at a git dir
 * that may name the shared one in `commondir`.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MLFLOW_GIT_BRANCH, MLFLOW_GIT_COMMIT, MLFLOW_GIT_REPO_URL } from '../tags.js';
import { sourceScript } from './default.js';
import type { RunContextProvider } from './provider.js';

/** What {@link readGitInfo} finds. */
export interface GitInfo {
  /** The checked-out commit (40 hex characters, 64 for SHA-256 repositories). */
  readonly commit: string;
  /** The branch, absent when HEAD is detached. */
  readonly branch?: string;
  /** The URL of remote `origin` (or the first remote), when there is one. */
  readonly repoUrl?: string;
  /** The top of the working tree. */
  readonly workTree: string;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The git repository containing `startDir` and its checked-out commit; undefined outside a repository or before the first commit. */
export function readGitInfo(startDir: string): GitInfo | undefined {
  const found = findGitDir(resolve(startDir));
  if (!found) return undefined;
  const { gitDir, workTree } = found;
  const commonDir = readText(join(gitDir, 'commondir'))?.trim();
  const common = commonDir ? resolve(gitDir, commonDir) : gitDir;
  const head = readText(join(gitDir, 'HEAD'))?.trim();
  if (!head) return undefined;
  let commit: string | undefined;
  let branch: string | undefined;
  if (head.startsWith('ref:')) {
    const ref = head.slice(4).trim();
    branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    commit = resolveRef(ref, gitDir, common);
  } else if (SHA.test(head)) {
    commit = head;
  }
  if (!commit) return undefined;
  const repoUrl = remoteUrl(readText(join(common, 'config')) ?? '');
  return { commit, workTree, ...(branch !== undefined ? { branch } : {}), ...(repoUrl !== undefined ? { repoUrl } : {}) };
}

/** Walks up from `dir` to the first `.git` directory, or `.git` file with a `gitdir:` line. */
export function findGitDir(dir: string): { gitDir: string; workTree: string } | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const dotGit = join(d, '.git');
    const st = statOrUndefined(dotGit);
    if (st?.isDirectory()) return { gitDir: dotGit, workTree: d };
    if (st?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
      if (m) return { gitDir: resolve(d, m[1]!.trim()), workTree: d };
    }
    if (dirname(d) === d) return undefined;
  }
}

/** Resolves a ref (following symbolic refs) to a commit: per-worktree dir, shared dir, then `packed-refs`. */
function resolveRef(ref: string, gitDir: string, common: string): string | undefined {
  let name = ref;
  for (let hops = 0; hops < 10; hops++) {
    const loose = readText(join(gitDir, name)) ?? (common !== gitDir ? readText(join(common, name)) : undefined);
    const text = loose?.trim();
    if (text === undefined) return packedRef(name, common);
    if (text.startsWith('ref:')) {
      name = text.slice(4).trim();
      continue;
    }
    return SHA.test(text) ? text : undefined;
  }
  return undefined;
}

function packedRef(name: string, common: string): string | undefined {
  const packed = readText(join(common, 'packed-refs'));
  if (!packed) return undefined;
  for (const line of packed.split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const [sha, refName] = line.trim().split(/\s+/);
    if (refName === name && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

/** The URL of `[remote "origin"]`, else of the first remote, in a git config file. */
export function remoteUrl(config: string): string | undefined {
  const urls = new Map<string, string>();
  let remote: string | undefined;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*remote\s+"([^"]*)"\s*\]/.exec(line);
    if (section) {
      remote = section[1];
      continue;
    }
    if (line.startsWith('[')) {
      remote = undefined;
      continue;
    }
    const kv = /^url\s*=\s*(.*)$/i.exec(line);
    if (remote !== undefined && kv && !urls.has(remote)) urls.set(remote, kv[1]!.trim());
  }
  return urls.get('origin') ?? urls.values().next().value;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The directory a run's code comes from: the script's directory, else the working directory. */
export function sourceDirectory(): string {
  const script = sourceScript();
  return script ? dirname(resolve(script)) : process.cwd();
}

/**
 * Git tags for a new run: commit, branch and repository URL, when the source is in a git
 * repository (no tags otherwise). Read afresh for every run: a notebook may commit in between.
 */
export const gitContext: RunContextProvider = {
  name: 'git',
  inContext: () => true,
  tags() {
    const info = readGitInfo(sourceDirectory());
    if (!info) return {};
    const tags: Record<string, string> = { [MLFLOW_GIT_COMMIT]: info.commit };
    if (info.branch !== undefined) tags[MLFLOW_GIT_BRANCH] = info.branch;
    if (info.repoUrl !== undefined) tags[MLFLOW_GIT_REPO_URL] = info.repoUrl;
    return tags;
  },
};
