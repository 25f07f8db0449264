import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.js';
import { openBackendStore } from './backend-store.js';

let dir: string;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('startServer', () => {
  it('listens, answers over HTTP, and closes gracefully (idempotent)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-'));
    server = await startServer({ port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, logger: false });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/health`);
    expect(await health.text()).toBe('OK');
    const created = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'over-http' }),
    });
    expect(await created.json()).toEqual({ experiment_id: '1' });
    const exp = (await (await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=1`)).json()) as { experiment: { artifact_location: string } };
    // Serving artifacts (the default) makes mlflow-artifacts:/ the default root, as MLflow.
    expect(exp.experiment.artifact_location).toBe('mlflow-artifacts:/1');
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('openBackendStore honours --default-artifact-root for SQLite and file stores', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lablog-serve-'));
    const root = pathToFileURL(join(dir, 'elsewhere')).href;
    for (const uri of [`sqlite:///${join(dir, 'a.db')}`, join(dir, 'mlruns')]) {
      const store = openBackendStore({ backendStoreUri: uri, defaultArtifactRoot: root }).tracking;
      const id = await store.createExperiment(`e-${uri.length}`);
      expect((await store.getExperiment(id)).artifactLocation).toBe(`${root}/${id}`);
      await store.close();
    }
  });
});
