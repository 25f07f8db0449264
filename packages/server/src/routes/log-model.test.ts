import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFixture, type AppFixture } from '../__tests__/app-fixture.js';

let f: AppFixture;
let runId: string;

const mlmodel = (extra: Record<string, unknown> = {}) => ({
  artifact_path: 'model',
  run_id: runId,
  utc_time_created: '2026-11-23 01:02:03.456789',
  model_uuid: '0123456789abcdef0123456789abcdef',
  flavors: { onnx: { data: 'model.onnx', onnx_version: '1.17.0', config: { big: 'x'.repeat(100) } }, python_function: { loader_module: 'mlflow.onnx' } },
  ...extra,
});

function history(run: { data: { tags?: { key: string; value: string }[] } }): Record<string, unknown>[] {
  const tag = run.data.tags?.find((t) => t.key === 'mlflow.log-model.history');
  return tag ? (JSON.parse(tag.value) as Record<string, unknown>[]) : [];
}

beforeAll(async () => {
  f = await createAppFixture();
  runId = (await f.post('runs/create', { experiment_id: '0' })).json().run.info.run_id;
});
afterAll(async () => {
  await f.close();
});

describe('runs/log-model', () => {
  it('appends each model to the mlflow.log-model.history tag, without flavor configs', async () => {
    expect((await f.post('runs/log-model', { run_id: runId, model_json: JSON.stringify(mlmodel()) })).json()).toEqual({});
    const second = mlmodel({ artifact_path: 'model2' });
    expect((await f.post('runs/log-model', { run_id: runId, model_json: JSON.stringify(second) })).statusCode).toBe(200);
    const entries = history((await f.get('runs/get', `run_id=${runId}`)).json().run);
    expect(entries.map((e) => e.artifact_path)).toEqual(['model', 'model2']);
    expect(entries[0]).toMatchObject({ run_id: runId, model_uuid: '0123456789abcdef0123456789abcdef' });
    expect((entries[0]!.flavors as Record<string, Record<string, unknown>>).onnx).toEqual({ data: 'model.onnx', onnx_version: '1.17.0' });
  });

  it('rejects malformed or incomplete model JSON with 400 and stores nothing', async () => {
    const before = history((await f.get('runs/get', `run_id=${runId}`)).json().run).length;
    for (const model_json of ['not json', '[1,2]', JSON.stringify({ flavors: {} }), JSON.stringify(mlmodel({ run_id: 'f'.repeat(32) }))]) {
      const res = await f.post('runs/log-model', { run_id: runId, model_json });
      expect(res.statusCode, model_json).toBe(400);
      expect(res.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    expect((await f.post('runs/log-model', { run_id: runId })).json().message).toMatch(/Missing value for required parameter 'model_json'/);
    expect(history((await f.get('runs/get', `run_id=${runId}`)).json().run)).toHaveLength(before);
  });

  it('answers 404 for an unknown run', async () => {
    const ghost = 'a'.repeat(32);
    const res = await f.post('runs/log-model', { run_id: ghost, model_json: JSON.stringify(mlmodel({ run_id: ghost })) });
    expect(res.statusCode).toBe(404);
  });
});
