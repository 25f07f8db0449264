/**
 * Retries must not duplicate (security.md §5). A small HTTP proxy sits between RestStore and a
 * real lablog server; it forwards a request, lets the server apply it, then cuts the client's
 * connection before the answer arrives, the "lost response" case. RestStore retries
 * `runs/log-batch` (safe to replay) and must leave every metric point, param and tag exactly
 * once; it must not retry `runs/create`, which would make a second run.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LablogError } from '../packages/tracking/src/errors.js';
import { RestStore } from '../packages/tracking/src/store/rest/rest-store.js';
import type { Metric } from '../packages/tracking/src/entities/metric.js';
import { startLablogServer, type TestServer } from './helpers/lablog-server.js';

/** A forwarding proxy that swallows the response of the first request to each path in `dropPaths`. */
interface DroppingProxy {
  url: string;
  /** Requests forwarded upstream, by path. */
  forwarded: Map<string, number>;
  /** Paths whose response is dropped once (the next request to the path goes through). */
  dropOnce: Set<string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function startDroppingProxy(upstream: string): Promise<DroppingProxy> {
  const target = new URL(upstream);
  const forwarded = new Map<string, number>();
  const dropOnce = new Set<string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    forwarded.set(path, (forwarded.get(path) ?? 0) + 1);
    const drop = dropOnce.delete(path);
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          // The server has answered, so it has applied the request: lose the answer.
          if (drop) {
            req.socket.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    up.on('error', () => res.destroy());
    up.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    dropOnce,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const T0 = 1_700_000_000_000;
const LOG_BATCH = '/api/2.0/mlflow/runs/log-batch';
const CREATE_RUN = '/api/2.0/mlflow/runs/create';

let server: TestServer;
let proxy: DroppingProxy;
let store: RestStore;

beforeEach(async () => {
  server = await startLablogServer();
  proxy = await startDroppingProxy(server.url);
  store = new RestStore({ trackingUri: proxy.url, retry: { maxRetries: 3, backoffFactor: 0.01, backoffJitter: 0 }, env: {} });
});

afterEach(async () => {
  await store.close();
  await proxy.close();
  await server.close();
});

describe('RestStore retries do not duplicate', () => {
  it('replays log-batch after a lost response; every point, param and tag exists once', async () => {
    const run = await store.createRun({ experimentId: '0', userId: 'alice', startTime: T0, tags: [] });
    const runId = run.info.runId;
    const metrics: Metric[] = [];
    for (let i = 0; i < 40; i++) {
      metrics.push({ key: 'loss', value: 1 / (i + 1), timestamp: T0 + i, step: i });
      metrics.push({ key: 'acc', value: i / 40, timestamp: T0 + i, step: i });
    }
    const params = Array.from({ length: 5 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 5 }, (_, i) => ({ key: `t${i}`, value: `v${i}` }));

    proxy.dropOnce.add(LOG_BATCH);
    await store.logBatch(runId, { metrics, params, tags });
    expect(proxy.forwarded.get(LOG_BATCH), 'the batch reached the server twice: once lost, once replayed').toBe(2);

    for (const key of ['loss', 'acc']) {
      const history = (await store.getMetricHistory(runId, key)).items;
      expect(history, `history of ${key}`).toHaveLength(40);
      expect(history.map((m) => m.step)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
    const got = await store.getRun(runId);
    expect([...got.data.params].sort((a, b) => a.key.localeCompare(b.key))).toEqual(params);
    for (const t of tags) expect(got.data.tags.filter((x) => x.key === t.key)).toEqual([t]);
    expect(got.data.metrics.map((m) => m.key).sort()).toEqual(['acc', 'loss']);
    // The server's own view agrees.
    expect((await server.store.getMetricHistory(runId, 'loss')).items).toHaveLength(40);
  });

  it('does not replay runs/create after a lost response: the error says so, and one run exists', async () => {
    proxy.dropOnce.add(CREATE_RUN);
    const e = await store.createRun({ experimentId: '0', userId: 'alice', startTime: T0, tags: [] }).catch((err: unknown) => err);
    expect(LablogError.is(e)).toBe(true);
    expect((e as LablogError).message).toContain('may have applied it');
    expect(proxy.forwarded.get(CREATE_RUN)).toBe(1);
    const runs = await store.searchRunsPage({ experimentIds: ['0'], runViewType: 'ALL' });
    expect(runs.items).toHaveLength(1);
  });
});
