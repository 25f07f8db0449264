/** Runs Debian's `/usr/bin/python3` (with PyYAML, numpy, onnx) as an independent reader in tests. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

// Under CI (.ci/run installs python3-yaml, python3-numpy, python3-onnx) the independent readers
// must run: a missing module fails the tests instead of quietly skipping them.
function probe(modules: string): boolean {
  if (process.env.CI) return true;
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore', env: pythonEnv() });
    return true;
  } catch {
    return false;
  }
}

function pythonEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

/** True when /usr/bin/python3 can import PyYAML and numpy. */
export const hasPyYaml = probe('yaml, numpy');
/** True when /usr/bin/python3 can import the onnx package. */
export const hasPyOnnx = probe('onnx');

/** Runs `script` with `input` on stdin and returns stdout. */
export function runPython(script: string, input = ''): string {
  return execFileSync(PYTHON, ['-c', script], { input, env: pythonEnv(), maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}
