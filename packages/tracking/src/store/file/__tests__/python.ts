/**
 * Runs Debian's Python (`/usr/bin/python3`, with PyYAML) for the independent-reader tests.
 * Not the pyenv `python3` on PATH: that one lacks PyYAML.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's interpreter, which ships PyYAML. */
export const PYTHON = '/usr/bin/python3';

/**
 * True when the interpreter exists and imports yaml. Always true under CI (.ci/run installs
 * python3-yaml), so there a missing reader fails the tests instead of skipping them.
 */
export function havePython(): boolean {
  if (process.env.CI) return true;
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
}

/** Runs a script (file path or `-c` code) with arguments and stdin; returns stdout, throws on failure. */
export function runPython(args: readonly string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
