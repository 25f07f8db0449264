import { describe, expect, it } from 'vitest';
import { PyFloat, pyJsonDumps, pythonFloatRepr, type PyJsonValue } from './py-json.js';
import { hasPyYaml, runPython } from './__tests__/python.js';

const FLOATS = [0, -0, 0.1, 1, -1, 1.5, 1e-4, 1e-5, 1.234e-7, 1e15, 1e16, 1.2345678901234567e16, 123456789.125, 5e-324, 1.7976931348623157e308,
  0.10000000149011612, 3.4028234663852886e38, 2 ** 53, -2.5e-10, 100, 1e21, 1e22];

describe('pyJsonDumps', () => {
  it('writes ints, floats, strings and nesting as json.dumps', () => {
    expect(pyJsonDumps({ a: [1, new PyFloat(1), 0.5, 'é', true, null, 10n], b: {} })).toBe('{"a": [1, 1.0, 0.5, "\\u00e9", true, null, 10], "b": {}}');
    expect(pyJsonDumps({ inputs: [[new PyFloat(1), new PyFloat(2)]] }, { indent: 2 })).toBe(
      '{\n  "inputs": [\n    [\n      1.0,\n      2.0\n    ]\n  ]\n}',
    );
    expect(pyJsonDumps([], { indent: 2 })).toBe('[]');
  });

  it.skipIf(!hasPyYaml)('formats floats exactly as Python repr / json.dumps', () => {
    const expected = runPython('import sys, json; print(json.dumps([float(x) for x in json.loads(sys.stdin.read())]))', JSON.stringify(FLOATS.map((f) => (Object.is(f, -0) ? '-0.0' : String(f)))));
    expect(pyJsonDumps(FLOATS.map((f) => new PyFloat(f)))).toBe(expected.trim());
    const value: PyJsonValue = { s: 'tab\t\u2028 \u007f 😀 "q" \\', n: [new PyFloat(NaN), new PyFloat(Infinity)], nested: { x: [1, { y: [] }] } };
    const py = runPython(
      `import sys, json
v = json.loads(sys.stdin.read())
print(json.dumps(v)); print(json.dumps(v, indent=2))`,
      pyJsonDumps(value),
    );
    expect(py).toBe(`${pyJsonDumps(value)}\n${pyJsonDumps(value, { indent: 2 })}\n`);
    expect(pythonFloatRepr(1e-5)).toBe('1e-05');
  });
});
