/**
 * A minimal MLflow artifact proxy (ref §4.1) over a local directory, for testing the HTTP
 * artifact repository over real sockets: PUT/GET/DELETE `…/mlflow-artifacts/artifacts/<p>`
 * and GET `…/mlflow-artifacts/artifacts?path=<dir>` (basenames, as MLflow answers).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LablogError } from '../../errors.js';
import { validateArtifactPath } from '../artifact-path.js';
import { LocalArtifactRepository } from '../local-artifact-repository.js';

const API = '/api/2.0/mlflow-artifacts/artifacts';

/** One request as the proxy saw it. */
export interface ProxyRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A running proxy. */
export interface ArtifactProxy {
  readonly url: string;
  readonly requests: ProxyRequest[];
  /** Replaces the listing answer (to play a hostile server). */
  listingOverride: unknown;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a proxy storing artifacts under `rootDir`; `prefix` is a path the server is mounted under. */
export async function startArtifactProxy(rootDir: string, prefix = ''): Promise<ArtifactProxy> {
  const repo = new LocalArtifactRepository(rootDir);
  const requests: ProxyRequest[] = [];
  const sockets = new Set<Socket>();
  const state: { listingOverride: unknown } = { listingOverride: undefined };
  const server = createServer(async (req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    const base = `${prefix}${API}`;
    try {
      if (url.pathname === base && req.method === 'GET') {
        if (state.listingOverride !== undefined) return json(res, 200, state.listingOverride);
        const dir = validateArtifactPath(url.searchParams.get('path') ?? '');
        const files = (await repo.listArtifacts(dir)).map((f) => ({ ...(f.isDir ? { path: f.path.split('/').pop(), is_dir: true } : { path: f.path.split('/').pop(), is_dir: false, file_size: f.fileSize }) }));
        return json(res, 200, files.length > 0 ? { files } : {});
      }
      if (!url.pathname.startsWith(`${base}/`)) return json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'no route' });
      const rel = validateArtifactPath(url.pathname.slice(base.length + 1));
      if (req.method === 'PUT') {
        await repo.writeArtifact(rel, await readBody(req));
        return json(res, 200, {});
      }
      if (req.method === 'GET') {
        const stream = await repo.openArtifact(rel);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        stream.pipe(res);
        return;
      }
      if (req.method === 'DELETE') {
        await repo.deleteArtifacts(rel);
        return json(res, 200, {});
      }
      return json(res, 405, { error_code: 'ENDPOINT_NOT_FOUND', message: 'method' });
    } catch (e) {
      if (LablogError.is(e)) return json(res, e.httpStatus, e.toJSON());
      return json(res, 500, { error_code: 'INTERNAL_ERROR', message: String(e) });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: ArtifactProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    requests,
    get listingOverride() {
      return state.listingOverride;
    },
    set listingOverride(v: unknown) {
      state.listingOverride = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
