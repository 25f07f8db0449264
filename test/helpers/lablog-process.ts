/**
 * `lablog server` as a real child process (the built CLI, packages/server/dist/cli/bin.js, which
 * `npm test` builds first), for tests that kill and restart servers or run several on one
 * database. The server's stdout and stderr go to a log file (not a pipe: a pipe the test is too
 * busy to drain would stall the server's synchronous log writes), which is polled for the
 * "listening on" line.
 *
 * Also a counting dispatcher for RestStore, so a test sees every HTTP attempt (retries
 * included) and its status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The built `lablog` command. */
export const LABLOG_BIN = path.join(root, 'packages/server/dist/cli/bin.js');

/** Options of {@link startLablogProcess}. */
export interface LablogProcessOptions {
  backendStoreUri: string;
  /** 0 (default) picks a free port; give the old port to restart "the same" server. */
  port?: number;
  defaultArtifactRoot?: string;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Where the process's stdout and stderr go (appended). */
  logFile: string;
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Milliseconds to wait for "listening on"; default 30 000. */
  startTimeoutMs?: number;
}

/** A running `lablog server` process. */
export interface LablogProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Milliseconds from spawn to the "listening on" line. */
  readonly startMs: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit (up to `timeoutMs`, then SIGKILL and an error). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts `lablog server` and resolves once it listens. Rejects with the log when it exits or times out first. */
export async function startLablogProcess(options: LablogProcessOptions): Promise<LablogProcess> {
  if (!existsSync(LABLOG_BIN)) throw new Error(`${LABLOG_BIN} is missing: run \`npm run build\` (npm test does) first`);
  const args = [
    ...(options.nodeArgs ?? []),
    LABLOG_BIN,
    'server',
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--backend-store-uri',
    options.backendStoreUri,
    '--log-level',
    options.logLevel ?? 'warn',
    ...(options.defaultArtifactRoot ? ['--default-artifact-root', options.defaultArtifactRoot] : []),
  ];
  const before = existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8').length : 0;
  const fd = openSync(options.logFile, 'a');
  const t0 = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  const deadline = t0 + (options.startTimeoutMs ?? 30_000);
  const readLog = () => readFileSync(options.logFile, 'utf8').slice(before);
  for (;;) {
    const m = /lablog server listening on (http:\/\/[^\s]+)/.exec(readLog());
    if (m) {
      const url = m[1]!;
      const port = Number(new URL(url).port);
      const startMs = Date.now() - t0;
      const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) => {
        const s0 = Date.now();
        if (!exit) child.kill(signal);
        const timer = sleep(timeoutMs).then(() => 'timeout' as const);
        const r = await Promise.race([exited, timer]);
        if (r === 'timeout') {
          child.kill('SIGKILL');
          await exited;
          throw new Error(`lablog server (pid ${child.pid}) did not exit within ${timeoutMs} ms of ${signal}; killed. Log:\n${readLog().slice(-4000)}`);
        }
        return { ...r, ms: Date.now() - s0 };
      };
      return { url, port, child, logFile: options.logFile, startMs, exited, stop };
    }
    if (exit) throw new Error(`lablog server exited (code ${exit.code}, signal ${exit.signal}) before listening. Log:\n${readLog().slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`lablog server did not listen within ${options.startTimeoutMs ?? 30_000} ms. Log:\n${readLog().slice(-4000)}`);
    }
    await sleep(20);
  }
}

/** One HTTP attempt as the counting dispatcher saw it. */
export interface Attempt {
  /** `Date.now()` when the answer (or the transport error) came. */
  at: number;
  method: string;
  path: string;
  /** HTTP status, or 0 for a transport error (`error` says which). */
  status: number;
  error?: string;
}

/** The minimal dispatcher surface HttpClient uses (`request`, `close`). */
interface RequestDispatcher {
  request(opts: { path: string; method: string } & Record<string, unknown>): Promise<{ statusCode: number } & Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * An undici Agent (the one @lablog/tracking depends on) whose every attempt, retries included,
 * is reported to `onAttempt`. Pass it as `new RestStore({ fetchOptions: { dispatcher } })`;
 * the caller closes it (RestStore does not close a dispatcher it was given).
 */
export function countingDispatcher(onAttempt: (a: Attempt) => void, agentOptions: Record<string, unknown> = {}): RequestDispatcher {
  const requireFromTracking = createRequire(path.join(root, 'packages/tracking/package.json'));
  const { Agent } = requireFromTracking('undici') as { Agent: new (o: Record<string, unknown>) => RequestDispatcher };
  const agent = new Agent({ keepAliveTimeout: 30_000, ...agentOptions });
  return {
    async request(opts) {
      try {
        const res = await agent.request(opts);
        onAttempt({ at: Date.now(), method: opts.method, path: opts.path, status: res.statusCode });
        return res;
      } catch (e) {
        const err = e as { code?: string; cause?: { code?: string }; message?: string };
        onAttempt({ at: Date.now(), method: opts.method, path: opts.path, status: 0, error: err.code ?? err.cause?.code ?? err.message ?? String(e) });
        throw e;
      }
    },
    close: () => agent.close(),
  };
}

/** Parsed pino lines of a server log (non-JSON lines are skipped). */
export function readServerLog(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return out;
}
