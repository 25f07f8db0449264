import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Field, Float32, Float64, Int64, Schema as ArrowSchema, Utf8, Bool, Duration, TimeUnit } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { inferSignatureFromArrowSchema, inferSignatureFromOnnx } from './infer-signature.js';
import { encodeOnnxModel } from './onnx/onnx-proto.js';
import { mlpOnnx, tempDir } from './__tests__/fixtures.js';
import { signatureToDict } from './signature-json.js';

describe('signature inference', () => {
  it('reads ONNX graph inputs/outputs (bytes or path), symbolic dims as -1', async () => {
    const expected = {
      inputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'features', dtype: 'float32', shape: [-1, 4] }] },
      outputs: { kind: 'tensor', specs: [{ kind: 'tensor', name: 'probabilities', dtype: 'float32', shape: [-1, 3] }] },
      params: null,
    };
    expect(await inferSignatureFromOnnx(mlpOnnx())).toEqual(expected);
    const path = join(await tempDir(), 'm.onnx');
    await writeFile(path, mlpOnnx());
    expect(await inferSignatureFromOnnx(path)).toEqual(expected);
  });

  it('leaves out initializers listed as graph inputs; maps element types; unknown dims → -1', async () => {
    const vi = (name: string, elemType: number, dim: object[]) => ({ name, type: { tensorType: { elemType, shape: { dim } } } });
    const bytes = encodeOnnxModel({
      irVersion: 3,
      opsetImport: [{ domain: '', version: 9 }],
      graph: {
        name: 'g',
        node: [{ input: ['ids', 'w'], output: ['y'], opType: 'Gather' }],
        initializer: [{ name: 'w', dims: [10, 2], dataType: 1, rawData: new Uint8Array(80) }],
        input: [vi('ids', 7, [{}, { dimValue: 5 }]), vi('w', 1, [{ dimValue: 10 }, { dimValue: 2 }])],
        output: [vi('y', 11, [{ dimParam: 'n' }, { dimValue: 5 }, { dimValue: 2 }])],
      },
    });
    const sig = await inferSignatureFromOnnx({ onnx: bytes });
    expect(signatureToDict(sig)).toEqual({
      inputs: '[{"name": "ids", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1, 5]}}]',
      outputs: '[{"name": "y", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 5, 2]}}]',
      params: null,
    });
  });

  it('builds column specs from an Arrow schema (nullable → not required)', () => {
    const schema = new ArrowSchema([
      new Field('sepal_length', new Float64(), false),
      new Field('w', new Float32(), true),
      new Field('n', new Int64(), false),
      new Field('species', new Utf8(), false),
      new Field('flag', new Bool(), true),
    ]);
    const sig = inferSignatureFromArrowSchema(schema);
    expect(signatureToDict(sig).inputs).toBe(
      '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "float", "name": "w", "required": false}, ' +
        '{"type": "long", "name": "n", "required": true}, {"type": "string", "name": "species", "required": true}, {"type": "boolean", "name": "flag", "required": false}]',
    );
    expect(sig.outputs).toBeNull();
    expect(() => inferSignatureFromArrowSchema(new ArrowSchema([new Field('d', new Duration(TimeUnit.SECOND))]))).toThrow(/'d'/);
  });
});
