import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { saveModel } from '../save-model.js';
import { loadModel } from '../load-model.js';
import { readOnnxHeader } from './onnx-proto.js';
import { MLP_LAYERS, mlpForward, mlpOnnx, seededFloats, tempDir } from '../__tests__/fixtures.js';
import { hasPyOnnx, hasPyYaml, runPython } from '../__tests__/python.js';
import type { Tensor } from '../tensor.js';

describe('onnx flavor', () => {
  it('builds an MLP graph whose header reads back', () => {
    const h = readOnnxHeader(mlpOnnx());
    expect(h.irVersion).toBe(8);
    expect(h.opsets).toEqual({ '': 17 });
    expect(h.inputs).toEqual([{ name: 'features', elemType: 1, shape: [{ param: 'batch' }, { value: 4 }] }]);
    expect(h.outputs).toEqual([{ name: 'probabilities', elemType: 1, shape: [{ param: 'batch' }, { value: 3 }] }]);
    expect(h.initializers.map((t) => [t.name, t.dims])).toEqual([
      ['layer0.weight', [4, 8]], ['layer0.bias', [8]], ['layer1.weight', [8, 3]], ['layer1.bias', [3]],
    ]);
  });

  it('saves model.onnx + MLmodel with MLflow keys and loads it back with the same predictions', async () => {
    const dir = join(await tempDir(), 'model');
    const x: Tensor<'float32'> = { dtype: 'float32', shape: [5, 4], data: seededFloats(20, 9) };
    await saveModel(mlpOnnx(), dir, { signature: 'infer', inputExample: { dtype: 'float32', shape: [1, 4], data: x.data.slice(0, 4) }, onnx: { providers: ['CPUExecutionProvider'] } });
    const mlmodel = parse(await readFile(join(dir, 'MLmodel'), 'utf8'));
    expect(mlmodel.flavors.onnx).toEqual({ code: null, data: 'model.onnx', onnx_session_options: null, onnx_version: '1.17.0', providers: ['CPUExecutionProvider'] });
    expect(mlmodel.flavors.python_function).toEqual({
      data: 'model.onnx', env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' }, loader_module: 'mlflow.onnx', python_version: '3.11.9',
    });
    expect(mlmodel.signature.inputs).toBe('[{"name": "features", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]');
    expect(await readFile(join(dir, 'requirements.txt'), 'utf8')).toBe('mlflow\nonnx==1.17.0\nonnxruntime==1.30.0');
    const model = await loadModel(dir);
    expect(model.flavor).toBe('onnx');
    const out = (await model.predict(x)).probabilities!;
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual([5, 3]);
    const ref = mlpForward(MLP_LAYERS, x.data, 5);
    out.data.forEach((v, i) => expect(v as number).toBeCloseTo(ref[i]!, 5));
    // float64 input is cast to float32 (MLflow's onnx wrapper), by name or as a single tensor
    const x64: Tensor = { dtype: 'float64', shape: [5, 4], data: Float64Array.from(x.data) };
    const out64 = (await model.predict({ features: x64 })).probabilities!;
    expect(Array.from(out64.data as Float32Array)).toEqual(Array.from(out.data as Float32Array));
    await model.dispose();
  });

  it('falls back from an unavailable execution provider with one warning', async () => {
    const dir = join(await tempDir(), 'model');
    await saveModel(mlpOnnx(), dir); // default providers: CUDA, then CPU
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const model = await loadModel(`file://${dir}`);
      const out = await model.predict({ dtype: 'float32', shape: [1, 4], data: new Float32Array(4) });
      expect(out.probabilities!.shape).toEqual([1, 3]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/CUDAExecutionProvider.*using CPUExecutionProvider/);
      await model.dispose();
    } finally {
      warn.mockRestore();
    }
  });

  it.skipIf(!hasPyOnnx)('writes a model.onnx that Python onnx checks and reads (independent reader)', async () => {
    const dir = join(await tempDir(), 'model');
    await saveModel(mlpOnnx(), dir);
    const script = `import sys, json, onnx, numpy
from onnx import numpy_helper
m = onnx.load(sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(join(dir, 'model.onnx'))})
onnx.checker.check_model(m, full_check=True)
def vi(v):
    t = v.type.tensor_type
    return {"name": v.name, "elem_type": t.elem_type, "shape": [d.dim_param if d.HasField("dim_param") else d.dim_value for d in t.shape.dim]}
print(json.dumps({"ir": m.ir_version, "opset": [[o.domain, o.version] for o in m.opset_import],
  "inputs": [vi(v) for v in m.graph.input], "outputs": [vi(v) for v in m.graph.output],
  "initializers": {t.name: {"shape": list(t.dims), "sum": float(numpy_helper.to_array(t).astype("float64").sum())} for t in m.graph.initializer},
  "ops": [n.op_type for n in m.graph.node]}))`;
    const got = JSON.parse(runPython(script));
    expect(got.ir).toBe(8);
    expect(got.opset).toEqual([['', 17]]);
    expect(got.inputs).toEqual([{ name: 'features', elem_type: 1, shape: ['batch', 4] }]);
    expect(got.outputs).toEqual([{ name: 'probabilities', elem_type: 1, shape: ['batch', 3] }]);
    expect(got.ops).toEqual(['MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Softmax']);
    const sums = [MLP_LAYERS[0]!.weights, MLP_LAYERS[0]!.bias, MLP_LAYERS[1]!.weights, MLP_LAYERS[1]!.bias].map((a) => a.reduce((s, v) => s + v, 0));
    expect(Object.keys(got.initializers)).toEqual(['layer0.weight', 'layer0.bias', 'layer1.weight', 'layer1.bias']);
    expect(got.initializers['layer0.weight'].shape).toEqual([4, 8]);
    expect(got.initializers['layer1.weight'].shape).toEqual([8, 3]);
    Object.values(got.initializers).forEach((t, i) => expect((t as { sum: number }).sum).toBeCloseTo(sums[i]!, 5));
  });

  it.skipIf(!hasPyYaml)("writes an MLmodel that PyYAML parses into what MLflow's Model.load needs", async () => {
    const dir = join(await tempDir(), 'model');
    await saveModel(mlpOnnx(), dir, { signature: 'infer', metadata: { owner: 'lablog', nested: { k: [1, 2.5] } } });
    const script = `import sys, json, yaml
d = yaml.safe_load(open(sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(join(dir, 'MLmodel'))}))
pf = d["flavors"]["python_function"]
assert pf["loader_module"] == "mlflow.onnx", pf
assert pf["data"] == "model.onnx" and pf["env"] == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
assert isinstance(pf["python_version"], str)
ox = d["flavors"]["onnx"]
assert ox["data"] == "model.onnx" and isinstance(ox["onnx_version"], str) and isinstance(ox["providers"], list)
assert "code" in ox and ox["code"] is None and ox["onnx_session_options"] is None
assert isinstance(d["utc_time_created"], str) and len(d["model_uuid"]) == 32 and int(d["model_uuid"], 16) >= 0
assert isinstance(d["model_size_bytes"], int)
sig = d["signature"]
for k in ("inputs", "outputs"):
    assert isinstance(sig[k], str) and isinstance(json.loads(sig[k]), list)
assert sig["params"] is None
conda = yaml.safe_load(open(${JSON.stringify(join(dir, 'conda.yaml'))}))
assert conda["name"] == "mlflow-env" and conda["dependencies"][0].startswith("python=")
env = yaml.safe_load(open(${JSON.stringify(join(dir, 'python_env.yaml'))}))
assert env["dependencies"] == ["-r requirements.txt"]
print(json.dumps({"inputs": json.loads(sig["inputs"]), "metadata": d["metadata"], "keys": sorted(d)}))`;
    const got = JSON.parse(runPython(script));
    expect(got.inputs).toEqual([{ name: 'features', type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }]);
    expect(got.metadata).toEqual({ owner: 'lablog', nested: { k: [1, 2.5] } });
    expect(got.keys).toEqual(['flavors', 'metadata', 'model_size_bytes', 'model_uuid', 'signature', 'utc_time_created']);
  });
});
