// The `lablog` command as a user runs it: a real process, a real SQLite store written by the
// fluent API, readable tables, MLflow JSON, and clear errors (exit code 1, no stack trace).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrackingClient } from '@lablog/tracking';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = path.join(root, 'packages/server/dist/cli/bin.js');

function lablog(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('lablog command', () => {
  let dir: string;
  let uri: string;
  let runId: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lablog-cli-'));
    uri = `sqlite:///${path.join(dir, 'cli.db')}`;
    const client = new TrackingClient(uri);
    const expId = await client.createExperiment('cli-exp');
    const run = await client.createRun(expId, { runName: 'first-run' });
    runId = run.info.runId;
    await client.logBatch(runId, {
      metrics: [{ key: 'loss', value: 0.25, timestamp: Date.now(), step: 3 }],
      params: [{ key: 'lr', value: '0.01' }],
    });
    await client.setTerminated(runId, 'FINISHED');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists experiments as a table', async () => {
    const r = await lablog(['--tracking-uri', uri, 'experiments', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Experiment Id\s+Name/);
    expect(r.stdout).toMatch(/\n0\s+Default/);
    expect(r.stdout).toMatch(/\n1\s+cli-exp/);
  });

  it('creates and deletes experiments, honouring MLFLOW_TRACKING_URI', async () => {
    const created = await lablog(['experiments', 'create', '-n', 'made-by-cli'], { MLFLOW_TRACKING_URI: uri });
    expect(created.code).toBe(0);
    const id = /with id (\S+)/.exec(created.stdout)![1]!;
    const deleted = await lablog(['experiments', 'delete', '-x', id], { MLFLOW_TRACKING_URI: uri });
    expect(deleted.code).toBe(0);
    const listed = await lablog(['experiments', 'list', '--view', 'deleted_only'], { MLFLOW_TRACKING_URI: uri });
    expect(listed.stdout).toContain('made-by-cli');
    expect(listed.stdout).toContain('deleted');
  });

  it('lists runs with their latest metrics and describes one as MLflow JSON', async () => {
    const listed = await lablog(['--tracking-uri', uri, 'runs', 'list', '--experiment-name', 'cli-exp']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/Run Id\s+Name\s+Status\s+Started\s+Duration\s+loss/);
    expect(listed.stdout).toMatch(new RegExp(`${runId}\\s+first-run\\s+FINISHED.*0\\.25`));
    const described = await lablog(['--tracking-uri', uri, 'runs', 'describe', '--run-id', runId]);
    const json = JSON.parse(described.stdout);
    expect(json.info.run_id).toBe(runId);
    expect(json.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(json.data.metrics[0]).toMatchObject({ key: 'loss', value: 0.25, step: 3 });
  });

  it('filters runs with MLflow search syntax', async () => {
    const hit = await lablog(['--tracking-uri', uri, 'runs', 'list', '--experiment-id', '1', '--filter', 'metrics.loss < 0.5']);
    expect(hit.stdout).toContain(runId);
    const miss = await lablog(['--tracking-uri', uri, 'runs', 'list', '--experiment-id', '1', '--filter', "params.lr = '0.1'"]);
    expect(miss.stdout).toContain('No runs.');
  });

  it('answers bad input with a clear error and exit code 1, never a stack trace', async () => {
    const unknown = await lablog(['--tracking-uri', uri, 'runs', 'describe', '--run-id', 'f'.repeat(32)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Error: .*not found.*\(RESOURCE_DOES_NOT_EXIST\)/m);
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const badFilter = await lablog(['--tracking-uri', uri, 'runs', 'list', '--filter', 'metrics.loss <']);
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toMatch(/INVALID_PARAMETER_VALUE/);
    const dup = await lablog(['--tracking-uri', uri, 'experiments', 'create', '-n', 'cli-exp']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/RESOURCE_ALREADY_EXISTS/);
  });

  it('prints help for every command and rejects unknown ones', async () => {
    for (const args of [['--help'], ['experiments', '--help'], ['runs', 'list', '--help']]) {
      const r = await lablog(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: lablog/);
    }
    const bad = await lablog(['nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command/);
    const badView = await lablog(['--tracking-uri', uri, 'experiments', 'list', '--view', 'sideways']);
    expect(badView.code).toBe(2);
    expect(badView.stderr).toMatch(/Allowed choices are active_only, deleted_only, all/);
    const missing = await lablog(['--tracking-uri', uri, 'runs', 'describe']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--run-id <id>' not specified/);
  });
});
