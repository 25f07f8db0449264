import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pyYamlDump, type PyYamlValue } from './py-yaml.js';
import { PyFloat, pyJsonDumps, type PyJsonValue } from './py-json.js';
import { hasPyYaml, runPython } from './__tests__/python.js';

const TRICKY = [
  'plain', 'yes', 'No', 'on', 'OFF', 'true', 'null', '~', '', ' ', '1', '1.0', '1.17.0', '3.10', '0x1F', '0o17', '017', '1_000', '1e5', '1e+5',
  '.inf', '-.inf', '.nan', '<<', '=', '2025-11-19', '2025-11-19 02:46:07.555576', '2025-1-2T3:04:05Z', 'a: b', 'a:b', '- x', '-x', '? q', ':x',
  '#c', 'a #b', 'a#b', '@at', '%p', '`t`', '!bang', '&anc', '*ref', '|lit', '>fold', "it's", '"dq"', '[x]', '{y}', 'x, y', '---', '...', '--- x',
  ' lead', 'trail ', 'tab\there', 'new\nline', 'two\n\nbreaks', 'end\n', '\nstart', 'sp \nbrk', 'brk\n sp', 'café', 'emoji 😀', 'ctl\u0001x',
  'nbsp\u00a0x', 'bom\ufeffx', 'crlf\r\nx', 'back\\slash', 'MLflow', 'mlflow.onnx', 'CUDAExecutionProvider', '-r requirements.txt',
  '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 784]}}]',
  '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "species", "required": true}, {"type": "long", "name": "x", "required": false}]',
  'word '.repeat(40).trim(),
  'x'.repeat(120),
  `${'a'.repeat(85)} ${'b'.repeat(10)}`,
  `dq é ${'w '.repeat(60)}end`,
  `long\nmulti line ${'z '.repeat(50)}\nthird`,
  "quote's ".repeat(15),
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(r: () => number, depth: number): PyYamlValue {
  const k = r();
  if (depth > 0 && k < 0.25) {
    const n = Math.floor(r() * 4);
    const obj: Record<string, PyYamlValue> = {};
    for (let i = 0; i < n; i++) obj[TRICKY[Math.floor(r() * TRICKY.length)]!] = randomValue(r, depth - 1);
    if (r() < 0.05) obj['k'.repeat(124)] = 'long key';
    return obj;
  }
  if (depth > 0 && k < 0.45) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth - 1));
  if (k < 0.55) return [0, 1, -7, 123456789, 2 ** 40][Math.floor(r() * 5)]!;
  if (k < 0.65) return new PyFloat([0.1, 1, -2.5, 1e-5, 1e16, 1.5e300, 123.456, NaN, Infinity, -Infinity, 0][Math.floor(r() * 11)]!);
  if (k < 0.7) return r() < 0.5;
  if (k < 0.73) return null;
  return TRICKY[Math.floor(r() * TRICKY.length)]!;
}

describe.skipIf(!hasPyYaml)('pyYamlDump against PyYAML safe_dump', () => {
  it('matches byte for byte on tricky strings, numbers and nesting (sorted and unsorted keys)', () => {
    const r = rng(42);
    const docs: PyYamlValue[] = [];
    for (let i = 0; i < 300; i++) {
      const doc: Record<string, PyYamlValue> = {};
      for (let j = 0; j < 4; j++) doc[TRICKY[Math.floor(r() * TRICKY.length)]!] = randomValue(r, 3);
      docs.push(doc);
    }
    docs.push(Object.fromEntries(TRICKY.map((s, i) => [s === '' ? 'empty' : s, TRICKY[(i + 7) % TRICKY.length]!])));
    docs.push({ top: TRICKY }, { a: [], b: {}, c: [[1, [2]], { d: [{ e: 'f' }] }] }, [{ x: 1 }, ['y']], 'root scalar', {});
    for (const sortKeys of [true, false]) {
      const script = `import sys, json, yaml
docs = json.loads(sys.stdin.read())
sys.stdout.write(json.dumps([yaml.safe_dump(d, default_flow_style=False, sort_keys=${sortKeys ? 'True' : 'False'}) for d in docs]))`;
      const expected = JSON.parse(runPython(script, pyJsonDumps(docs as PyJsonValue))) as string[];
      docs.forEach((d, i) => expect(pyYamlDump(d, { sortKeys }), `doc ${i}: ${JSON.stringify(d)}`).toBe(expected[i]));
    }
  });

  it('writes what the yaml package reads back', () => {
    const data = { b: ['x', 'yes', '1.0'], a: { s: TRICKY[TRICKY.length - 4]!, n: 3 } };
    expect(parse(pyYamlDump(data))).toEqual(data);
  });
});
