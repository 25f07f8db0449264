import { createHash } from 'node:crypto';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Table,
  TimestampMicrosecond,
  Uint64,
  Utf8,
  tableFromArrays,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { datasetInputToJSON } from '../entities/dataset.js';
import { computeArrowTableDigest, DIGEST_MAX_ROWS } from './arrow-table-digest.js';
import { datasetFromArrowTable } from './dataset-from-arrow-table.js';
import { datasetInput } from './dataset-input.js';
import { codeDatasetSource } from './dataset-source.js';
import { pythonJsonDumps } from './python-json.js';

const iris = () =>
  tableFromArrays({
    sepal_length: new Float64Array([5.1, 4.9, 4.7]),
    species: ['setosa', 'setosa', 'virginica'],
    label: new Int32Array([0, 0, 2]),
  });

describe('datasetFromArrowTable', () => {
  it('fills name, source, digest, schema and profile', () => {
    const d = datasetFromArrowTable(iris());
    expect(d.name).toBe('dataset');
    expect(d.sourceType).toBe('code');
    expect(d.source).toBe('{"tags": {}}');
    expect(d.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(d.schema).toBe(
      '{"mlflow_colspec": [{"type": "double", "name": "sepal_length", "required": true}, ' +
        '{"type": "string", "name": "species", "required": false}, ' +
        '{"type": "integer", "name": "label", "required": true}]}',
    );
    expect(d.profile).toBe('{"num_rows": 3, "num_elements": 9}');
    expect('context' in d).toBe(false);
  });

  it('takes name, source, digest and context from options', () => {
    const source = { sourceType: 's3', source: pythonJsonDumps({ uri: 's3://b/iris.parquet' }) };
    const d = datasetFromArrowTable(iris(), { name: 'iris', source, digest: 'cafebabe', context: 'training' });
    expect(d).toMatchObject({ name: 'iris', sourceType: 's3', source: '{"uri": "s3://b/iris.parquet"}', digest: 'cafebabe', context: 'training' });
    expect(codeDatasetSource({ 'mlflow.source.name': 'train.ts' }).source).toBe('{"tags": {"mlflow.source.name": "train.ts"}}');
  });

  it('maps Arrow types to ColSpec types, nullable → not required', () => {
    const table = new Table({
      f32: vectorFromArray([1.5], new Float32()),
      i64: vectorFromArray([1n], new Int64()),
      s: vectorFromArray(['x'], new Utf8()),
      b: vectorFromArray([true], new Bool()),
      bin: vectorFromArray([new Uint8Array([1, 2])], new Binary()),
      ts: vectorFromArray([Date.UTC(2024, 0, 1)], new TimestampMicrosecond('UTC')),
      day: vectorFromArray([Date.UTC(2024, 0, 1)], new DateDay()),
    });
    const specs = JSON.parse(datasetFromArrowTable(table).schema!).mlflow_colspec as { type: string; name: string }[];
    expect(specs.map((s) => [s.name, s.type])).toEqual([
      ['f32', 'float'],
      ['i64', 'long'],
      ['s', 'string'],
      ['b', 'boolean'],
      ['bin', 'binary'],
      ['ts', 'datetime'],
      ['day', 'datetime'],
    ]);
    const strict = tableFromArrays({ x: new Float64Array([1]), y: [1] });
    expect(JSON.parse(datasetFromArrowTable(strict).schema!).mlflow_colspec.map((s: { required: boolean }) => s.required)).toEqual([true, false]);
  });

  it('leaves the schema out when a column has no ColSpec type, as MLflow does', () => {
    for (const vec of [
      vectorFromArray([1n], new Uint64()),
      vectorFromArray([[1, 2]], new List(new Field('item', new Float64(), true))),
      vectorFromArray([new Uint32Array([1, 0, 0, 0])], new Decimal(2, 10, 128)),
    ]) {
      const d = datasetFromArrowTable(new Table({ ok: vectorFromArray([1], new Float64()), bad: vec }));
      expect(d.schema).toBeUndefined();
      expect(d.profile).toBe('{"num_rows": 1, "num_elements": 2}');
    }
  });

  it('describes an empty table', () => {
    const d = datasetFromArrowTable(new Table());
    expect(d.profile).toBe('{"num_rows": 0, "num_elements": 0}');
    expect(d.schema).toBe('{"mlflow_colspec": []}');
    expect(d.digest).toMatch(/^[0-9a-f]{8}$/);
    expect(datasetFromArrowTable(tableFromArrays({ a: new Float64Array(0) })).digest).not.toBe(d.digest);
  });
});

describe('computeArrowTableDigest', () => {
  it('is deterministic and pinned', () => {
    expect(computeArrowTableDigest(iris())).toBe(computeArrowTableDigest(iris()));
    // Pinned: a change here changes every stored digest.
    expect(computeArrowTableDigest(iris())).toBe('d8b849d3');
  });

  it('hashes exactly the documented bytes', () => {
    const table = tableFromArrays({ x: [1.5, null, NaN], flag: [true, false, true], name: ['a', 'é', null] });
    const parts: Buffer[] = [];
    const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
    const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); parts.push(b); };
    const str = (s: string) => { const b = Buffer.from(s, 'utf8'); u32(b.length); parts.push(b); };
    const tag = (t: number) => parts.push(Buffer.from([t]));
    u32(0); tag(1); f64(1.5); tag(0); tag(1); parts.push(Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]));
    u32(2); tag(4); str('a'); tag(4); str('é'); tag(0);
    const rows = Buffer.alloc(8); rows.writeBigInt64LE(3n); parts.push(rows);
    str('x'); str('flag'); str('name');
    const expected = createHash('md5').update(Buffer.concat(parts)).digest('hex').slice(0, 8);
    expect(computeArrowTableDigest(table)).toBe(expected);
  });

  it('changes when hashed data, row count, names or column positions change', () => {
    const base = computeArrowTableDigest(iris());
    const variants = [
      tableFromArrays({ sepal_length: new Float64Array([5.1, 4.9, 4.8]), species: ['setosa', 'setosa', 'virginica'], label: new Int32Array([0, 0, 2]) }),
      tableFromArrays({ sepal_length: new Float64Array([5.1, 4.9, 4.7]), species: ['setosa', 'setosa', 'versicolor'], label: new Int32Array([0, 0, 2]) }),
      tableFromArrays({ sepal_length: new Float64Array([5.1, 4.9, 4.7]), species: ['setosa', 'setosa', 'virginica'], label: new Int32Array([0, 0, 1]) }),
      tableFromArrays({ sepal_length: new Float64Array([5.1, 4.9]), species: ['setosa', 'setosa'], label: new Int32Array([0, 0]) }),
      tableFromArrays({ sepal_len: new Float64Array([5.1, 4.9, 4.7]), species: ['setosa', 'setosa', 'virginica'], label: new Int32Array([0, 0, 2]) }),
      tableFromArrays({ sepal_length: [5.1, null, 4.7], species: ['setosa', 'setosa', 'virginica'], label: new Int32Array([0, 0, 2]) }),
      tableFromArrays({ species: ['setosa', 'setosa', 'virginica'], sepal_length: new Float64Array([5.1, 4.9, 4.7]), label: new Int32Array([0, 0, 2]) }),
    ];
    const digests = variants.map(computeArrowTableDigest);
    expect(digests).not.toContain(base);
    expect(new Set(digests).size).toBe(digests.length);
    // Same values, types swapped between two columns.
    expect(computeArrowTableDigest(tableFromArrays({ a: ['x'], b: [true] }))).not.toBe(
      computeArrowTableDigest(tableFromArrays({ a: [true], b: ['x'] })),
    );
  });

  it('ignores values outside string and numeric columns, and rows past the first 10 000', () => {
    const withFlag = (flag: boolean) => tableFromArrays({ x: [1, 2], flag: [flag, true] });
    expect(computeArrowTableDigest(withFlag(true))).toBe(computeArrowTableDigest(withFlag(false)));
    const n = DIGEST_MAX_ROWS + 5;
    const big = (last: number) => tableFromArrays({ v: Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? last : i)) });
    expect(computeArrowTableDigest(big(1))).toBe(computeArrowTableDigest(big(2)));
    const bigHead = tableFromArrays({ v: Float64Array.from({ length: n }, (_, i) => (i === 0 ? -1 : i)) });
    expect(computeArrowTableDigest(bigHead)).not.toBe(computeArrowTableDigest(big(n - 1)));
  });

  it('hashes 64-bit integers exactly', () => {
    const t = (v: bigint) => new Table({ v: vectorFromArray([v], new Int64()) });
    expect(computeArrowTableDigest(t(2n ** 62n))).not.toBe(computeArrowTableDigest(t(2n ** 62n + 1n)));
    const u = (v: bigint) => new Table({ v: vectorFromArray([v], new Uint64()) });
    expect(computeArrowTableDigest(u(2n ** 64n - 1n))).not.toBe(computeArrowTableDigest(u(2n ** 64n - 2n)));
  });
});

describe('datasetInput', () => {
  const d = datasetFromArrowTable(iris(), { name: 'iris' });

  it('adds the mlflow.data.context tag after user tags', () => {
    const input = datasetInput(d, 'training', { split: 'train' });
    expect(input.tags).toEqual([
      { key: 'split', value: 'train' },
      { key: 'mlflow.data.context', value: 'training' },
    ]);
    expect(input.dataset).toEqual(d);
    expect(datasetInputToJSON(input).tags).toHaveLength(2);
  });

  it('uses the dataset context by default and lets an explicit one win', () => {
    const withCtx = datasetFromArrowTable(iris(), { context: 'eval' });
    const a = datasetInput(withCtx);
    expect(a.tags).toEqual([{ key: 'mlflow.data.context', value: 'eval' }]);
    expect('context' in a.dataset).toBe(false);
    const b = datasetInput(withCtx, 'training', [{ key: 'mlflow.data.context', value: 'stale' }]);
    expect(b.tags).toEqual([{ key: 'mlflow.data.context', value: 'training' }]);
  });

  it('adds no context tag without a context', () => {
    expect(datasetInput(d).tags).toEqual([]);
    expect(datasetInput(d, undefined, [{ key: 'k', value: 'v' }]).tags).toEqual([{ key: 'k', value: 'v' }]);
  });
});

describe('pythonJsonDumps', () => {
  it('writes what Python json.dumps writes', () => {
    expect(pythonJsonDumps({ a: [1, 'é', null, true], 'k\u007f': '😀\n' })).toBe('{"a": [1, "\\u00e9", null, true], "k\\u007f": "\\ud83d\\ude00\\n"}');
    expect(pythonJsonDumps([])).toBe('[]');
    expect(pythonJsonDumps({})).toBe('{}');
    expect(() => pythonJsonDumps(NaN)).toThrow();
  });
});
