/**
 * Test helpers for artifact routes: raw HTTP requests whose path is sent byte for byte (no
 * client-side `..` normalization, unlike `fetch` and `inject`), and a snapshot of a directory
 * tree to prove nothing outside an artifact root was read, written or deleted.
 */
import { request } from 'node:http';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';

/** A response read to the end. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends one request to `baseUrl` (e.g. `http://127.0.0.1:1234`) with `path` exactly as given.
 * `body` as an array of chunks is sent with `Transfer-Encoding: chunked`.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: Buffer | Buffer[],
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...(body !== undefined && !chunked ? { 'content-length': String(body.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (Array.isArray(body)) for (const c of body) req.write(c);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Every entry under `dir` with its type, size, mtime and (for files) content. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out[r] = `dir ${st.mtimeMs}`;
        walk(p, r);
      } else if (st.isSymbolicLink()) {
        out[r] = 'link';
      } else {
        out[r] = `file ${st.size} ${st.mtimeMs} ${readFileSync(p).toString('base64')}`;
      }
    }
  };
  walk(dir, '');
  return out;
}
