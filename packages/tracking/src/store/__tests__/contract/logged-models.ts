/**
 * Tracking contract: `recordLoggedModel` (MLflow's `record_logged_model`, `runs/log-model`)
 * and the run tag `mlflow.log-model.history` (ref §13).
 */
import { describe, expect, it } from 'vitest';
import { MLFLOW_LOGGED_MODELS } from '../../../tags.js';
import { MAX_TAG_VAL_LENGTH } from '../../../validation.js';
import type { TrackingContext } from './tracking-context.js';
import { expectError, newRun, tagOf } from './helpers.js';

const UNKNOWN_RUN_ID = 'f'.repeat(32);

function mlmodel(runId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    artifact_path: 'model',
    run_id: runId,
    utc_time_created: '2026-11-23 01:02:03.456789',
    model_uuid: '0123456789abcdef0123456789abcdef',
    flavors: {
      onnx: { data: 'model.onnx', onnx_version: '1.17.0', config: { big: 'x'.repeat(100) } },
      python_function: { loader_module: 'mlflow.onnx' },
    },
    ...extra,
  };
}

function history(tags: readonly { key: string; value: string }[]): Record<string, unknown>[] {
  const value = tagOf(tags, MLFLOW_LOGGED_MODELS);
  return value === undefined ? [] : (JSON.parse(value) as Record<string, unknown>[]);
}

/** recordLoggedModel: validation, the history entry, atomic appends. */
export function addLoggedModelTests(ctx: () => TrackingContext): void {
  describe('recordLoggedModel', () => {
    it('appends each model to mlflow.log-model.history in order, without flavor configs', async () => {
      const { store } = ctx();
      const id = (await newRun(store, '0')).info.runId;
      await store.recordLoggedModel(id, JSON.stringify(mlmodel(id)));
      await store.recordLoggedModel(id, JSON.stringify(mlmodel(id, { artifact_path: 'model2', signature: { inputs: '[]' } })));
      const tags = (await store.getRun(id)).data.tags;
      const entries = history(tags);
      expect(entries.map((e) => e.artifact_path)).toEqual(['model', 'model2']);
      expect(Object.keys(entries[0]!)).toEqual(['artifact_path', 'run_id', 'utc_time_created', 'model_uuid', 'flavors']);
      expect(entries[0]).toMatchObject({ run_id: id, model_uuid: '0123456789abcdef0123456789abcdef' });
      expect(entries[1]).not.toHaveProperty('signature');
      for (const e of entries) {
        expect(e.flavors).toEqual({ onnx: { data: 'model.onnx', onnx_version: '1.17.0' }, python_function: { loader_module: 'mlflow.onnx' } });
      }
      // Written as Python's json.dumps writes it, as MLflow's stores do.
      expect(tagOf(tags, MLFLOW_LOGGED_MODELS)!.startsWith('[{"artifact_path": "model", ')).toBe(true);
    });

    it('rejects malformed JSON, missing keys and a mismatched run_id with INVALID_PARAMETER_VALUE, writing nothing', async () => {
      const { store } = ctx();
      const id = (await newRun(store, '0')).info.runId;
      const bad = [
        'not json',
        '[1,2]',
        'null',
        JSON.stringify({ flavors: {} }),
        JSON.stringify({ ...mlmodel(id), utc_time_created: undefined }),
        JSON.stringify(mlmodel(id, { flavors: ['onnx'] })),
        JSON.stringify(mlmodel(UNKNOWN_RUN_ID)),
      ];
      for (const json of bad) await expectError(store.recordLoggedModel(id, json), 'INVALID_PARAMETER_VALUE');
      await expectError(store.recordLoggedModel(id, JSON.stringify({ flavors: {} })), 'INVALID_PARAMETER_VALUE', 'artifact_path', 'utc_time_created', 'run_id');
      expect(tagOf((await store.getRun(id)).data.tags, MLFLOW_LOGGED_MODELS)).toBeUndefined();
    });

    it('rejects a history over the tag value limit, keeping the previous one', async () => {
      const { store } = ctx();
      const id = (await newRun(store, '0')).info.runId;
      await store.recordLoggedModel(id, JSON.stringify(mlmodel(id)));
      const before = tagOf((await store.getRun(id)).data.tags, MLFLOW_LOGGED_MODELS);
      const huge = mlmodel(id, { flavors: { onnx: { data: 'x'.repeat(MAX_TAG_VAL_LENGTH) } } });
      await expectError(store.recordLoggedModel(id, JSON.stringify(huge)), 'INVALID_PARAMETER_VALUE', MLFLOW_LOGGED_MODELS);
      expect(tagOf((await store.getRun(id)).data.tags, MLFLOW_LOGGED_MODELS)).toBe(before);
    });

    it('rejects a deleted run (INVALID_PARAMETER_VALUE) and an unknown one (RESOURCE_DOES_NOT_EXIST)', async () => {
      const { store } = ctx();
      const id = (await newRun(store, '0')).info.runId;
      await store.deleteRun(id);
      await expectError(store.recordLoggedModel(id, JSON.stringify(mlmodel(id))), 'INVALID_PARAMETER_VALUE', /active/);
      expect(tagOf((await store.getRun(id)).data.tags, MLFLOW_LOGGED_MODELS)).toBeUndefined();
      await expectError(store.recordLoggedModel(UNKNOWN_RUN_ID, JSON.stringify(mlmodel(UNKNOWN_RUN_ID))), 'RESOURCE_DOES_NOT_EXIST');
    });

    it('loses no entry when 20 models are recorded on one run concurrently', async () => {
      const { store } = ctx();
      const id = (await newRun(store, '0')).info.runId;
      const paths = Array.from({ length: 20 }, (_, i) => `model-${i}`);
      await Promise.all(paths.map((p) => store.recordLoggedModel(id, JSON.stringify(mlmodel(id, { artifact_path: p })))));
      const entries = history((await store.getRun(id)).data.tags);
      expect(entries).toHaveLength(20);
      expect(entries.map((e) => e.artifact_path).sort()).toEqual([...paths].sort());
    });
  });
}
