import { userInfo } from 'node:os';
import { MLFLOW_SOURCE_NAME, MLFLOW_SOURCE_TYPE, MLFLOW_USER } from '../tags.js';
import type { SourceType } from '../entities/enums.js';
import type { RunContextProvider } from './provider.js';

/** The name MLflow records when there is no script: an interactive session. */
export const CONSOLE_SOURCE_NAME = '<console>';

/**
 * The user running the code: `MLFLOW_TRACKING_USERNAME` when set (MLflow uses the credentials'
 * user), else the OS user, else `LOGNAME`/`USER`/`USERNAME`, else `unknown`.
 */
export function currentUser(): string {
  const env = process.env;
  if (env.MLFLOW_TRACKING_USERNAME) return env.MLFLOW_TRACKING_USERNAME;
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // no passwd entry (containers with a bare uid)
  }
  return env.LOGNAME || env.USER || env.USERNAME || 'unknown';
}

/**
 * True inside a Jupyter kernel: ipykernel-style launchers set `JPY_PARENT_PID`; Deno's kernel
 * (`deno jupyter`) runs as `deno jupyter --kernel …`; tslab and others set `JPY_SESSION_NAME`.
 */
export function inJupyterKernel(): boolean {
  const env = process.env;
  if (env.JPY_PARENT_PID || env.JPY_SESSION_NAME) return true;
  const deno = (globalThis as { Deno?: { args?: readonly string[]; jupyter?: unknown } }).Deno;
  if (deno?.jupyter !== undefined) return true;
  return process.argv.some((a) => a === 'jupyter') && process.argv.some((a) => a === '--kernel');
}

/** The script that runs: `process.argv[1]`, or undefined in a REPL or notebook. */
export function sourceScript(): string | undefined {
  const script = process.argv[1];
  if (!script || inJupyterKernel()) return undefined;
  return script;
}

/** `mlflow.user`, `mlflow.source.name` (the script, or `<console>`), `mlflow.source.type` (LOCAL or NOTEBOOK). */
export const defaultContext: RunContextProvider = {
  name: 'default',
  inContext: () => true,
  tags() {
    const type: SourceType = inJupyterKernel() ? 'NOTEBOOK' : 'LOCAL';
    return {
      [MLFLOW_USER]: currentUser(),
      [MLFLOW_SOURCE_NAME]: sourceScript() ?? CONSOLE_SOURCE_NAME,
      [MLFLOW_SOURCE_TYPE]: type,
    };
  },
};
