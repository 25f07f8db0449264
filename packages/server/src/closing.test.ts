/**
 * A request that arrives while the server is closing (here: pipelined behind a slow request on
 * a kept-alive connection) gets MLflow's error JSON with `Retry-After`, not Fastify's own
 * `{"error":"Service Unavailable"}` — and RestStore retries that answer.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RestStore, SqliteStore } from '@lablog/tracking';
import { buildApp, SHUTTING_DOWN_MESSAGE } from './app.js';

interface Parsed {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Splits raw HTTP/1.1 responses (Content-Length framed) read off one socket. */
function parseResponses(raw: string): Parsed[] {
  const out: Parsed[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: IncomingHttpHeaders = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts the app with a `/test/slow` route, sends `/test/slow` then a pipelined request while closing. */
async function requestDuringClose(second: string): Promise<Parsed[]> {
  dir = mkdtempSync(join(tmpdir(), 'lablog-closing-'));
  const store = new SqliteStore({ path: join(dir, 'db.sqlite'), defaultArtifactRoot: pathToFileURL(join(dir, 'a')).href });
  const app = buildApp({ trackingStore: store, closeStoreOnClose: true });
  let entered!: () => void;
  const slowEntered = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get('/test/slow', async () => {
    entered();
    await released;
    return 'slow done';
  });
  let preClosed!: () => void;
  const closingStarted = new Promise<void>((resolve) => (preClosed = resolve));
  app.addHook('preClose', (done) => {
    preClosed();
    done();
  });
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const socket = connect(Number(url.port), '127.0.0.1');
  let raw = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (raw += chunk));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write('GET /test/slow HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await slowEntered;
  const closed = app.close();
  await closingStarted;
  await new Promise((resolve) => setImmediate(resolve));
  socket.write(second);
  // Let the server read the pipelined request before the slow one answers.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await ended;
  await closed;
  return parseResponses(raw);
}

describe('requests during shutdown', () => {
  it('get 503 TEMPORARILY_UNAVAILABLE with Retry-After, in MLflow error JSON', async () => {
    const responses = await requestDuringClose(
      'POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"name":"x1"}',
    );
    expect(responses.map((r) => r.status)).toEqual([200, 503]);
    expect(responses[0]!.body).toBe('slow done');
    const shed = responses[1]!;
    expect(shed.headers['retry-after']).toBe('1');
    expect(shed.headers['connection']).toBe('close');
    expect(shed.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(shed.body)).toEqual({ error_code: 'TEMPORARILY_UNAVAILABLE', message: SHUTTING_DOWN_MESSAGE });
  });

  it('applies to unknown paths too (no 404 while closing)', async () => {
    const responses = await requestDuringClose('GET /no/such/path HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(responses.map((r) => r.status)).toEqual([200, 503]);
    expect(JSON.parse(responses[1]!.body).error_code).toBe('TEMPORARILY_UNAVAILABLE');
  });

  it('RestStore retries the shutdown 503 and succeeds against the restarted server', async () => {
    const [, shed] = await requestDuringClose(
      'POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"name":"x1"}',
    );
    // A stand-in server that answers the first request exactly as the closing app did, then succeeds.
    let calls = 0;
    const stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        if (calls === 1) {
          res.writeHead(shed!.status, { 'content-type': String(shed!.headers['content-type']), 'retry-after': String(shed!.headers['retry-after']) });
          res.end(shed!.body);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ experiment_id: '7' }));
        }
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const port = (stub.address() as { port: number }).port;
      const rest = new RestStore({ trackingUri: `http://127.0.0.1:${port}`, retry: { maxBackoffMs: 50 } });
      await expect(rest.createExperiment('x1')).resolves.toBe('7');
      expect(calls).toBe(2);
      await rest.close?.();
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
  });
});
