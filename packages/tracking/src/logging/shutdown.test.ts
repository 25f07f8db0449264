/**
 * End-of-process behaviour, in real child processes: SIGINT/SIGTERM while logging flush
 * everything logged before the signal, end the run KILLED, and still kill the process by that
 * signal; a normal end drains the queues and ends runs FINISHED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { tempDir } from '../__tests__/tracking-fixtures.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoNodeModules = resolve(here, '../../../../node_modules');
let dir: string;
let cleanup: () => Promise<void>;
let worker: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('lablog-exit-'));
  // Packages stay external and resolve through a node_modules link next to the bundle.
  await symlink(repoNodeModules, join(dir, 'node_modules'), 'dir');
  worker = join(dir, 'exit-worker.mjs');
  await build({
    entryPoints: [join(here, '__tests__', 'exit-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: worker,
    logLevel: 'silent',
  });
});
afterAll(() => cleanup());

interface Child {
  runId: Promise<string>;
  lastStep: () => number;
  waitForStep: (n: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill: (s: NodeJS.Signals) => void;
}

function startWorker(mode: string, db: string): Child {
  const child = spawn(process.execPath, [worker, mode], {
    cwd: dir,
    env: { ...process.env, MLFLOW_TRACKING_URI: `sqlite:///${db}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  let last = -1;
  const waiters: { n: number; resolve: () => void }[] = [];
  let resolveRun!: (id: string) => void;
  const runId = new Promise<string>((r) => (resolveRun = r));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      const [tag, value] = line.split(' ');
      if (tag === 'RUN') resolveRun(value!);
      if (tag === 'STEP') last = Number(value);
    }
    for (const w of waiters.splice(0)) {
      if (last >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, stderr })),
  );
  return {
    runId,
    lastStep: () => last,
    waitForStep: (n) => new Promise<void>((r) => (last >= n ? r() : waiters.push({ n, resolve: r }))),
    exited,
    kill: (s) => child.kill(s),
  };
}

async function readRun(db: string, runId: string) {
  const store = new SqliteStore({ path: db, defaultArtifactRoot: `file://${dir}/artifacts` });
  try {
    const run = await store.getRun(runId);
    const history = (await store.getMetricHistory(runId, 'x')).items.map((m) => m.step);
    return { run, history };
  } finally {
    await store.close();
  }
}

describe('shutdown', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during logging flushes everything logged before it and ends the run KILLED`, async () => {
      const db = join(dir, `${signal}.db`);
      const child = startWorker('signal', db);
      const runId = await child.runId;
      await child.waitForStep(20_000);
      const before = child.lastStep();
      child.kill(signal);
      const { code, signal: exitSignal, stderr } = await child.exited;
      expect(stderr).toBe('');
      expect(exitSignal).toBe(signal); // the default behaviour was restored, not swallowed
      expect(code).toBeNull();
      const { run, history } = await readRun(db, runId);
      expect(run.info.status).toBe('KILLED');
      expect(history.length).toBeGreaterThan(before);
      // contiguous: nothing logged before the signal was lost, nothing out of order
      expect(history.every((s, i) => s === i)).toBe(true);
    });
  }

  it('a normal end drains the queues and ends the run FINISHED', async () => {
    const db = join(dir, 'exit.db');
    const child = startWorker('exit', db);
    const runId = await child.runId;
    const { code, stderr } = await child.exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { run, history } = await readRun(db, runId);
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.params).toEqual([{ key: 'p', value: 'v' }]);
    expect(history).toHaveLength(50_000);
  });

  it('a run started implicitly by logging is ended FINISHED at exit', async () => {
    const db = join(dir, 'auto.db');
    const child = startWorker('auto', db);
    const { code, stderr } = await child.exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const store = new SqliteStore({ path: db, defaultArtifactRoot: `file://${dir}/artifacts` });
    try {
      const runs = (await store.searchRunsPage({ experimentIds: ['0'] })).items;
      expect(runs).toHaveLength(1);
      expect(runs[0]!.info.status).toBe('FINISHED');
      expect((await store.getMetricHistory(runs[0]!.info.runId, 'auto')).items).toHaveLength(1000);
    } finally {
      await store.close();
    }
  });

  it('process.exit() cannot drain, and says so', async () => {
    const child = startWorker('process-exit', join(dir, 'abrupt.db'));
    const { code, stderr } = await child.exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/10 queued metric\/param\/tag items were not logged/);
    expect(stderr).toMatch(/still active when the process exited/);
  });
});
