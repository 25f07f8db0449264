import { describe, expect, it } from 'vitest';
import { formatMetricLine, parseMetricFile, parseMetricLine, parsePythonFloat, pythonFloatRepr } from './metric-file.js';
import { havePython, runPython } from './__tests__/python.js';
import { LablogError } from '../../errors.js';

const SAMPLES = [
  0, -0, 0.5, 1e-5, 0.0001, 0.00012345, 3, -3, 1e15, 1e16, 1.5e16, 123456789012345680, 1e21, 1e22, 0.1, 0.2 + 0.1, 1 / 3,
  Math.PI, -Math.E, 5e-324, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, 1e100, 1.2345e-100, 123.456, 1e-4,
  9.999999999999999e15, 12345.678, NaN, Infinity, -Infinity,
];

describe('pythonFloatRepr', () => {
  it('writes the examples of ref §7.2', () => {
    expect(pythonFloatRepr(0.5)).toBe('0.5');
    expect(pythonFloatRepr(1e-5)).toBe('1e-05');
    expect(pythonFloatRepr(NaN)).toBe('nan');
    expect(pythonFloatRepr(Infinity)).toBe('inf');
    expect(pythonFloatRepr(-Infinity)).toBe('-inf');
    expect(pythonFloatRepr(3)).toBe('3.0');
    expect(pythonFloatRepr(-0)).toBe('-0.0');
    expect(pythonFloatRepr(1e16)).toBe('1e+16');
    expect(pythonFloatRepr(1e15)).toBe('1000000000000000.0');
  });

  it.skipIf(!havePython())("equals Python's repr(float) on fixed and random values", () => {
    const values = [...SAMPLES];
    for (let i = 0; i < 400; i++) {
      const mag = 10 ** (Math.floor(Math.random() * 60) - 30);
      values.push((Math.random() - 0.5) * mag, Math.round(Math.random() * 1e6) / 1000);
    }
    // Python reads our text back with float() and writes repr(); JSON carries the exact doubles.
    const ours = values.map(pythonFloatRepr);
    const out = runPython(
      ['-c', 'import json,sys; d=json.load(sys.stdin); print(json.dumps([[repr(float(s)), s == repr(float(s))] for s in d]))'],
      JSON.stringify(ours),
    );
    const theirs = JSON.parse(out) as [string, boolean][];
    theirs.forEach(([repr, same], i) => {
      expect({ value: values[i], repr }).toEqual({ value: values[i], repr: ours[i] });
      expect(same).toBe(true);
    });
    for (let i = 0; i < values.length; i++) {
      const back = parsePythonFloat(ours[i]!);
      if (Number.isNaN(values[i])) expect(back).toBeNaN();
      else expect(Object.is(back, values[i])).toBe(true);
    }
  });
});

describe('parsePythonFloat', () => {
  it("accepts what Python's float() accepts", () => {
    expect(parsePythonFloat('3')).toBe(3);
    expect(parsePythonFloat('3.0')).toBe(3);
    expect(parsePythonFloat('1e-05')).toBe(1e-5);
    expect(parsePythonFloat('.5')).toBe(0.5);
    expect(parsePythonFloat('1_000.5')).toBe(1000.5);
    expect(parsePythonFloat('Infinity')).toBe(Infinity);
    expect(parsePythonFloat('-inf')).toBe(-Infinity);
    expect(parsePythonFloat('NaN')).toBeNaN();
    expect(parsePythonFloat('abc')).toBeUndefined();
    expect(parsePythonFloat('')).toBeUndefined();
    expect(parsePythonFloat('0x10')).toBeUndefined();
  });
});

describe('metric lines', () => {
  it('writes "<ts> <value> <step>\\n", with dataset fields only when both are set', () => {
    expect(formatMetricLine({ key: 'k', value: 0.25, timestamp: 1700000000000, step: 1 })).toBe('1700000000000 0.25 1\n');
    expect(formatMetricLine({ key: 'k', value: NaN, timestamp: 5, step: -2 })).toBe('5 nan -2\n');
    expect(formatMetricLine({ key: 'k', value: 1, timestamp: 5, step: 0, datasetName: 'train', datasetDigest: 'abcd1234' })).toBe(
      '5 1.0 0 train abcd1234\n',
    );
    expect(formatMetricLine({ key: 'k', value: 1, timestamp: 5, step: 0, datasetName: 'has space', datasetDigest: 'x' })).toBe('5 1.0 0\n');
  });

  it('reads 2, 3 and 5 fields and rejects other counts', () => {
    expect(parseMetricLine('k', '1700000000000 0.5')).toEqual({ key: 'k', value: 0.5, timestamp: 1700000000000, step: 0 });
    expect(parseMetricLine('k', '1 inf 4')).toEqual({ key: 'k', value: Infinity, timestamp: 1, step: 4 });
    expect(parseMetricLine('k', '1 3 4 ds 1234abcd')).toEqual({ key: 'k', value: 3, timestamp: 1, step: 4, datasetName: 'ds', datasetDigest: '1234abcd' });
    for (const bad of ['1', '1 2 3 4', '1 2 3 4 5 6', 'x 1 2', '1 y 2']) {
      expect(() => parseMetricLine('k', bad)).toThrow(LablogError);
    }
  });

  it('keeps line order, skips blank lines, drops a torn last line only', () => {
    expect(parseMetricFile('k', '3 1.0 0\n1 2.0 1\n\n2 3.0 1\n17000').map((m) => m.value)).toEqual([1, 2, 3]);
    expect(parseMetricFile('k', '3 1.0 0\n1 2.0 1')).toHaveLength(2);
    expect(() => parseMetricFile('k', '3 1.0 0\nbroken line here now\n')).toThrow(/malformed/);
  });
});
