/**
 * Two `lablog server` processes (the built CLI) on ONE database and one artifact root, as a
 * user scaling out behind a load balancer would run them (security.md §5: WAL, busy timeout,
 * one migration lock). They must serve one consistent store:
 * - both start at the same instant on a fresh SQLite file (racing on migrations);
 * - an experiment / run / artifact created through A is visible through B (and deletes too);
 * - concurrent log-batch through both, including to the same runs: every metric point stored
 *   exactly once, both servers answer the same histories and latest values;
 * - params are write-once across servers (a different value through the other server is
 *   INVALID_PARAMETER_VALUE; two servers racing on one key: exactly one value wins);
 * - a batch replayed through the other server (a client failing over after a lost answer) adds
 *   nothing, also when the replay is older than what the other server wrote since.
 *
 * The PostgreSQL variant runs the same scenarios on one PostgreSQL database (private cluster from
 * packages/tracking/src/store/postgres/__tests__/pg-cluster.ts) once the `postgresql:` backend
 * store URI is wired into the store registry; until then it is skipped and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestStore } from '../packages/tracking/src/store/rest/rest-store.js';
import { LablogError } from '../packages/tracking/src/errors.js';
import type { Metric } from '../packages/tracking/src/entities/metric.js';
import { startLablogProcess, readServerLog, type LablogProcess } from './helpers/lablog-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const T0 = 1_700_000_000_000;
const RETRY = { maxRetries: 5, backoffFactor: 0.05, backoffJitter: 0.05, maxBackoffMs: 1_000 };

interface Backend {
  /** Backend store URI both servers get. */
  uri: string;
  cleanup(): Promise<void>;
}

function errorCodeOf(e: unknown): string | undefined {
  return LablogError.is(e) ? e.errorCode : undefined;
}

function points(keys: number, fromStep: number, steps: number, salt = 0): Metric[] {
  const out: Metric[] = [];
  for (let s = fromStep; s < fromStep + steps; s++) {
    for (let k = 0; k < keys; k++) out.push({ key: `m${k}`, value: Math.cos(s * 0.37 + k * 11 + salt), timestamp: T0 + s, step: s });
  }
  return out;
}

async function fullHistory(store: RestStore, runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.getMetricHistory(runId, key, pageToken ? { pageToken } : {});
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** Every scenario, on two servers over the backend `open()` creates. */
function describeTwoServers(name: string, open: () => Promise<Backend>) {
  describe(name, () => {
    let tmp: string;
    let backend: Backend;
    let artifactDir: string;
    let A: LablogProcess;
    let B: LablogProcess;
    let a: RestStore;
    let b: RestStore;

    beforeAll(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lablog-multi-'));
      backend = await open();
      artifactDir = path.join(tmp, 'artifacts');
      const common = { backendStoreUri: backend.uri, defaultArtifactRoot: `file://${artifactDir}`, logLevel: 'info' as const };
      // Both at once, on a fresh database: they race on the migrations.
      [A, B] = await Promise.all([
        startLablogProcess({ ...common, logFile: path.join(tmp, 'a.log') }),
        startLablogProcess({ ...common, logFile: path.join(tmp, 'b.log') }),
      ]);
      a = new RestStore({ trackingUri: A.url, retry: RETRY, env: {} });
      b = new RestStore({ trackingUri: B.url, retry: RETRY, env: {} });
    });

    afterAll(async () => {
      await a?.close();
      await b?.close();
      const logs = [A, B].filter(Boolean).flatMap((s) => readServerLog(s.logFile));
      await A?.stop('SIGTERM').catch(() => undefined);
      await B?.stop('SIGTERM').catch(() => undefined);
      await backend?.cleanup();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      // Nothing in this file should make a server fail a request.
      const errors = logs.filter((l) => typeof l.level === 'number' && l.level >= 50);
      expect(errors.slice(0, 5), 'error lines in the servers\' logs').toEqual([]);
    });

    it('an experiment, run, artifact and delete made through A are seen through B', async () => {
      const expId = await a.createExperiment(`shared-${Date.now()}`);
      expect((await b.getExperiment(expId)).name).toMatch(/^shared-/);
      const run = await a.createRun({ experimentId: expId, userId: 'u', startTime: T0, tags: [{ key: 'via', value: 'A' }], runName: 'r-a' });
      const runId = run.info.runId;
      const seen = await b.getRun(runId);
      expect(seen.info.runName).toBe('r-a');
      expect(seen.data.tags.find((t) => t.key === 'via')?.value).toBe('A');
      expect(seen.info.artifactUri.startsWith(`file://${artifactDir}`), seen.info.artifactUri).toBe(true);
      const found = await b.searchRunsPage({ experimentIds: [expId], filter: "tags.via = 'A'" });
      expect(found.items.map((r) => r.info.runId)).toEqual([runId]);

      // One artifact root: a file under the run's artifact directory is listed by both.
      const runArtifacts = fileURLToPath(seen.info.artifactUri);
      fs.mkdirSync(path.join(runArtifacts, 'model'), { recursive: true });
      fs.writeFileSync(path.join(runArtifacts, 'model', 'weights.bin'), Buffer.alloc(123));
      for (const s of [A, B]) {
        const res = await fetch(`${s.url}/api/2.0/mlflow/artifacts/list?run_id=${runId}&path=model`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { files?: { path: string; file_size?: number | string }[] };
        expect(body.files?.map((f) => [f.path, Number(f.file_size)])).toEqual([['model/weights.bin', 123]]);
      }

      // Lifecycle through B, seen through A; writing to the deleted run is refused by both.
      await b.deleteRun(runId);
      expect((await a.getRun(runId)).info.lifecycleStage).toBe('deleted');
      for (const s of [a, b]) {
        const e = await s.logBatch(runId, { metrics: points(1, 0, 1) }).catch((x: unknown) => x);
        expect(errorCodeOf(e), String(e)).toBe('INVALID_PARAMETER_VALUE');
      }
      await a.restoreRun(runId);
      expect((await b.getRun(runId)).info.lifecycleStage).toBe('active');
    });

    it('params are write-once across servers', async () => {
      const run = await a.createRun({ experimentId: '0', userId: 'u', startTime: T0, tags: [] });
      const runId = run.info.runId;
      await a.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] });
      const e = await b.logBatch(runId, { params: [{ key: 'lr', value: '0.2' }] }).catch((x: unknown) => x);
      expect(errorCodeOf(e), String(e)).toBe('INVALID_PARAMETER_VALUE');
      await b.logBatch(runId, { params: [{ key: 'lr', value: '0.1' }] }); // the same value is allowed
      // A rejected batch is all-or-nothing: its metric and tag were not written either.
      const e2 = await b.logBatch(runId, { params: [{ key: 'lr', value: '0.3' }], metrics: points(1, 0, 1), tags: [{ key: 'x', value: 'y' }] }).catch((x: unknown) => x);
      expect(errorCodeOf(e2)).toBe('INVALID_PARAMETER_VALUE');
      const after = await a.getRun(runId);
      expect(after.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
      expect(after.data.metrics).toEqual([]);
      expect(after.data.tags.find((t) => t.key === 'x')).toBeUndefined();

      // Both servers race to set 40 keys to different values: exactly one value wins per key.
      const KEYSN = 40;
      const results = await Promise.all(
        Array.from({ length: KEYSN }, (_, i) =>
          Promise.all(
            [a, b].map((s, which) =>
              s.logBatch(runId, { params: [{ key: `race${i}`, value: which === 0 ? 'A' : 'B' }] }).then(
                () => 'ok' as const,
                (x: unknown) => errorCodeOf(x) ?? String(x),
              ),
            ),
          ),
        ),
      );
      const final = new Map((await b.getRun(runId)).data.params.map((p) => [p.key, p.value]));
      expect(new Map((await a.getRun(runId)).data.params.map((p) => [p.key, p.value]))).toEqual(final);
      for (let i = 0; i < KEYSN; i++) {
        const [ra, rb] = results[i]!;
        expect([ra, rb].sort(), `race${i}`).toEqual(['INVALID_PARAMETER_VALUE', 'ok']);
        expect(final.get(`race${i}`)).toBe(ra === 'ok' ? 'A' : 'B');
      }
    });

    it('concurrent log-batch through both servers: every point exactly once, same answers from both', async () => {
      const expId = await a.createExperiment(`concurrent-${Date.now()}`);
      const OWN = 12; // runs written through one server only (even: A, odd: B)
      const SHARED = 4; // runs whose batches alternate between A and B
      const BATCHES = 40;
      const KEYS = 4;
      const STEPS = 25; // 100 points per batch
      const runs: { runId: string; shared: boolean; index: number }[] = [];
      for (let i = 0; i < OWN + SHARED; i++) {
        const s = i % 2 === 0 ? a : b;
        const r = await s.createRun({ experimentId: expId, userId: 'u', startTime: T0, tags: [] });
        runs.push({ runId: r.info.runId, shared: i >= OWN, index: i });
      }
      // Every run gets BATCHES batches; shared runs from two writers at once (one per server,
      // interleaved steps), so the same (run, key) is appended to by both processes.
      const writers: Promise<void>[] = [];
      for (const r of runs) {
        if (!r.shared) {
          const s = r.index % 2 === 0 ? a : b;
          writers.push((async () => {
            for (let i = 0; i < BATCHES; i++) await s.logBatch(r.runId, { metrics: points(KEYS, i * STEPS, STEPS, r.index), tags: [{ key: 'last', value: String(i) }] });
          })());
        } else {
          for (const [w, s] of [a, b].entries()) {
            writers.push((async () => {
              for (let i = w; i < BATCHES; i += 2) await s.logBatch(r.runId, { metrics: points(KEYS, i * STEPS, STEPS, r.index), params: [{ key: `b${i}`, value: String(i) }] });
            })());
          }
        }
      }
      await Promise.all(writers);

      for (const r of runs) {
        const expected = points(KEYS, 0, BATCHES * STEPS, r.index);
        for (let k = 0; k < KEYS; k++) {
          const want = expected.filter((m) => m.key === `m${k}`).map((m) => [m.step, m.timestamp, m.value]);
          const fromA = (await fullHistory(a, r.runId, `m${k}`)).map((m) => [m.step, m.timestamp, m.value]).sort((x, y) => x[0]! - y[0]!);
          const fromB = (await fullHistory(b, r.runId, `m${k}`)).map((m) => [m.step, m.timestamp, m.value]).sort((x, y) => x[0]! - y[0]!);
          expect(fromA.length, `run ${r.index} m${k} via A`).toBe(want.length);
          expect(fromA).toEqual(want);
          expect(fromB).toEqual(want);
        }
        // The latest value per key (runs/get) agrees on both servers and is the last step's.
        const [ra, rb] = await Promise.all([a.getRun(r.runId), b.getRun(r.runId)]);
        const latest = (run: typeof ra) => new Map(run.data.metrics.map((m) => [m.key, [m.step, m.value]]));
        expect(latest(ra)).toEqual(latest(rb));
        const lastStep = BATCHES * STEPS - 1;
        for (let k = 0; k < KEYS; k++) expect(latest(ra).get(`m${k}`)).toEqual([lastStep, Math.cos(lastStep * 0.37 + k * 11 + r.index)]);
        if (r.shared) expect(ra.data.params.length).toBe(BATCHES);
      }
    });

    it('a batch replayed through the other server (failover after a lost answer) adds nothing', async () => {
      const run = await a.createRun({ experimentId: '0', userId: 'u', startTime: T0, tags: [] });
      const runId = run.info.runId;
      const b1 = { metrics: points(3, 0, 10), params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: '1' }] };
      const b2 = { metrics: points(3, 10, 10) };
      const b3 = { metrics: points(3, 20, 300) }; // a big block after small ones
      await a.logBatch(runId, b1);
      await b.logBatch(runId, b1); // replay through B
      await b.logBatch(runId, b2);
      await a.logBatch(runId, b2); // replay through A, whose cached last block is now stale
      await a.logBatch(runId, b1); // an older replay after newer writes
      await a.logBatch(runId, b3);
      await b.logBatch(runId, b2); // older replay on the other side of a big block
      await b.logBatch(runId, b3);
      await a.logBatch(runId, { metrics: [...points(3, 5, 3), ...points(3, 320, 5)] }); // mixed: old duplicates + new points
      for (const s of [a, b]) {
        for (let k = 0; k < 3; k++) {
          const h = await fullHistory(s, runId, `m${k}`);
          const steps = h.map((m) => m.step).sort((x, y) => x - y);
          expect(steps, `m${k}`).toEqual(Array.from({ length: 325 }, (_, i) => i));
        }
      }
    });
  });
}

// ---- SQLite: one file, two processes ------------------------------------------------------

describeTwoServers('two lablog servers on one SQLite file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lablog-multi-db-'));
  return {
    uri: `sqlite:///${path.join(dir, 'shared.db')}`,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

// ---- PostgreSQL: one database, two processes ----------------------------------------------

/** Why the PostgreSQL variant is skipped (only on request: LABLOG_SKIP_POSTGRES=1), or null. */
async function postgresSkipReason(): Promise<string | null> {
  const { postgresTestMode } = await import('../packages/tracking/src/store/postgres/__tests__/pg-cluster.js');
  const mode = postgresTestMode();
  return mode.run ? null : mode.reason;
}

const pgSkip = await postgresSkipReason();
if (pgSkip) {
  describe('two lablog servers on one PostgreSQL database', () => {
    it.skip(`skipped: ${pgSkip}`, () => undefined);
  });
} else {
  describeTwoServers('two lablog servers on one PostgreSQL database', async () => {
    const { startPgCluster } = await import('../packages/tracking/src/store/postgres/__tests__/pg-cluster.js');
    const cluster = await startPgCluster();
    return { uri: cluster.uri, cleanup: () => cluster.stop() };
  });
}
