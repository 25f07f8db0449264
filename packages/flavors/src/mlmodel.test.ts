import { describe, expect, it } from 'vitest';
import { formatUtcTimeCreated, mlmodelFromYaml, mlmodelTagsDict, mlmodelToYaml, newMlmodel } from './mlmodel.js';

const MLFLOW_WRITTEN = `artifact_path: model
custom_key:
  nested:
  - 1
  - two
databricks_runtime: '15.4'
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_session_options: null
    onnx_version: 1.17.0
    providers:
    - CUDAExecutionProvider
    - CPUExecutionProvider
  python_function:
    data: model.onnx
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.onnx
    python_version: 3.11.7
is_signature_from_type_hint: false
mlflow_version: 2.17.2
model_size_bytes: 1234
model_uuid: 0f4c1a3b6a1e4a43a1b8a9cbe1d2f3a4
run_id: 7d1b2c3d4e5f47a8b9c0d1e2f3a4b5c6
saved_input_example_info:
  artifact_path: input_example.json
  serving_input_path: serving_input_example.json
  type: ndarray
signature:
  inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 784]}}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1,
    10]}}]'
  params: null
type_hint_from_example: false
utc_time_created: '2025-11-19 02:46:07.555576'
`;

describe('MLmodel', () => {
  it('round-trips an MLflow-written file byte for byte (PyYAML line folding too), unknown keys included', () => {
    const m = mlmodelFromYaml(MLFLOW_WRITTEN);
    expect(m.custom_key).toEqual({ nested: [1, 'two'] });
    expect(m.signature!.inputs).toBe('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 784]}}]');
    expect(mlmodelToYaml(m)).toBe(MLFLOW_WRITTEN);
  });

  it('creates time and uuid as MLflow', () => {
    const m = newMlmodel({ runId: 'r1', artifactPath: 'model', now: new Date(Date.UTC(2025, 10, 19, 2, 46, 7, 555)) });
    expect(m.utc_time_created).toBe('2025-11-19 02:46:07.555000');
    expect(m.model_uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(m.model_uuid[12]).toBe('4');
    expect(formatUtcTimeCreated(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe('2025-01-02 03:04:05');
    expect(/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{6}$/.test(newMlmodel().utc_time_created) || newMlmodel().utc_time_created.length === 19).toBe(true);
    expect(mlmodelToYaml(m)).toContain("utc_time_created: '2025-11-19 02:46:07.555000'\n");
    expect(mlmodelToYaml(m)).not.toContain('mlflow_version');
  });

  it('builds the log-model history entry as Model.get_tags_dict', () => {
    const m = mlmodelFromYaml(MLFLOW_WRITTEN);
    m.flavors.python_function!.config = { a: 1 };
    const d = mlmodelTagsDict(m);
    expect(Object.keys(d)).toEqual(['run_id', 'artifact_path', 'utc_time_created', 'model_uuid', 'flavors']);
    expect(d.flavors).toHaveProperty('python_function.loader_module', 'mlflow.onnx');
    expect(d.flavors).not.toHaveProperty('python_function.config');
  });

  it('rejects files without flavors', () => {
    expect(() => mlmodelFromYaml('a: 1\n')).toThrow(/flavors/);
    expect(() => mlmodelFromYaml('- x\n')).toThrow(/mapping/);
  });
});
