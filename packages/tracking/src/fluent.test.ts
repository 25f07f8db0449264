import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { tableFromArrays } from 'apache-arrow';
import {
  activeRun,
  endRun,
  flush,
  getMetricHistory,
  getRun,
  lastActiveRun,
  listArtifacts,
  logArtifact,
  logDict,
  logInput,
  logMetric,
  logMetrics,
  logParam,
  logParams,
  logText,
  searchRuns,
  setExperiment,
  setSynchronousLogging,
  setTag,
  setTrackingUri,
  startRun,
  withRun,
  deleteTag,
} from './fluent.js';
import { TrackingClient } from './client/tracking-client.js';
import { LablogError } from './errors.js';
import { resetFluentState } from './fluent/state.js';
import { closeAllStores } from './store/store-registry.js';
import { closeAllLoggers, configureAsyncLogging } from './logging/config.js';
import { shutdownHooksInstalled } from './logging/shutdown.js';
import { readGitInfo, sourceDirectory } from './run-context/git.js';
import { tempDir } from './__tests__/tracking-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let client: TrackingClient;
const reports: string[] = [];
configureAsyncLogging({ reporter: (m) => reports.push(m) });

beforeEach(async () => {
  reports.length = 0;
  ({ dir, cleanup } = await tempDir('lablog-fluent-'));
  setTrackingUri(`sqlite:///${join(dir, 'lablog.db')}`);
  client = new TrackingClient();
});

afterEach(async () => {
  while (activeRun()) await endRun().catch(() => undefined);
  setSynchronousLogging(undefined);
  await closeAllLoggers();
  resetFluentState();
  await closeAllStores();
  setTrackingUri(undefined);
  for (const k of ['MLFLOW_RUN_ID', 'MLFLOW_EXPERIMENT_NAME', 'MLFLOW_EXPERIMENT_ID', 'JPY_PARENT_PID']) delete process.env[k];
  await cleanup();
});

describe('run lifecycle', () => {
  it('starts a run with the context tags and ends it FINISHED', async () => {
    const run = await startRun({ runName: 'first', tags: { team: 'a' }, description: 'hello' });
    expect(activeRun()).toBe(run);
    expect(run.info.status).toBe('RUNNING');
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    expect(tags['mlflow.runName']).toBe('first');
    expect(tags.team).toBe('a');
    expect(tags['mlflow.note.content']).toBe('hello');
    expect(tags['mlflow.user']).toBeTruthy();
    expect(tags['mlflow.source.type']).toBe('LOCAL');
    expect(tags['mlflow.source.name']).toBe(process.argv[1]);
    const git = readGitInfo(sourceDirectory());
    if (git) expect(tags['mlflow.source.git.commit']).toBe(git.commit);
    await endRun();
    expect(activeRun()).toBeNull();
    const stored = await client.getRun(run.runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.info.endTime).toBeGreaterThanOrEqual(stored.info.startTime);
    expect((await lastActiveRun())?.info.runId).toBe(run.runId);
  });

  it('marks notebook runs NOTEBOOK', async () => {
    process.env.JPY_PARENT_PID = '1';
    const run = await startRun();
    expect(run.data.tags.find((t) => t.key === 'mlflow.source.type')?.value).toBe('NOTEBOOK');
    expect(run.data.tags.find((t) => t.key === 'mlflow.source.name')?.value).toBe('<console>');
  });

  it('refuses a second active run unless nested, and tags nested runs with their parent', async () => {
    const parent = await startRun();
    await expect(startRun()).rejects.toMatchObject({ errorCode: 'INVALID_STATE' });
    const child = await startRun({ nested: true });
    expect(child.data.tags.find((t) => t.key === 'mlflow.parentRunId')?.value).toBe(parent.runId);
    expect(activeRun()).toBe(child);
    await endRun();
    expect(activeRun()).toBe(parent);
    await endRun('KILLED');
    expect((await client.getRun(parent.runId)).info.status).toBe('KILLED');
    expect((await client.getRun(child.runId)).info.status).toBe('FINISHED');
  });

  it('resumes a run by id, and by MLFLOW_RUN_ID (consumed once)', async () => {
    const first = await startRun();
    logMetric('x', 1, { step: 0 });
    await endRun();
    const resumed = await startRun({ runId: first.runId });
    expect(resumed.runId).toBe(first.runId);
    expect(resumed.info.status).toBe('RUNNING');
    logMetric('x', 2, { step: 1 });
    await endRun();
    process.env.MLFLOW_RUN_ID = first.runId;
    const again = await startRun();
    expect(again.runId).toBe(first.runId);
    expect(process.env.MLFLOW_RUN_ID).toBeUndefined();
    await endRun();
    expect((await client.getMetricHistory(first.runId, 'x')).map((m) => m.value)).toEqual([1, 2]);
    expect((await client.getRun(first.runId)).info.status).toBe('FINISHED');
  });

  it('withRun ends FINISHED with the result, FAILED with a rethrow', async () => {
    let okId = '';
    const result = await withRun(async (run) => {
      okId = run.runId;
      logMetric('m', 1);
      return 42;
    });
    expect(result).toBe(42);
    expect((await client.getRun(okId)).info.status).toBe('FINISHED');
    expect((await client.getRun(okId)).data.metrics).toHaveLength(1);

    let failedId = '';
    const boom = new Error('boom');
    await expect(
      withRun(async (run) => {
        failedId = run.runId;
        await new Promise((r) => setTimeout(r, 1));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await client.getRun(failedId)).info.status).toBe('FAILED');
    await expect(withRun(() => { throw boom; })).rejects.toBe(boom);
    expect(activeRun()).toBeNull();
  });

  it('keeps concurrent withRun scopes apart', async () => {
    const ids = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        withRun(async (run) => {
          for (let step = 0; step < 20; step++) {
            expect(activeRun()).toBe(run);
            logMetric('who', n, { step });
            await new Promise((r) => setTimeout(r, Math.random() * 3));
          }
          logParam('n', n);
          return run.runId;
        }),
      ),
    );
    expect(new Set(ids).size).toBe(5);
    for (const [n, id] of ids.entries()) {
      const history = await client.getMetricHistory(id, 'who');
      expect(history).toHaveLength(20);
      expect(new Set(history.map((m) => m.value))).toEqual(new Set([n]));
      expect((await client.getRun(id)).data.params).toEqual([{ key: 'n', value: String(n) }]);
    }
    expect(activeRun()).toBeNull();
  });

  it('starts a run when logging with none active', async () => {
    logMetric('auto', 3);
    logParams({ a: 1, b: 'two' });
    setTag('k', 'v');
    const run = activeRun()!;
    await run.ready;
    await endRun();
    const stored = await client.getRun(run.runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.data.metrics.map((m) => m.value)).toEqual([3]);
    expect(stored.data.params).toHaveLength(2);
  });

  it('surfaces a param conflict on endRun and still ends the run', async () => {
    const run = await startRun();
    logParam('lr', 0.1);
    logParam('lr', 0.2);
    logMetric('loss', 1);
    const error = await endRun().catch((e: unknown) => e);
    expect(LablogError.is(error)).toBe(true);
    expect((error as LablogError).message).toMatch(/Changing param values is not allowed/);
    const stored = await client.getRun(run.runId);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.data.params).toEqual([{ key: 'lr', value: '0.1' }]);
    expect(stored.data.metrics).toHaveLength(1);
    expect(reports).toHaveLength(1); // reported once as it happened, then surfaced by endRun
  });

  it('installs process hooks only while a run is active or data is queued', async () => {
    expect(shutdownHooksInstalled()).toBe(false);
    await startRun();
    expect(shutdownHooksInstalled()).toBe(true);
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
    logMetric('x', 1);
    await endRun();
    await flush();
    expect(shutdownHooksInstalled()).toBe(false);
  });

  it('logs synchronously per call or globally', async () => {
    const run = await startRun();
    const p = logMetric('s', 1, { synchronous: true });
    expect(p).toBeInstanceOf(Promise);
    await p;
    expect((await client.getMetricHistory(run.runId, 's'))).toHaveLength(1);
    setSynchronousLogging(true);
    await expect(logParam('x', 'a')).resolves.toBeUndefined();
    await expect(logParam('x', 'b')).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    await logMetrics({ a: 1, b: 2 }, { step: 3 });
    expect((await client.getRun(run.runId)).data.metrics).toHaveLength(3);
  });

  it('reads its own queued writes, and deletes tags after queued ones', async () => {
    await startRun();
    for (let i = 0; i < 10; i++) logMetric('q', i, { step: i });
    expect((await getMetricHistory('q')).map((m) => m.step)).toEqual([...Array(10).keys()]);
    setTag('temp', 'x');
    await deleteTag('temp');
    expect((await getRun()).data.tags.some((t) => t.key === 'temp')).toBe(false);
    await flush();
  });
});

describe('experiments', () => {
  it('setExperiment creates a missing experiment and runs go there', async () => {
    const exp = await setExperiment('fluent-exp');
    const run = await startRun();
    expect(run.info.experimentId).toBe(exp.experimentId);
    expect((await setExperiment('fluent-exp')).experimentId).toBe(exp.experimentId);
  });

  it('honours MLFLOW_EXPERIMENT_NAME', async () => {
    process.env.MLFLOW_EXPERIMENT_NAME = 'from-env';
    const run = await startRun();
    const exp = await client.getExperimentByName('from-env');
    expect(run.info.experimentId).toBe(exp!.experimentId);
  });
});

describe('inputs, artifacts and search', () => {
  it('logs an Arrow table as a dataset input', async () => {
    await startRun();
    const table = tableFromArrays({ x: new Float64Array([1, 2, 3]), y: new Int32Array([0, 1, 0]) });
    await logInput(table, { context: 'training', name: 'toy' });
    const inputs = (await getRun()).inputs.datasetInputs;
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.dataset.name).toBe('toy');
    expect(inputs[0]!.dataset.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(inputs[0]!.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
  });

  it('logs artifacts, text and dicts', async () => {
    await startRun();
    const local = join(dir, 'model.txt');
    await writeFile(local, 'weights');
    await logArtifact(local, 'model');
    await logText('hello', 'notes/readme.md');
    await logDict({ a: 1 }, 'config.yaml');
    await logDict({ a: 1 }, 'config.json');
    const root = (await listArtifacts()).map((f) => f.path).sort();
    expect(root).toEqual(['config.json', 'config.yaml', 'model', 'notes']);
  });

  it('searches runs as typed runs and as an Arrow table', async () => {
    await setExperiment('search');
    for (const acc of [0.2, 0.6, 0.9]) {
      await withRun(async () => {
        logMetric('acc', acc);
        logParam('acc_bucket', acc > 0.5 ? 'high' : 'low');
      });
    }
    const runs = await searchRuns({ filter: 'metrics.acc > 0.5', orderBy: ['metrics.acc DESC'] });
    expect(runs.map((r) => r.data.metrics[0]!.value)).toEqual([0.9, 0.6]);
    const table = await searchRuns({ experimentNames: ['search'], output: 'arrow', orderBy: ['metrics.acc ASC'] });
    expect(table.numRows).toBe(3);
    expect(table.getChild('metrics.acc')!.toArray()).toEqual(new Float64Array([0.2, 0.6, 0.9]));
    expect(table.getChild('params.acc_bucket')!.toArray()).toEqual(['low', 'high', 'high']);
  });
});

describe('file store', () => {
  it('runs the lifecycle on a bare path', async () => {
    setTrackingUri(join(dir, 'mlruns'));
    const fileClient = new TrackingClient();
    const id = await withRun(async (run) => {
      logMetric('m', 1);
      logParam('p', 'v');
      return run.runId;
    });
    const stored = await fileClient.getRun(id);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.data.params).toEqual([{ key: 'p', value: 'v' }]);
  });
});
