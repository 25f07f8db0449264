/**
 * Load and restart test of `lablog server` (security.md §5, mlflow-compat.md §16): the built CLI
 * as a real child process over SQLite in a temporary directory, 64 concurrent clients (one
 * RestStore each, MLflow-style retries on) each logging `runs/log-batch` to its own run, for 60 s
 * (`LABLOG_LOAD_SECONDS` overrides, for local iteration). Mid-way the server is stopped with
 * SIGTERM (graceful close) and, later, SIGKILL, and started again on the same port and database;
 * the clients' retries carry them over each gap.
 *
 * Every batch a client logs is unique: keys m0..m4 × STEPS consecutive steps (so (key, step)
 * identifies a point), plus param `b<i>` = `<i>` (write-once, new per batch) and tags
 * `last` = `<i>` (overwritten) and `phase<i mod 3>`. A batch is ACKNOWLEDGED when `logBatch`
 * resolved. At the end a fresh client reads every run's full metric history and the run itself:
 * - every acknowledged point is present exactly once, with its value and timestamp (a replay of
 *   a batch whose response was lost must be de-duplicated by the store);
 * - no point, param or tag exists that no batch sent;
 * - every batch is all-or-nothing: an unacknowledged batch (a client gave up) is either fully
 *   present (applied, answer lost) or absent, never partial (log-batch is atomic);
 * - tag `last` holds the highest applied batch (batches of a run are sequential).
 *
 * 5xx rule: a client must see no 5xx answer, with one exception: a 503 that arrives while a
 * server is shutting down (from the signal until the replacement listens) — Fastify answers
 * requests on kept-alive connections with 503 once `close()` began — provided the client retried
 * that batch and it was acknowledged. The servers' own debug logs must show no 5xx and no
 * "request failed" line. Transport errors (refused, reset) during a gap are expected and retried.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RestStore } from '../packages/tracking/src/store/rest/rest-store.js';
import type { Metric } from '../packages/tracking/src/entities/metric.js';
import { countingDispatcher, readServerLog, startLablogProcess, type Attempt, type LablogProcess } from './helpers/lablog-process.js';

const CLIENTS = 64;
const SECONDS = Number(process.env.LABLOG_LOAD_SECONDS ?? 60);
const KEYS = 5;
const STEPS = 10; // steps per batch: KEYS × STEPS = 50 points per batch
const T0 = 1_700_000_000_000;
/** When the disruptions happen, as fractions of the load period. */
const SIGTERM_AT = 0.3;
const SIGKILL_AT = 0.65;
const RETRY = { maxRetries: 10, backoffFactor: 0.1, backoffJitter: 0.1, maxBackoffMs: 2_000 };

const valueOf = (client: number, key: number, step: number) => Math.sin(client * 7919 + key * 104_729 + step * 0.001);

function batchOf(client: number, i: number): { metrics: Metric[]; params: { key: string; value: string }[]; tags: { key: string; value: string }[] } {
  const metrics: Metric[] = [];
  for (let s = 0; s < STEPS; s++) {
    const step = i * STEPS + s;
    for (let k = 0; k < KEYS; k++) metrics.push({ key: `m${k}`, value: valueOf(client, k, step), timestamp: T0 + step, step });
  }
  return {
    metrics,
    params: [{ key: `b${i}`, value: String(i) }],
    tags: [
      { key: 'last', value: String(i) },
      { key: `phase${i % 3}`, value: String(i) },
    ],
  };
}

interface ClientState {
  index: number;
  runId: string;
  store: RestStore;
  dispatcher: ReturnType<typeof countingDispatcher>;
  /** Batches sent so far (0 … sent-1). */
  sent: number;
  acked: Set<number>;
  failed: Map<number, string>;
  /** The batch in flight, for attributing attempts. */
  current: number;
  attempts: (Attempt & { batch: number })[];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lablog-load-'));
const dbUri = `sqlite:///${path.join(tmp, 'lablog.db')}`;
const artifactRoot = `file://${path.join(tmp, 'artifacts')}`;
const servers: LablogProcess[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop('SIGKILL').catch(() => undefined);
  if (!process.env.LABLOG_KEEP_LOAD_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
});

describe('lablog server under load, restarted mid-way', () => {
  it(
    `${CLIENTS} clients × ${SECONDS} s of log-batch over a SIGTERM and a SIGKILL restart: every acknowledged point exactly once, no 5xx`,
    async () => {
      const logFile = (n: number) => path.join(tmp, `server-${n}.log`);
      let server = await startLablogProcess({ backendStoreUri: dbUri, defaultArtifactRoot: artifactRoot, logLevel: 'debug', logFile: logFile(0) });
      servers.push(server);
      const port = server.port;
      const url = server.url;

      // One experiment and one run per client, before the load (runs/create is not retried blindly).
      const setup = new RestStore({ trackingUri: url, retry: RETRY, env: {} });
      const experimentId = await setup.createExperiment('load');
      const clients: ClientState[] = [];
      for (let c = 0; c < CLIENTS; c++) {
        const run = await setup.createRun({ experimentId, userId: 'load', startTime: T0, tags: [], runName: `client-${c}` });
        const state = { index: c, runId: run.info.runId, sent: 0, acked: new Set<number>(), failed: new Map<number, string>(), current: -1, attempts: [] } as unknown as ClientState;
        state.dispatcher = countingDispatcher((a) => state.attempts.push({ ...a, batch: state.current }), { connections: 2 });
        state.store = new RestStore({ trackingUri: url, retry: RETRY, timeoutMs: 30_000, env: {}, fetchOptions: { dispatcher: state.dispatcher as never } });
        clients.push(state);
      }
      await setup.close();

      // ---- load, with two disruptions ----
      let stopping = false;
      const startedAt = Date.now();
      const loops = clients.map(async (st) => {
        while (!stopping) {
          const i = st.sent++;
          st.current = i;
          try {
            await st.store.logBatch(st.runId, batchOf(st.index, i));
            st.acked.add(i);
          } catch (e) {
            st.failed.set(i, e instanceof Error ? `${(e as { errorCode?: string }).errorCode ?? ''} ${e.message}` : String(e));
          }
        }
      });

      /** Shutdown windows: from the signal until the replacement listens. */
      const windows: { signal: string; from: number; to: number; exitMs: number; startMs: number; exit: string }[] = [];
      const disrupt = async (signal: NodeJS.Signals, atFraction: number) => {
        const wait = startedAt + atFraction * SECONDS * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const from = Date.now();
        const exit = await server.stop(signal, 20_000);
        server = await startLablogProcess({ backendStoreUri: dbUri, defaultArtifactRoot: artifactRoot, logLevel: 'debug', logFile: logFile(servers.length), port });
        servers.push(server);
        windows.push({ signal, from, to: Date.now(), exitMs: exit.ms, startMs: server.startMs, exit: `code ${exit.code}, signal ${exit.signal}` });
      };
      const ackedSoFar = () => clients.reduce((n, st) => n + st.acked.size, 0);
      await disrupt('SIGTERM', SIGTERM_AT);
      const ackedAfterTerm = ackedSoFar();
      await disrupt('SIGKILL', SIGKILL_AT);
      const ackedAfterKill = ackedSoFar();
      const rest = startedAt + SECONDS * 1000 - Date.now();
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
      stopping = true;
      await Promise.all(loops);
      const loadMs = Date.now() - startedAt;
      for (const st of clients) {
        await st.store.close();
        await st.dispatcher.close();
      }

      // ---- throughput and attempts ----
      const ackedBatches = clients.reduce((n, st) => n + st.acked.size, 0);
      const failedBatches = clients.reduce((n, st) => n + st.failed.size, 0);
      const attempts = clients.flatMap((st) => st.attempts.map((a) => ({ ...a, client: st.index })));
      const byStatus = new Map<string, number>();
      for (const a of attempts) {
        const k = a.status === 0 ? `transport ${a.error}` : String(a.status);
        byStatus.set(k, (byStatus.get(k) ?? 0) + 1);
      }
      const pts = ackedBatches * KEYS * STEPS;
      // Batches re-sent after the connection broke with the request possibly applied (the
      // store's de-duplication is what keeps these exactly once).
      const replayed = new Set(attempts.filter((a) => a.status === 0 && a.error !== 'ECONNREFUSED').map((a) => `${a.client}:${a.batch}`)).size;
      console.log(
        [
          `server-load: ${CLIENTS} clients, ${(loadMs / 1000).toFixed(1)} s, batches of ${KEYS * STEPS} points + 1 param + 2 tags`,
          `  acknowledged ${ackedBatches} batches = ${pts} points → ${Math.round(ackedBatches / (loadMs / 1000))} requests/s, ${Math.round(pts / (loadMs / 1000))} points/s (over the whole period, gaps included)`,
          `  acknowledged by the SIGTERM restart ${ackedAfterTerm}, by the SIGKILL restart ${ackedAfterKill}; failed (retries exhausted) ${failedBatches}`,
          ...windows.map((w) => `  ${w.signal}: old server exited after ${w.exitMs} ms (${w.exit}); new one listening ${w.startMs} ms after spawn; gap ${w.to - w.from} ms`),
          `  HTTP attempts by outcome: ${[...byStatus].map(([k, n]) => `${k}: ${n}`).join(', ')}; ${replayed} batches re-sent after a broken connection (maybe applied)`,
        ].join('\n'),
      );

      // ---- 5xx rule ----
      const inWindow = (t: number) => windows.some((w) => t >= w.from && t <= w.to + 1_000);
      const bad5xx = attempts.filter((a) => a.status >= 500 && !(a.status === 503 && inWindow(a.at) && clients[a.client]!.acked.has(a.batch)));
      expect(bad5xx.slice(0, 10), `${bad5xx.length} 5xx answers outside the rule (first 10)`).toEqual([]);
      const serverLines = servers.flatMap((s) => readServerLog(s.logFile));
      const serverRequests = serverLines.filter((l) => l.msg === 'request');
      const server5xx = serverRequests.filter((l) => typeof l.status === 'number' && l.status >= 500);
      const serverErrors = serverLines.filter((l) => typeof l.level === 'number' && l.level >= 50);
      console.log(`  server logs: ${serverRequests.length} requests logged, ${server5xx.length} with 5xx, ${serverErrors.length} error lines`);
      expect(server5xx.slice(0, 5), 'servers logged 5xx answers').toEqual([]);
      expect(serverErrors.slice(0, 5), 'servers logged errors').toEqual([]);
      // Only transport failures may exhaust retries; a server-side refusal of a batch is a bug.
      const failedReasons = clients.flatMap((st) => [...st.failed].map(([i, why]) => `client ${st.index} batch ${i}: ${why}`));
      expect(failedReasons.filter((r) => !/TEMPORARILY_UNAVAILABLE|DEADLINE_EXCEEDED/.test(r)).slice(0, 10), 'batches refused by the server').toEqual([]);
      expect(ackedBatches, 'the load made progress').toBeGreaterThan(CLIENTS * 3);
      expect(ackedAfterKill, 'clients made progress between the restarts').toBeGreaterThan(ackedAfterTerm);

      // ---- read everything back through a fresh client ----
      const reader = new RestStore({ trackingUri: server.url, retry: RETRY, env: {} });
      const violations: string[] = [];
      const note = (s: string) => {
        if (violations.length < 40) violations.push(s);
      };
      try {
        const runs = await reader.searchRunsPage({ experimentIds: [experimentId], maxResults: 1000 });
        expect(runs.items.length, 'one run per client, no duplicate runs').toBe(CLIENTS);
        await Promise.all(
          clients.map(async (st) => {
            // points found per batch, across keys
            const found = new Map<number, number>();
            for (let k = 0; k < KEYS; k++) {
              const seen = new Set<number>();
              let pageToken: string | undefined;
              do {
                const page = await reader.getMetricHistory(st.runId, `m${k}`, pageToken ? { pageToken } : {});
                for (const m of page.items) {
                  const i = Math.floor(m.step / STEPS);
                  if (seen.has(m.step)) note(`client ${st.index} m${k} step ${m.step}: duplicate point`);
                  seen.add(m.step);
                  if (i >= st.sent || !Number.isInteger(m.step) || m.step < 0) note(`client ${st.index} m${k} step ${m.step}: point no batch sent`);
                  else if (m.value !== valueOf(st.index, k, m.step) || m.timestamp !== T0 + m.step) note(`client ${st.index} m${k} step ${m.step}: wrong value/timestamp ${m.value}@${m.timestamp}`);
                  found.set(i, (found.get(i) ?? 0) + 1);
                }
                pageToken = page.nextPageToken;
              } while (pageToken);
            }
            const run = await reader.getRun(st.runId);
            const params = new Map(run.data.params.map((p) => [p.key, p.value]));
            const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
            let lastApplied = -1;
            for (let i = 0; i < st.sent; i++) {
              const n = found.get(i) ?? 0;
              const hasParam = params.get(`b${i}`) === String(i);
              const full = n === KEYS * STEPS;
              if (st.acked.has(i) && !full) note(`client ${st.index} batch ${i}: acknowledged but ${n} of ${KEYS * STEPS} points stored`);
              if (n !== 0 && !full) note(`client ${st.index} batch ${i}: partial (${n} of ${KEYS * STEPS} points)`);
              if (full !== hasParam) note(`client ${st.index} batch ${i}: points ${full ? 'stored' : 'absent'} but param b${i} ${hasParam ? 'stored' : 'absent'} (not atomic)`);
              if (full) lastApplied = i;
            }
            const extraParams = [...params.keys()].filter((k) => !/^b\d+$/.test(k) || Number(k.slice(1)) >= st.sent);
            if (extraParams.length) note(`client ${st.index}: params no batch sent: ${extraParams.slice(0, 5).join(', ')}`);
            if (tags.get('last') !== String(lastApplied)) note(`client ${st.index}: tag last = ${tags.get('last')}, highest applied batch ${lastApplied}`);
          }),
        );
      } finally {
        await reader.close();
      }
      expect(violations, `${violations.length}${violations.length >= 40 ? '+' : ''} violations (first 40)`).toEqual([]);
    },
    SECONDS * 1000 + 90_000,
  );
});
