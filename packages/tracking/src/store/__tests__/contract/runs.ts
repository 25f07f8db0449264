/**
 * Tracking contract: run lifecycle (ref §2.3, §5.4, §13, §18).
 */
import { describe, expect, it } from 'vitest';
import type { TrackingContext } from './tracking-context.js';
import { expectError, keyCount, metric, newRun, T0, tagOf, uniqueName } from './helpers.js';

const RUN_NAME_TAG = 'mlflow.runName';
const UNKNOWN_RUN_ID = 'f'.repeat(32);
const DATASET = { name: 'ds', digest: 'abcd1234', sourceType: 'local', source: '{"uri": "/data/x.csv"}' };

/** Creating, reading, updating, deleting and restoring runs. */
export function addRunTests(ctx: () => TrackingContext): void {
  describe('runs', () => {
    it('creates a run: 32-hex id, RUNNING, active, name stored as the mlflow.runName tag', async () => {
      const { store } = ctx();
      const exp = await store.createExperiment(uniqueName());
      const run = await store.createRun({ experimentId: exp, userId: 'alice', startTime: T0, tags: [{ key: 't1', value: 'v1' }], runName: 'r1' });
      expect(run.info.runId).toMatch(/^[0-9a-f]{32}$/);
      expect(run.info).toMatchObject({ experimentId: exp, userId: 'alice', status: 'RUNNING', startTime: T0, lifecycleStage: 'active', runName: 'r1' });
      expect(run.info.endTime ?? null).toBeNull();
      expect(tagOf(run.data.tags, 't1')).toBe('v1');
      expect(tagOf(run.data.tags, RUN_NAME_TAG)).toBe('r1');
      expect(keyCount(run.data.tags, RUN_NAME_TAG)).toBe(1);
      expect(run.data.metrics).toEqual([]);
      expect(run.data.params).toEqual([]);
      expect(run.inputs.datasetInputs).toEqual([]);
      const again = await store.getRun(run.info.runId);
      expect(again.info).toEqual(run.info);
      expect(tagOf(again.data.tags, RUN_NAME_TAG)).toBe('r1');
    });

    it('gives distinct ids to runs', async () => {
      const { store } = ctx();
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add((await newRun(store, '0')).info.runId);
      expect(ids.size).toBe(5);
    });

    it('generates a run name <adjective>-<noun>-<n> when none is given, and stores it as a tag', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0');
      expect(run.info.runName).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
      expect(run.info.runName.length).toBeLessThanOrEqual(20);
      expect(tagOf(run.data.tags, RUN_NAME_TAG)).toBe(run.info.runName);
      expect((await store.getRun(run.info.runId)).info.runName).toBe(run.info.runName);
    });

    it('takes the run name from the mlflow.runName tag when no run name is given', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { tags: [{ key: RUN_NAME_TAG, value: 'from-tag' }] });
      expect(run.info.runName).toBe('from-tag');
      expect(tagOf(run.data.tags, RUN_NAME_TAG)).toBe('from-tag');
      expect(keyCount(run.data.tags, RUN_NAME_TAG)).toBe(1);
    });

    it('accepts a run name equal to the mlflow.runName tag and rejects a conflicting one', async () => {
      const { store } = ctx();
      const same = await newRun(store, '0', { runName: 'same', tags: [{ key: RUN_NAME_TAG, value: 'same' }] });
      expect(same.info.runName).toBe('same');
      await expectError(newRun(store, '0', { runName: 'a', tags: [{ key: RUN_NAME_TAG, value: 'b' }] }), 'INVALID_PARAMETER_VALUE');
    });

    it('refuses runs in an unknown (RESOURCE_DOES_NOT_EXIST) or deleted (INVALID_STATE) experiment', async () => {
      const { store } = ctx();
      await expectError(newRun(store, '987654321'), 'RESOURCE_DOES_NOT_EXIST');
      const exp = await store.createExperiment(uniqueName());
      await store.deleteExperiment(exp);
      await expectError(newRun(store, exp), 'INVALID_STATE');
      expect((await store.searchRunsPage({ experimentIds: [exp], runViewType: 'ALL' })).items).toEqual([]);
    });

    it('answers RESOURCE_DOES_NOT_EXIST for an unknown run id', async () => {
      const { store } = ctx();
      await expectError(store.getRun(UNKNOWN_RUN_ID), 'RESOURCE_DOES_NOT_EXIST', UNKNOWN_RUN_ID);
      await expectError(store.updateRunInfo(UNKNOWN_RUN_ID, { status: 'FINISHED' }), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.deleteRun(UNKNOWN_RUN_ID), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.restoreRun(UNKNOWN_RUN_ID), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.logBatch(UNKNOWN_RUN_ID, { metrics: [metric('m', 1)] }), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.deleteTag(UNKNOWN_RUN_ID, 'k'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.logInputs(UNKNOWN_RUN_ID, [{ dataset: DATASET, tags: [] }]), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('updates status and end time, changing only the fields given', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { runName: 'keep' });
      const info = await store.updateRunInfo(run.info.runId, { status: 'FINISHED', endTime: T0 + 1000 });
      expect(info).toMatchObject({ runId: run.info.runId, status: 'FINISHED', endTime: T0 + 1000, runName: 'keep', startTime: T0 });
      const got = await store.getRun(run.info.runId);
      expect(got.info).toEqual(info);
      const info2 = await store.updateRunInfo(run.info.runId, { status: 'FAILED' });
      expect(info2).toMatchObject({ status: 'FAILED', endTime: T0 + 1000, runName: 'keep' });
    });

    it('renaming through updateRunInfo keeps the mlflow.runName tag in sync', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { runName: 'old' });
      const info = await store.updateRunInfo(run.info.runId, { runName: 'new' });
      expect(info.runName).toBe('new');
      expect(info.status).toBe('RUNNING');
      const got = await store.getRun(run.info.runId);
      expect(got.info.runName).toBe('new');
      expect(tagOf(got.data.tags, RUN_NAME_TAG)).toBe('new');
      expect(keyCount(got.data.tags, RUN_NAME_TAG)).toBe(1);
    });

    it('setting the mlflow.runName tag renames the run', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { runName: 'old' });
      await store.logBatch(run.info.runId, { tags: [{ key: RUN_NAME_TAG, value: 'renamed' }] });
      const got = await store.getRun(run.info.runId);
      expect(got.info.runName).toBe('renamed');
      expect(tagOf(got.data.tags, RUN_NAME_TAG)).toBe('renamed');
      expect(keyCount(got.data.tags, RUN_NAME_TAG)).toBe(1);
    });

    it('soft-deletes and restores a run; a deleted run is still readable', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0');
      await store.logBatch(run.info.runId, { metrics: [metric('m', 1)], params: [{ key: 'p', value: 'v' }] });
      await store.deleteRun(run.info.runId);
      const deleted = await store.getRun(run.info.runId);
      expect(deleted.info.lifecycleStage).toBe('deleted');
      expect(deleted.data.params).toEqual([{ key: 'p', value: 'v' }]);
      await store.restoreRun(run.info.runId);
      const restored = await store.getRun(run.info.runId);
      expect(restored.info.lifecycleStage).toBe('active');
      expect(restored.data.metrics.map((m) => m.key)).toEqual(['m']);
    });

    it('rejects writes to a deleted run with INVALID_PARAMETER_VALUE, changing nothing', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { tags: [{ key: 'keep', value: '1' }] });
      const id = run.info.runId;
      await store.deleteRun(id);
      await expectError(store.logBatch(id, { metrics: [metric('m', 1)] }), 'INVALID_PARAMETER_VALUE', id, /active/);
      await expectError(store.logBatch(id, { params: [{ key: 'p', value: 'v' }] }), 'INVALID_PARAMETER_VALUE', /active/);
      await expectError(store.logBatch(id, { tags: [{ key: 't', value: 'v' }] }), 'INVALID_PARAMETER_VALUE', /active/);
      await expectError(store.updateRunInfo(id, { status: 'FINISHED' }), 'INVALID_PARAMETER_VALUE', /active/);
      await expectError(store.deleteTag(id, 'keep'), 'INVALID_PARAMETER_VALUE', /active/);
      await expectError(store.logInputs(id, [{ dataset: DATASET, tags: [] }]), 'INVALID_PARAMETER_VALUE', /active/);
      const got = await store.getRun(id);
      expect(got.data.metrics).toEqual([]);
      expect(got.data.params).toEqual([]);
      expect(tagOf(got.data.tags, 't')).toBeUndefined();
      expect(tagOf(got.data.tags, 'keep')).toBe('1');
      expect(got.info.status).toBe('RUNNING');
      expect(got.inputs.datasetInputs).toEqual([]);
    });

    it('still logs to a FINISHED run that is active', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0');
      await store.updateRunInfo(run.info.runId, { status: 'FINISHED', endTime: T0 + 5 });
      await store.logBatch(run.info.runId, { metrics: [metric('late', 2)], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'v' }] });
      const got = await store.getRun(run.info.runId);
      expect(got.info.status).toBe('FINISHED');
      expect(got.data.metrics.map((m) => m.key)).toEqual(['late']);
      expect(got.data.params).toEqual([{ key: 'p', value: 'v' }]);
      expect(tagOf(got.data.tags, 't')).toBe('v');
    });

    it('deletes a tag; a missing tag is RESOURCE_DOES_NOT_EXIST', async () => {
      const { store } = ctx();
      const run = await newRun(store, '0', { tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
      await store.deleteTag(run.info.runId, 'a');
      const got = await store.getRun(run.info.runId);
      expect(tagOf(got.data.tags, 'a')).toBeUndefined();
      expect(tagOf(got.data.tags, 'b')).toBe('2');
      await expectError(store.deleteTag(run.info.runId, 'a'), 'RESOURCE_DOES_NOT_EXIST');
      await expectError(store.deleteTag(run.info.runId, 'never'), 'RESOURCE_DOES_NOT_EXIST');
    });
  });
}
