/** startServer's artifact and security options, over real HTTP. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from './__tests__/raw-http.js';
import { startServer, type RunningServer } from './server.js';

let dir: string;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('startServer artifact options', () => {
  it('proxies artifacts into --artifacts-destination; new experiments default to mlflow-artifacts:/', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-art-'));
    const dest = join(dir, 'mlartifacts');
    server = await startServer({ port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, artifactsDestination: dest, logger: false });
    await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, json({ name: 'e' }));
    const run = ((await (await fetch(`${server.url}/api/2.0/mlflow/runs/create`, json({ experiment_id: '1' }))).json()) as { run: { info: { run_id: string; artifact_uri: string } } }).run.info;
    expect(run.artifact_uri).toBe(`mlflow-artifacts:/1/${run.run_id}/artifacts`);
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/1/${run.run_id}/artifacts/m.txt`, { method: 'PUT', body: 'model', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    expect(readFileSync(join(dest, '1', run.run_id, 'artifacts', 'm.txt'), 'utf8')).toBe('model');
    const got = await fetch(`${server.url}/get-artifact?run_id=${run.run_id}&path=m.txt`);
    expect(await got.text()).toBe('model');
    expect(got.headers.get('content-disposition')).toBe('attachment; filename=m.txt');
  });

  it('--no-serve-artifacts: proxy answers 503 and the store keeps its own default root', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-art-'));
    server = await startServer({ port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, serveArtifacts: false, artifactsDestination: join(dir, 'd'), logger: false });
    await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, json({ name: 'e' }));
    const exp = (await (await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=1`)).json()) as { experiment: { artifact_location: string } };
    expect(exp.experiment.artifact_location).toBe(`${pathToFileURL(join(dir, 'artifacts')).href}/1`);
    const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/x.txt`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(existsSync(join(dir, 'd'))).toBe(false);
  });

  it('an explicit --default-artifact-root wins over mlflow-artifacts:/', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-art-'));
    const root = pathToFileURL(join(dir, 'roots')).href;
    server = await startServer({ port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, defaultArtifactRoot: root, artifactsDestination: join(dir, 'd'), logger: false });
    await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, json({ name: 'e' }));
    const exp = (await (await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=1`)).json()) as { experiment: { artifact_location: string } };
    expect(exp.experiment.artifact_location).toBe(`${root}/1`);
    // Locations under that root are allowed; elsewhere on disk is not.
    expect((await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, json({ name: 'in', artifact_location: `${root}/x` }))).status).toBe(200);
    expect((await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, json({ name: 'out', artifact_location: 'file:///etc' }))).status).toBe(400);
  });

  it('Host check, --allowed-hosts, --cors-allowed-origins and --disable-security-middleware', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-art-'));
    const common = { port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, artifactsDestination: join(dir, 'd'), logger: false } as const;
    server = await startServer({ ...common, allowedHosts: ['mlflow.example.com'], corsAllowedOrigins: ['https://nb.example.com'] });
    expect((await rawRequest(server.url, 'GET', '/health', undefined, { host: 'evil.com' })).status).toBe(403);
    expect((await rawRequest(server.url, 'GET', '/health', undefined, { host: 'mlflow.example.com' })).status).toBe(200);
    expect((await rawRequest(server.url, 'GET', '/health')).status).toBe(200);
    const pre = await rawRequest(server.url, 'OPTIONS', '/api/2.0/mlflow/runs/create', undefined, {
      origin: 'https://nb.example.com',
      'access-control-request-method': 'POST',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://nb.example.com');
    await server.close();
    server = await startServer({ ...common, disableSecurityMiddleware: true });
    expect((await rawRequest(server.url, 'GET', '/health', undefined, { host: 'evil.com' })).status).toBe(200);
  });
});
