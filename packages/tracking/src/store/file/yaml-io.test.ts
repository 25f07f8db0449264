import { describe, expect, it } from 'vitest';
import { parsePyYaml, pyYamlNeedsQuotes, resolvePlainScalar, stringifyPyYaml } from './yaml-io.js';
import type { YamlMap } from './yaml-io.js';
import { havePython, runPython } from './__tests__/python.js';

const TRICKY = [
  '0', '00', '012', '1.0', '1e5', '1_000', '12:30', '0x1F', '0b101', '.inf', '-.inf', '.nan', 'yes', 'No', 'on', 'OFF', 'y', 'n',
  'true', 'False', 'null', 'Null', '~', '', 'None', '=', '<<', '2024-01-31', '2024-01-31 10:11:12', 'a: b', 'a:b', '#x', 'a #b',
  ' lead', 'trail ', '- x', '[x]', '{x}', '&a', '*a', '!t', '%p', '@x', '`x`', '|', '>', "it's", 'say "hi"', 'multi\nline',
  'ends with newline\n', 'tab\there', 'bell\u0007', 'ünïcødé ✓ 😀', 'file:///abs/path with space', 's3://bucket/key', '-', '?',
  'x'.repeat(120) + ' ' + 'y'.repeat(40), '{"uri": "s3://b/k", "n": [1, 2]}',
];

describe('PyYAML resolver', () => {
  it('types plain scalars as PyYAML does', () => {
    expect(resolvePlainScalar('0')).toBe(0);
    expect(resolvePlainScalar('012')).toBe(10);
    expect(resolvePlainScalar('1_000')).toBe(1000);
    expect(resolvePlainScalar('1e5')).toBe('1e5');
    expect(resolvePlainScalar('1.0e+5')).toBe(100000);
    expect(resolvePlainScalar('None')).toBe('None');
    expect(resolvePlainScalar('null')).toBeNull();
    expect(resolvePlainScalar('yes')).toBe(true);
    expect(resolvePlainScalar('y')).toBe('y');
    expect(resolvePlainScalar('742679845729036480123')).toBe('742679845729036480123');
    expect(resolvePlainScalar('742679845729036480')).toBe('742679845729036480');
    expect(resolvePlainScalar('1731990000000')).toBe(1731990000000);
    expect(pyYamlNeedsQuotes('=')).toBe(true);
  });

  it('reads block style, quoting and empty collections', () => {
    const text = "a: '0'\nb: 12\nc: null\nd: []\ne: {}\nf:\n- x\n- 'y'\ng:\n  mlflow.data.context: training\nh: None\ni: ''\n";
    expect(parsePyYaml(text)).toEqual({ a: '0', b: 12, c: null, d: [], e: {}, f: ['x', 'y'], g: { 'mlflow.data.context': 'training' }, h: 'None', i: '' });
  });
});

describe.skipIf(!havePython())('stringifyPyYaml against PyYAML', () => {
  const DUMP = 'yaml.safe_dump(d, default_flow_style=False, allow_unicode=True, sort_keys=True, width=10**9)';

  it('writes a run meta.yaml byte for byte as PyYAML', () => {
    const meta: YamlMap = {
      user_id: 'alice', status: 3, tags: [], start_time: 1731990000000, source_version: '', source_type: 4, source_name: '',
      run_uuid: '4f2c0d7c9b8a4e6f8a1b2c3d4e5f6a7b', run_name: 'bold-cat-123', run_id: '4f2c0d7c9b8a4e6f8a1b2c3d4e5f6a7b',
      lifecycle_stage: 'active', experiment_id: '0', entry_point_name: '', end_time: null, deleted_time: null,
      artifact_uri: 'file:///abs/path/mlruns/0/4f2c0d7c9b8a4e6f8a1b2c3d4e5f6a7b/artifacts',
    };
    const ours = stringifyPyYaml(meta);
    const theirs = runPython(['-c', `import json,sys,yaml; d=json.load(sys.stdin); sys.stdout.write(${DUMP})`], JSON.stringify(meta));
    expect(ours).toBe(theirs);
    expect(ours).toContain("experiment_id: '0'\n");
    expect(ours).toContain("entry_point_name: ''\n");
    expect(ours).toContain('tags: []\n');
  });

  it('writes maps and lists as PyYAML (registry metas)', () => {
    const meta: YamlMap = { name: 'fm', aliases: { champ: '1', b: '12' }, description: null, list: ['champ', 'z'], empty: {}, version: 1, current_stage: 'None' };
    const ours = stringifyPyYaml(meta);
    const theirs = runPython(['-c', `import json,sys,yaml; d=json.load(sys.stdin); sys.stdout.write(${DUMP})`], JSON.stringify(meta));
    expect(ours).toBe(theirs);
  });

  it('every tricky string survives lablog → PyYAML and PyYAML → lablog', () => {
    const data: YamlMap = Object.fromEntries(TRICKY.map((s, i) => [`k${String(i).padStart(3, '0')}`, s]));
    data[TRICKY[0]!] = 'as key';
    data['yes'] = 'bool-like key';
    const loaded = runPython(['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], stringifyPyYaml(data));
    expect(JSON.parse(loaded)).toEqual(data);
    const dumped = runPython(['-c', `import json,sys,yaml; d=json.load(sys.stdin); sys.stdout.write(yaml.safe_dump(d, default_flow_style=False, allow_unicode=True))`], JSON.stringify(data));
    expect(parsePyYaml(dumped)).toEqual(data);
  });
});
