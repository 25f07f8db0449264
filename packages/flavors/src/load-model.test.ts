import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LablogError, MLFLOW_LOGGED_MODELS, TrackingClient, activeRun, closeAllStores, endRun, getRun, setTrackingUri, withRun } from '@lablog/tracking';
import { logModel } from './log-model.js';
import { loadModel } from './load-model.js';
import { parseModelUri } from '@lablog/tracking';
import { saveModel } from './save-model.js';
import { buildMlpOnnx } from './onnx/build-mlp.js';
import { MLP_LAYERS, mlpForward, mlpOnnx, seededFloats, tempDir } from './__tests__/fixtures.js';
import type { Tensor } from './tensor.js';

const x: Tensor<'float32'> = { dtype: 'float32', shape: [3, 4], data: seededFloats(12, 21) };
const ref = mlpForward(MLP_LAYERS, x.data, 3);
const CPU = { providers: ['CPUExecutionProvider'] };

/** A second model (all-zero weights: uniform softmax) to tell versions apart. */
const uniformOnnx = () =>
  buildMlpOnnx({ layers: [{ weights: new Float32Array(12), bias: new Float32Array(3), inDim: 4, outDim: 3, activation: 'softmax' }], inputName: 'features', outputName: 'probabilities' });

async function first(uri: string, trackingUri?: string): Promise<number[]> {
  const m = await loadModel(uri, { ...CPU, ...(trackingUri ? { trackingUri } : {}) });
  try {
    return Array.from((await m.predict(x)).probabilities!.data as Float32Array).slice(0, 3);
  } finally {
    await m.dispose();
  }
}

describe('logModel / loadModel over every URI form (SQLite store)', () => {
  let trackingUri: string;
  let runId: string;
  let client: TrackingClient;

  beforeAll(async () => {
    const dir = await tempDir();
    trackingUri = `sqlite:///${join(dir, 'mlruns.db')}`;
    setTrackingUri(trackingUri);
    client = new TrackingClient(trackingUri);
    runId = await withRun(async (run) => {
      const r1 = await logModel(mlpOnnx(), 'model', { registeredModelName: 'mlp', signature: 'infer', onnx: CPU });
      expect(r1).toMatchObject({ modelUri: `runs:/${run.runId}/model`, runId: run.runId, artifactPath: 'model' });
      expect(r1.registeredModelVersion).toMatchObject({ name: 'mlp', version: '1', source: `runs:/${run.runId}/model`, runId: run.runId });
      const r2 = await logModel(uniformOnnx(), 'uniform', { registeredModelName: 'mlp', onnx: CPU });
      expect(r2.registeredModelVersion?.version).toBe('2');
      return run.runId;
    });
    await client.registry.transitionModelVersionStage('mlp', '1', 'Production', false);
    await client.registry.setRegisteredModelAlias('mlp', 'champion', '1');
  });

  afterAll(async () => {
    while (activeRun()) await endRun().catch(() => undefined);
    setTrackingUri(undefined);
    await closeAllStores();
  });

  it('records both models in mlflow.log-model.history as a JSON list', async () => {
    const tag = (await getRun(runId)).data.tags.find((t) => t.key === MLFLOW_LOGGED_MODELS)!.value;
    const history = JSON.parse(tag) as Record<string, unknown>[];
    expect(history.map((h) => h.artifact_path)).toEqual(['model', 'uniform']);
    expect(Object.keys(history[0]!)).toEqual(['run_id', 'artifact_path', 'utc_time_created', 'model_uuid', 'flavors']);
    expect(history[0]).toMatchObject({ run_id: runId, flavors: { python_function: { loader_module: 'mlflow.onnx' }, onnx: { data: 'model.onnx' } } });
    expect(tag.startsWith('[{"run_id": ')).toBe(true);
  });

  it('loads runs:/, models:/<version>, /<stage>, /latest, @alias, file:// and plain paths', async () => {
    const uniform = [1 / 3, 1 / 3, 1 / 3];
    const close = (got: number[], want: ArrayLike<number>) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    close(await first(`runs:/${runId}/model`), ref);
    close(await first(`runs:/${runId}/uniform`), uniform);
    close(await first('models:/mlp/1'), ref);
    close(await first('models:/mlp/2', trackingUri), uniform);
    close(await first('models:/mlp/production'), ref);
    close(await first('models:/mlp/latest'), uniform);
    close(await first('models:/mlp@champion'), ref);
    const local = join(await tempDir(), 'saved');
    await saveModel(mlpOnnx(), local, { onnx: CPU });
    close(await first(pathToFileURL(local).href), ref);
    close(await first(local), ref);
  });

  it('exposes the signature and metadata of the loaded model', async () => {
    const m = await loadModel('models:/mlp/1', CPU);
    expect(m.signature?.inputs.specs[0]).toMatchObject({ name: 'features', dtype: 'float32', shape: [-1, 4] });
    expect(m.metadata).toMatchObject({ run_id: runId, artifact_path: 'model' });
    await expect(m.predict({ features: { dtype: 'int64', shape: [1, 4], data: new BigInt64Array(4) } })).rejects.toThrow(/input 'features': dtype int64/);
    await m.dispose();
  });

  it('rejects bad URIs and missing versions with MLflow codes', async () => {
    for (const bad of ['models:/', 'models:/a/b/c', 'models:/mlp/Bogus', 'models:/mlp@', 'runs:/', 'runs:/r/../x', 'models://host/mlp/1']) {
      expect(() => parseModelUri(bad), bad).toThrow(/Not a proper (models|runs):\/ URI/);
    }
    await expect(loadModel('models:/mlp/Bogus')).rejects.toMatchObject({ errorCode: 'INVALID_PARAMETER_VALUE' });
    await expect(loadModel('models:/mlp/99')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(loadModel('models:/mlp/staging')).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    await expect(loadModel('models:/mlp@nope')).rejects.toBeInstanceOf(LablogError);
  });

  it('logs into the active run, starting one when none is active', async () => {
    const r = await logModel(mlpOnnx(), 'auto', { onnx: CPU });
    expect(activeRun()?.runId).toBe(r.runId);
    await endRun();
    const explicit = await logModel(mlpOnnx(), 'again', { runId: r.runId, trackingUri, onnx: CPU });
    expect(explicit.modelUri).toBe(`runs:/${r.runId}/again`);
    const history = JSON.parse((await getRun(r.runId)).data.tags.find((t) => t.key === MLFLOW_LOGGED_MODELS)!.value) as unknown[];
    expect(history).toHaveLength(2);
  });
});

