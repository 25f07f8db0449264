/**
 * FileStore reads a tree as MLflow 2.17 / 3.x writes it (`__tests__/fixtures/mlruns`, see its
 * README): legacy and current metas, 2/3/5-field metric lines, datasets, the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore } from './file-store.js';
import { LablogError } from '../../errors.js';
import type { Run } from '../../entities/run.js';

const FIXTURE = fileURLToPath(new URL('./__tests__/fixtures/mlruns', import.meta.url));
const T = 1731990000000;
const EXP = '742679845729036480';
const TRASHED = '313546781234567890';
const RUN_A = '7285a1f0c3d94e2b8f6a5c4d3e2b1a09';
const RUN_B = 'c4ca4238a0b923820dcc509a6f75849b';
const RUN_C = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const RUN_MISPLACED = 'eccbc87e4b5ce2fe28308fd9f2a7baf3';
const RUN_LEGACY = '5d41402abc4b2a76b9719d911017c592';
const RUN_TRASHED = 'a87ff679a2f3e71d9181a67b7542122c';

const record = (xs: readonly { key: string; value: string }[]) => Object.fromEntries(xs.map((x) => [x.key, x.value]));
const ids = (runs: readonly Run[]) => runs.map((r) => r.info.runId);

describe('FileStore on a tree written by MLflow', () => {
  let dir: string;
  let store: FileStore;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-fixture-'));
    await fs.cp(FIXTURE, path.join(dir, 'mlruns'), { recursive: true });
    store = new FileStore({ root: `file://${path.join(dir, 'mlruns')}` });
  });

  afterAll(async () => {
    await store?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads experiments: Default, an int experiment_id, tags, a deleted one in .trash', async () => {
    expect(await store.getExperiment('0')).toMatchObject({ name: 'Default', lifecycleStage: 'active' });
    expect(await store.getExperiment('1')).toMatchObject({ experimentId: '1', name: 'legacy', lifecycleStage: 'active', creationTime: 0 });
    const exp = await store.getExperiment(EXP);
    expect(exp).toMatchObject({ name: 'churn-model', creationTime: T, artifactLocation: `file:///home/alice/projects/churn/mlruns/${EXP}` });
    expect(record(exp.tags)).toEqual({ team: 'growth', 'mlflow.note.content': 'Churn experiments, Q4' });
    const gone = await store.getExperiment(TRASHED);
    expect(gone).toMatchObject({ name: 'old-exp', lifecycleStage: 'deleted' });
    expect(record(gone.tags)).toEqual({ owner: 'dana' });
    expect((await store.getExperimentByName('old-exp'))?.experimentId).toBe(TRASHED);
    const active = await store.searchExperiments({ maxResults: 100 });
    expect(active.items.map((e) => e.experimentId).sort()).toEqual(['0', '1', EXP].sort());
    const deleted = await store.searchExperiments({ maxResults: 100, viewType: 'DELETED_ONLY' });
    expect(deleted.items.map((e) => e.experimentId)).toEqual([TRASHED]);
  });

  it('reads a finished run: latest metrics, nested keys, NaN/inf, the 5-field line, params, tags, inputs', async () => {
    const run = await store.getRun(RUN_A);
    expect(run.info).toEqual({
      runId: RUN_A,
      experimentId: EXP,
      runName: 'bold-cat-123',
      userId: 'alice',
      status: 'FINISHED',
      startTime: T + 1000,
      endTime: T + 60000,
      artifactUri: `file:///home/alice/projects/churn/mlruns/${EXP}/${RUN_A}/artifacts`,
      lifecycleStage: 'active',
    });
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m]));
    expect(metrics.loss).toEqual({ key: 'loss', value: 0.125, timestamp: T + 4000, step: 2 });
    expect(metrics['train/acc']).toEqual({ key: 'train/acc', value: 0.9, timestamp: T + 3000, step: 1 });
    expect(metrics.eval_loss).toEqual({ key: 'eval_loss', value: 0.3, timestamp: T + 5000, step: 2, datasetName: 'churn', datasetDigest: 'a1b2c3d4' });
    expect(metrics.grad_norm).toMatchObject({ value: 1e-5, step: 2 });
    expect(record(run.data.params)).toEqual({ lr: '0.01', batch_size: '32', 'optimizer/name': 'adam' });
    expect(record(run.data.tags)).toMatchObject({ 'mlflow.runName': 'bold-cat-123', 'mlflow.source.type': 'LOCAL', team: 'growth' });
    expect(run.inputs.datasetInputs).toHaveLength(1);
    expect(run.inputs.datasetInputs[0]!.dataset).toMatchObject({ name: 'churn', digest: 'a1b2c3d4', sourceType: 'local', source: '{"uri": "/data/churn.csv"}' });
    expect(run.inputs.datasetInputs[0]!.dataset.schema).toBe(
      '{"mlflow_colspec": [{"type": "double", "name": "tenure", "required": true}, {"type": "long", "name": "churned", "required": true}]}',
    );
    expect(run.inputs.datasetInputs[0]!.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
  });

  it('reads a legacy run: int experiment_id, no status (RUNNING), no lifecycle_stage (active), 2-field lines', async () => {
    const run = await store.getRun(RUN_LEGACY);
    expect(run.info).toMatchObject({ experimentId: '1', status: 'RUNNING', lifecycleStage: 'active', runName: 'legacy-run', userId: 'bob', endTime: null });
    expect(run.data.metrics).toEqual([{ key: 'rmse', value: 0.6, timestamp: 1546300802000, step: 0 }]);
    const history = await store.getMetricHistory(RUN_LEGACY, 'rmse');
    expect(history.items.map((m) => [m.value, m.step])).toEqual([[0.8, 0], [0.6, 0]]);
  });

  it('metric history comes back in line order, NaN and inf included', async () => {
    const h = await store.getMetricHistory(RUN_A, 'grad_norm');
    expect(h.items.map((m) => m.value)).toEqual([NaN, Infinity, 1e-5]);
    const paged = await store.getMetricHistory(RUN_A, 'loss', { maxResults: 2 });
    expect(paged.items.map((m) => m.value)).toEqual([0.5, 0.25]);
    expect((await store.getMetricHistory(RUN_A, 'loss', { maxResults: 2, pageToken: paged.nextPageToken })).items.map((m) => m.value)).toEqual([0.125]);
  });

  it('searches runs: skips reserved dirs, non-runs and a run whose meta names another experiment', async () => {
    const active = await store.searchRunsPage({ experimentIds: [EXP] });
    expect(ids(active.items)).toEqual([RUN_C, RUN_A]);
    expect(ids((await store.searchRunsPage({ experimentIds: [EXP], runViewType: 'DELETED_ONLY' })).items)).toEqual([RUN_B]);
    expect(ids((await store.searchRunsPage({ experimentIds: [EXP], filter: 'metrics.loss < 1' })).items)).toEqual([RUN_A]);
    expect(ids((await store.searchRunsPage({ experimentIds: [EXP], filter: "datasets.context = 'training'" })).items)).toEqual([RUN_A]);
    expect(ids((await store.searchRunsPage({ experimentIds: [EXP, '0'], orderBy: ['params.lr DESC'] })).items)).toEqual([RUN_C, '0b6e6f1f2c7a4a8f9d3e5b1c2a4d6e80', RUN_A]);
    expect(ids((await store.searchRunsPage({ experimentIds: [TRASHED], runViewType: 'ALL' })).items)).toEqual([RUN_TRASHED]);
    const err = await store.getRun(RUN_MISPLACED).catch((e: unknown) => e);
    expect(LablogError.is(err) && err.errorCode).toBe('INVALID_STATE');
  });

  it('reads the registry: aliases, tags, latest versions, soft-deleted version, MLflow 3 keys', async () => {
    const m = await store.getRegisteredModel('churn-classifier');
    expect(m).toMatchObject({ name: 'churn-classifier', description: 'Predicts churn', creationTimestamp: T + 70000, lastUpdatedTimestamp: T + 95000 });
    expect(m.aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect(record(m.tags)).toEqual({ owner: 'growth' });
    expect(m.latestVersions.map((v) => [v.version, v.currentStage])).toEqual([['2', 'Staging'], ['1', 'Production']]);
    const v1 = await store.getModelVersionByAlias('churn-classifier', 'champion');
    expect(v1).toMatchObject({ version: '1', currentStage: 'Production', description: 'first', runId: RUN_A, aliases: ['champion'], status: 'READY' });
    expect(record((await store.getModelVersion('churn-classifier', '2')).tags)).toEqual({ validated: 'true' });
    const gone = await store.getModelVersion('churn-classifier', '3').catch((e: unknown) => e);
    expect(LablogError.is(gone) && gone.errorCode).toBe('RESOURCE_DOES_NOT_EXIST');
    const found = await store.searchModelVersions({ filter: "name = 'churn-classifier'" });
    expect(found.items.map((v) => v.version).sort()).toEqual(['1', '2']);
    expect(await store.getModelVersionDownloadUri('churn-classifier', '1')).toBe(`file:///home/alice/projects/churn/mlruns/${EXP}/${RUN_A}/artifacts/model`);
  });

  it('writes into the tree without reusing version numbers or disturbing what it did not touch', async () => {
    const v = await store.createModelVersion({ name: 'churn-classifier', source: 's3://b/model' });
    expect(v.version).toBe('4');
    await store.logBatch(RUN_A, { metrics: [{ key: 'loss', value: 0.0625, timestamp: T + 7000, step: 3 }] });
    const text = await fs.readFile(path.join(dir, 'mlruns', EXP, RUN_A, 'metrics', 'loss'), 'utf8');
    expect(text).toBe(`${T + 2000} 0.5 0\n${T + 3000} 0.25 1\n${T + 4000} 0.125 2\n${T + 7000} 0.0625 3\n`);
    const before = await fs.readFile(path.join(FIXTURE, '1', 'meta.yaml'), 'utf8');
    expect(await fs.readFile(path.join(dir, 'mlruns', '1', 'meta.yaml'), 'utf8')).toBe(before);
  });
});
