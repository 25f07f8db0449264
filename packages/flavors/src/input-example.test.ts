import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { inputExampleFiles, saveInputExample } from './input-example.js';
import { hasPyYaml, runPython } from './__tests__/python.js';
import { tempDir } from './__tests__/fixtures.js';

describe('input examples (§8.4)', () => {
  it('writes a tensor as a bare nested list and {"inputs": …} with indent 2', async () => {
    const dir = await tempDir();
    const info = await saveInputExample(dir, { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2.5, NaN, 0.1]) });
    expect(info).toEqual({ artifact_path: 'input_example.json', type: 'ndarray', serving_input_path: 'serving_input_example.json' });
    const ex = await readFile(join(dir, 'input_example.json'), 'utf8');
    const serving = await readFile(join(dir, 'serving_input_example.json'), 'utf8');
    expect(ex).toBe('[[1.0, 2.5], [null, 0.10000000149011612]]');
    expect(serving).toBe('{\n  "inputs": [\n    [\n      1.0,\n      2.5\n    ],\n    [\n      null,\n      0.10000000149011612\n    ]\n  ]\n}');
    if (hasPyYaml) {
      // What MLflow's _Example writes for the same numpy array.
      const py = runPython(`import json, numpy as np
a = np.array([[1, 2.5], [np.nan, 0.1]], dtype=np.float32)
m = np.where(np.isnan(a), None, a).tolist()
print(json.dumps(m)); print(json.dumps({"inputs": m}, indent=2), end="")`);
      expect(py).toBe(`${ex}\n${serving}`);
    }
  });

  it('writes named tensors as a dict, int64 as ints, bools as booleans', () => {
    const f = inputExampleFiles({
      ids: { dtype: 'int64', shape: [2], data: BigInt64Array.from([1n, 9007199254740993n]) },
      mask: { dtype: 'bool', shape: [2], data: Uint8Array.from([1, 0]) },
    });
    expect(f.inputExample).toBe('{"ids": [1, 9007199254740993], "mask": [true, false]}');
    expect(f.servingInput).toBe('{\n  "inputs": {\n    "ids": [\n      1,\n      9007199254740993\n    ],\n    "mask": [\n      true,\n      false\n    ]\n  }\n}');
    expect(f.info.type).toBe('ndarray');
  });

  it('writes an Arrow table as a dataframe split (no index, NaN → null, nullable ints as floats)', () => {
    const table = tableFromArrays({ a: Float64Array.from([1.5, NaN]), b: Int32Array.from([1, 2]), s: ['x', 'y'] });
    const f = inputExampleFiles(table);
    expect(f.info).toEqual({ artifact_path: 'input_example.json', type: 'dataframe', pandas_orient: 'split', serving_input_path: 'serving_input_example.json' });
    expect(f.inputExample).toBe('{"columns": ["a", "b", "s"], "data": [[1.5, 1, "x"], [null, 2, "y"]]}');
    expect(f.servingInput).toBe(
      '{\n  "dataframe_split": {\n    "columns": [\n      "a",\n      "b",\n      "s"\n    ],\n    "data": [\n      [\n        1.5,\n        1,\n        "x"\n      ],\n      [\n        null,\n        2,\n        "y"\n      ]\n    ]\n  }\n}',
    );
  });

  it('writes plain JSON as json_object; chat payloads unwrapped; params alongside', () => {
    const q = inputExampleFiles({ question: 'héllo', k: 3 });
    expect(q.info.type).toBe('json_object');
    expect(q.inputExample).toBe('{"question": "h\\u00e9llo", "k": 3}');
    expect(q.servingInput).toBe('{\n  "inputs": {\n    "question": "h\\u00e9llo",\n    "k": 3\n  }\n}');
    const chat = inputExampleFiles({ messages: [{ role: 'user', content: 'hi' }] }, { params: { temperature: 0.5 } });
    expect(chat.info.params).toBe('true');
    expect(chat.inputExample).toBe('{"inputs": {"messages": [{"role": "user", "content": "hi"}]}, "params": {"temperature": 0.5}}');
    expect(JSON.parse(chat.servingInput)).toEqual({ messages: [{ role: 'user', content: 'hi' }], temperature: 0.5 });
    const withParams = inputExampleFiles({ dtype: 'int32', shape: [1], data: Int32Array.from([4]) }, { params: { top_k: 2 } });
    expect(withParams.inputExample).toBe('{"inputs": [4], "params": {"top_k": 2}}');
    expect(JSON.parse(withParams.servingInput)).toEqual({ inputs: [4], params: { top_k: 2 } });
  });

  it('refuses a dict mixing tensors and other values', () => {
    expect(() => inputExampleFiles({ a: { dtype: 'int32', shape: [1], data: Int32Array.from([1]) }, b: 2 })).toThrow(/Mixed types/);
  });
});
