// End to end, as a newcomer runs it: the quick-start example on the embedded default store
// (nothing configured), in a fresh working directory, using the built packages.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const example = path.join(root, 'examples/quickstart/run.mjs');
const cli = path.join(root, 'packages/server/dist/cli/bin.js');

describe('examples/quickstart on the embedded store', () => {
  let cwd: string;
  let stdout: string;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'lablog-quickstart-'));
    const env = { ...process.env };
    delete env.MLFLOW_TRACKING_URI;
    delete env.MLFLOW_RUN_ID;
    delete env.MLFLOW_EXPERIMENT_NAME;
    delete env.MLFLOW_EXPERIMENT_ID;
    ({ stdout } = await run(process.execPath, [example], { cwd, env }));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('creates ./lablog/lablog.db and ./lablog/artifacts in the working directory', async () => {
    expect((await stat(path.join(cwd, 'lablog/lablog.db'))).isFile()).toBe(true);
    expect((await stat(path.join(cwd, 'lablog/artifacts'))).isDirectory()).toBe(true);
  });

  it('finishes the run and prints where the data went', () => {
    expect(stdout).toMatch(/run [0-9a-f]{32} \(quickstart-linear\): FINISHED, final loss \d/);
    expect(stdout).toContain(path.join(cwd, 'lablog/lablog.db'));
  });

  it('lists the run with the lablog command', () => {
    expect(stdout).toMatch(/Run Id\s+Name\s+Status/);
    expect(stdout).toMatch(/quickstart-linear\s+FINISHED/);
  });

  it('stored the artifacts and the full loss history', async () => {
    const runId = /run ([0-9a-f]{32})/.exec(stdout)![1]!;
    const { stdout: json } = await run(process.execPath, [cli, 'runs', 'describe', '--run-id', runId], { cwd });
    const described = JSON.parse(json) as {
      info: { artifact_uri: string; status: string };
      data: { params: { key: string; value: string }[]; metrics: { key: string; step: number }[] };
      inputs: { dataset_inputs?: { dataset: { name: string; digest: string } }[] };
    };
    expect(described.info.status).toBe('FINISHED');
    expect(described.data.params).toContainEqual({ key: 'epochs', value: '200' });
    expect(described.data.metrics.find((m) => m.key === 'loss')?.step).toBe(199);
    expect(described.inputs.dataset_inputs?.[0]?.dataset.name).toBe('synthetic-linear');
    expect(described.inputs.dataset_inputs?.[0]?.dataset.digest).toMatch(/^[0-9a-f]{8}$/);
    const weights = JSON.parse(await readFile(path.join(fileURLToPath(described.info.artifact_uri), 'model/weights.json'), 'utf8'));
    expect(weights.w).toBeGreaterThan(2.5);
  });
});
