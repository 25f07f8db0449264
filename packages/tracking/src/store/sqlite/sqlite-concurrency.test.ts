/**
 * 16 processes open one fresh database file at the same instant (racing on migrations, as
 * MLflow's "duplicate column" bug did) and log batches concurrently: no "database is locked",
 * every row present exactly once. Workers run the same runtime as the test (Node with
 * better-sqlite3, or Deno with node:sqlite) on an esbuild bundle of the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKERS = 16;
const BATCHES = 20;
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

let bundleDir: string;
let tmp: string;

beforeAll(async () => {
  const { build } = await import('esbuild');
  // Inside the repository, so the bundle resolves better-sqlite3 from node_modules.
  bundleDir = path.join(here, '..', '..', '..', '..', '..', 'node_modules', '.cache', `lablog-sqlite-concurrency-${process.pid}`);
  await build({
    entryPoints: [path.join(here, 'sqlite-store.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: path.join(bundleDir, 'store.mjs'),
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lablog-sqlite-concurrency-'));
});

afterAll(() => {
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface WorkerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWorker(dbPath: string, index: number, startAt: number): Promise<WorkerResult> {
  const worker = path.join(here, '__tests__', 'concurrency-worker.mjs');
  const args = [worker, path.join(bundleDir, 'store.mjs'), dbPath, String(index), String(BATCHES), String(startAt)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, isDeno ? ['run', '-A', ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('SqliteStore under concurrent processes', () => {
  it(`${WORKERS} processes migrate one fresh file and log batches without losing or duplicating a row`, async () => {
    const dbPath = path.join(tmp, 'shared', 'lablog.db');
    const startAt = Date.now() + 1500; // every worker is loaded by then, so they really race
    const results = await Promise.all(Array.from({ length: WORKERS }, (_, i) => runWorker(dbPath, i, startAt)));

    for (const r of results) {
      expect(r.stdout + r.stderr).not.toMatch(/database is locked|SQLITE_BUSY|duplicate column/i);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const outputs = results.map((r) => JSON.parse(r.stdout.trim().split('\n').pop()!) as { runId: string; driver: string });
    for (const o of outputs) expect(o.driver).toBe(isDeno ? 'node:sqlite' : 'better-sqlite3');
    const runIds = outputs.map((o) => o.runId);
    expect(new Set(runIds).size).toBe(WORKERS);

    const store = new SqliteStore({ path: dbPath, defaultArtifactRoot: 'file:///unused' });
    try {
      const experiments = await store.searchExperiments({ maxResults: 100, viewType: 'ALL' });
      expect(experiments.items.map((e) => e.experimentId)).toEqual(['0']);
      expect((await store.diagnostics()).schemaVersion).toBeGreaterThanOrEqual(1);
      const all = await store.searchRunsPage({ experimentIds: ['0'], maxResults: 1000 });
      expect(all.items.map((r) => r.info.runId).sort()).toEqual([...runIds].sort());
      for (const [index, runId] of runIds.entries()) {
        const run = await store.getRun(runId);
        expect(run.info.status).toBe('FINISHED');
        expect(run.data.params).toHaveLength(BATCHES);
        const loss = (await store.getMetricHistory(runId, 'loss')).items;
        expect(loss).toHaveLength(BATCHES * 100);
        expect(loss.map((m) => m.step)).toEqual(Array.from({ length: BATCHES * 100 }, (_, i) => i));
        expect(loss.every((m) => m.value === index * 1e6 + m.step)).toBe(true);
        expect((await store.getMetricHistory(runId, 'acc')).items).toHaveLength(BATCHES * 100);
        expect(run.data.metrics.find((m) => m.key === 'loss')?.step).toBe(BATCHES * 100 - 1);
      }
    } finally {
      await store.close();
    }
  });
});
