/**
 * Done-criterion of the file store: a tree written by lablog, checked file for file by an
 * independent reader in Python (`__tests__/check_mlruns.py`, written from ref §7 / §18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileStore } from './file-store.js';
import { havePython, runPython } from './__tests__/python.js';

const CHECKER = fileURLToPath(new URL('./__tests__/check_mlruns.py', import.meta.url));
const T = 1_731_990_000_000;

interface Checked {
  experiments: Record<string, {
    name: string;
    lifecycle_stage: string;
    trashed: boolean;
    tags: Record<string, string>;
    datasets: string[][];
    runs: Record<string, {
      name: string;
      status: number;
      lifecycle_stage: string;
      has_deleted_time: boolean;
      user_id: string;
      start_time: number;
      end_time: number | null;
      metrics: Record<string, (string | number)[][]>;
      params: Record<string, string>;
      tags: Record<string, string>;
      inputs: { dataset: string; digest: string; tags: Record<string, string> }[];
    }>;
  }>;
  registry: Record<string, {
    description: string | null;
    aliases: Record<string, string>;
    tags: Record<string, string>;
    versions: Record<string, { stage: string; source: string; storage_location: string; run_id: string | null; description: string | null; tags: Record<string, string> }>;
  }>;
  errors: string[];
}

describe.skipIf(!havePython())('lablog-written mlruns, read by an independent Python reader', () => {
  let dir: string;
  let root: string;
  let checked: Checked;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lablog-layout-'));
    root = path.join(dir, 'mlruns');
    const store = new FileStore({ root });
    ids.exp = await store.createExperiment('exp-a', undefined, [{ key: 'team', value: 'vision' }, { key: 'note/area', value: 'nested tag' }]);
    ids.gone = await store.createExperiment('exp-gone');
    const run = await store.createRun({ experimentId: ids.exp, userId: 'alice', startTime: T, tags: [{ key: 'mlflow.user', value: 'alice' }], runName: 'bold-cat-123' });
    ids.run = run.info.runId;
    await store.logBatch(ids.run, {
      metrics: [
        { key: 'loss', value: 0.5, timestamp: T + 1, step: 0 },
        { key: 'loss', value: 0.25, timestamp: T + 2, step: 1 },
        { key: 'loss', value: 3, timestamp: T + 3, step: 2 },
        { key: 'train/acc', value: 1e-5, timestamp: T + 4, step: 0 },
        { key: 'weird', value: NaN, timestamp: T + 5, step: 0 },
        { key: 'weird', value: Infinity, timestamp: T + 6, step: 1 },
        { key: 'weird', value: -Infinity, timestamp: T + 7, step: 2 },
        { key: 'eval_loss', value: 0.125, timestamp: T + 8, step: 0, datasetName: 'iris', datasetDigest: 'a1b2c3d4' },
      ],
      params: [{ key: 'lr', value: '0.01' }, { key: 'opt/name', value: 'adam' }, { key: 'empty', value: '' }],
      tags: [{ key: 'team', value: 'vision' }, { key: 'multi', value: 'line one\nline two' }],
    });
    await store.logInputs(ids.run, [
      {
        dataset: { name: 'iris', digest: 'a1b2c3d4', sourceType: 'local', source: '{"uri": "/data/iris.csv"}', schema: '{"mlflow_colspec": []}' },
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
      },
    ]);
    await store.updateRunInfo(ids.run, { status: 'FINISHED', endTime: T + 100 });
    const dead = await store.createRun({ experimentId: ids.exp, userId: 'bob', startTime: T + 10, tags: [], runName: 'dead-run' });
    ids.dead = dead.info.runId;
    await store.deleteRun(ids.dead);
    const inGone = await store.createRun({ experimentId: ids.gone, userId: 'carol', startTime: T, tags: [] });
    ids.inGone = inGone.info.runId;
    await store.deleteExperiment(ids.gone);

    await store.createRegisteredModel('fm', [{ key: 'k', value: 'v' }], 'first model');
    await store.createModelVersion({ name: 'fm', source: `runs:/${ids.run}/model`, runId: ids.run, description: 'v1' });
    await store.createModelVersion({ name: 'fm', source: `runs:/${ids.run}/model`, runId: ids.run, tags: [{ key: 'vt', value: 'x' }] });
    await store.createModelVersion({ name: 'fm', source: 's3://bucket/model' });
    await store.setRegisteredModelAlias('fm', 'champ', '1');
    await store.transitionModelVersionStage('fm', '2', 'staging', false);
    await store.deleteModelVersion('fm', '3');
    await store.close();
    checked = JSON.parse(runPython([CHECKER, root])) as Checked;
  });

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds no layout or format violation', () => {
    expect(checked.errors).toEqual([]);
  });

  it('reads experiments: Default, the active one with its tags, the deleted one in .trash', () => {
    expect(Object.keys(checked.experiments).sort()).toEqual(['0', ids.exp, ids.gone].sort());
    expect(checked.experiments['0']).toMatchObject({ name: 'Default', lifecycle_stage: 'active', trashed: false });
    expect(checked.experiments[ids.exp!]).toMatchObject({ name: 'exp-a', trashed: false, tags: { team: 'vision', 'note/area': 'nested tag' } });
    expect(checked.experiments[ids.exp!]!.datasets).toEqual([['iris', 'a1b2c3d4', 'local']]);
    const gone = checked.experiments[ids.gone!]!;
    expect(gone).toMatchObject({ name: 'exp-gone', lifecycle_stage: 'deleted', trashed: true });
    expect(gone.runs[ids.inGone!]).toMatchObject({ lifecycle_stage: 'deleted', has_deleted_time: true });
  });

  it('reads the run: integer status, metric lines as Python writes them, raw params and tags, the input', () => {
    const run = checked.experiments[ids.exp!]!.runs[ids.run!]!;
    expect(run).toMatchObject({ name: 'bold-cat-123', status: 3, lifecycle_stage: 'active', user_id: 'alice', start_time: T, end_time: T + 100 });
    expect(run.metrics).toEqual({
      loss: [[T + 1, '0.5', 0], [T + 2, '0.25', 1], [T + 3, '3.0', 2]],
      'train/acc': [[T + 4, '1e-05', 0]],
      weird: [[T + 5, 'nan', 0], [T + 6, 'inf', 1], [T + 7, '-inf', 2]],
      eval_loss: [[T + 8, '0.125', 0, 'iris', 'a1b2c3d4']],
    });
    expect(run.params).toEqual({ empty: '', lr: '0.01', 'opt/name': 'adam' });
    expect(run.tags).toEqual({ 'mlflow.runName': 'bold-cat-123', 'mlflow.user': 'alice', multi: 'line one\nline two', team: 'vision' });
    expect(run.inputs).toEqual([{ dataset: 'iris', digest: 'a1b2c3d4', tags: { 'mlflow.data.context': 'training' } }]);
    expect(checked.experiments[ids.exp!]!.runs[ids.dead!]).toMatchObject({ name: 'dead-run', lifecycle_stage: 'deleted', has_deleted_time: true, status: 1 });
  });

  it('the reader is not vacuous: it flags a tampered copy', async () => {
    const copy = path.join(dir, 'tampered');
    await fs.cp(root, copy, { recursive: true });
    const runDir = path.join(copy, ids.exp!, ids.run!);
    const meta = await fs.readFile(path.join(runDir, 'meta.yaml'), 'utf8');
    await fs.writeFile(path.join(runDir, 'meta.yaml'), meta.replace('status: 3', "status: '3'").replace(`experiment_id: '${ids.exp}'`, `experiment_id: ${ids.exp}`));
    await fs.writeFile(path.join(runDir, 'metrics', 'loss'), `${T} 3 0\n${T} 0.5 0`);
    await fs.writeFile(path.join(copy, ids.exp!, '.stray'), '');
    const errors = (JSON.parse(runPython([CHECKER, copy])) as Checked).errors.join('\n');
    expect(errors).toMatch(/status '3' is not an int/);
    expect(errors).toMatch(/experiment_id is not the quoted id/);
    expect(errors).toMatch(/value '3' is not Python's str\(float\)/);
    expect(errors).toMatch(/does not end with a newline/);
    expect(errors).toMatch(/unexpected file in an experiment/);
  });

  it('reads the registry: versions, soft delete, stage, alias, tags', () => {
    const fm = checked.registry.fm!;
    expect(fm).toMatchObject({ description: 'first model', aliases: { champ: '1' }, tags: { k: 'v' } });
    expect(fm.versions['1']).toMatchObject({ stage: 'None', description: 'v1', run_id: ids.run, storage_location: `runs:/${ids.run}/model` });
    expect(fm.versions['2']).toMatchObject({ stage: 'Staging', tags: { vt: 'x' } });
    expect(fm.versions['3']).toMatchObject({ stage: 'Deleted_Internal', run_id: null, source: 's3://bucket/model' });
  });
});
