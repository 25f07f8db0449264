import { describe, expect, it } from 'vitest';
import { LablogError } from '@lablog/tracking';
import { schemaFromJson, schemaToJson, signatureFromDict, signatureToDict, validateSchema } from './signature-json.js';
import type { ModelSignature, Schema } from './signature.js';

const tensorSig: ModelSignature = {
  inputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 784] }] },
  outputs: { kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1, 10] }] },
  params: null,
};

describe('signature JSON', () => {
  it('writes tensor specs as MLflow (§8.3 example, byte for byte)', () => {
    expect(signatureToDict(tensorSig)).toEqual({
      inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 784]}}]',
      outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 10]}}]',
      params: null,
    });
    const named: Schema = { kind: 'tensor', specs: [{ kind: 'tensor', name: 'x', dtype: 'int64', shape: [-1] }, { kind: 'tensor', name: 'y', dtype: 'str', shape: [-1, 2] }] };
    expect(schemaToJson(named)).toBe('[{"name": "x", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}, {"name": "y", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1, 2]}}]');
  });

  it('writes column specs and params as MLflow', () => {
    const sig: ModelSignature = {
      inputs: { kind: 'column', specs: [{ kind: 'column', name: 'sepal_length', type: 'double', required: true }, { kind: 'column', name: 'species', type: 'string', required: true }] },
      outputs: { kind: 'column', specs: [{ kind: 'column', type: 'long', required: true }] },
      params: [{ name: 'temperature', type: 'float', default: 1, shape: null }, { name: 'k', type: 'long', default: [1, 2], shape: [-1] }],
    };
    const d = signatureToDict(sig);
    expect(d.inputs).toBe('[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "species", "required": true}]');
    expect(d.outputs).toBe('[{"type": "long", "required": true}]');
    expect(d.params).toBe('[{"name": "temperature", "type": "float", "default": 1.0, "shape": null}, {"name": "k", "type": "long", "default": [1, 2], "shape": [-1]}]');
    expect(signatureFromDict(d)).toEqual({ ...sig, params: [{ ...sig.params![0]!, default: 1 }, sig.params![1]!] });
  });

  it('round-trips and accepts numpy string dtype spellings', () => {
    expect(signatureFromDict(signatureToDict(tensorSig))).toEqual(tensorSig);
    expect(schemaFromJson('[{"type": "tensor", "tensor-spec": {"dtype": "object", "shape": [-1]}}]').specs[0]).toMatchObject({ dtype: 'str' });
  });

  it("rejects what MLflow's Schema rejects", () => {
    const bad: [Schema, RegExp][] = [
      [{ kind: 'tensor', specs: [{ kind: 'tensor', dtype: 'float32', shape: [-1] }, { kind: 'tensor', dtype: 'float32', shape: [-1] }] }, /multiple unnamed TensorSpecs/],
      [{ kind: 'tensor', specs: [{ kind: 'tensor', name: 'a', dtype: 'float32', shape: [-1] }, { kind: 'tensor', dtype: 'float32', shape: [-1] }] }, /named and unnamed/],
      [{ kind: 'tensor', specs: [] }, /empty inputs/],
      [{ kind: 'column', specs: [{ kind: 'column', name: 'a', type: 'double', required: true }, { kind: 'column', name: 'a', type: 'long', required: true }] }, /Duplicated name/],
    ];
    for (const [schema, msg] of bad) {
      expect(() => validateSchema(schema)).toThrow(msg);
      try {
        validateSchema(schema);
      } catch (e) {
        expect((e as LablogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
      }
    }
    expect(() => schemaFromJson('[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}, {"type": "double", "name": "x", "required": true}]')).toThrow(/combination/);
    expect(() => schemaFromJson('[{"type": "tensor", "tensor-spec": {"dtype": "<U10", "shape": [-1]}}]')).toThrow(/Unsupported tensor dtype/);
  });
});
