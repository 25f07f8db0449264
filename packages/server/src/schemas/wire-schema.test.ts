import { describe, expect, it } from 'vitest';
import { decodeMessageReference, w } from './wire-schema.js';
import { decodeMessage } from './wire-decoder.js';

const schema = w.message(
  {
    run_id: w.string(),
    experiment_id: w.experimentId(),
    n: w.int64(),
    small: w.int32(),
    x: w.double(),
    flag: w.bool(),
    status: w.enum(['RUNNING', 'SCHEDULED', 'FINISHED'] as const),
    ids: w.array(w.string()),
    tags: w.array(w.message({ key: w.string(), value: w.string() }, ['key'])),
  },
  ['run_id'],
  { run_uuid: 'run_id' },
);

function ok(data: unknown, source: 'json' | 'query' = 'json') {
  const r = decodeMessage(schema, data, source);
  if ('error' in r) throw new Error(r.error[0]!.message);
  return r.value;
}
function err(data: unknown, source: 'json' | 'query' = 'json'): string {
  const r = decodeMessage(schema, data, source);
  if (!('error' in r)) throw new Error('expected an error');
  return r.error[0]!.message;
}

describe('decodeMessage', () => {
  it('keeps only schema fields, in fresh objects', () => {
    expect(ok({ run_id: 'r', other: 1, __proto__: { x: 1 } })).toEqual({ run_id: 'r' });
  });

  it('run_uuid stands in for run_id', () => {
    expect(ok({ run_uuid: 'r' })).toEqual({ run_id: 'r' });
    expect(ok({ run_id: 'a', run_uuid: 'b' })).toEqual({ run_id: 'a' });
  });

  it('null, undefined and "" count as missing', () => {
    const msg = "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.";
    expect(err({})).toBe(msg);
    expect(err({ run_id: null })).toBe(msg);
    expect(err({ run_id: '' })).toBe(msg);
    expect(ok({ run_id: 'r', n: null, x: '' })).toEqual({ run_id: 'r' });
  });

  it('int64: numbers or numeric strings; int32 range', () => {
    expect(ok({ run_id: 'r', n: 1731990000000, small: '-5' })).toMatchObject({ n: 1731990000000, small: -5 });
    expect(ok({ run_id: 'r', n: '1731990000000' }).n).toBe(1731990000000);
    expect(err({ run_id: 'r', n: 1.5 })).toMatch(/^Invalid value 1.5 for parameter 'n' supplied/);
    expect(err({ run_id: 'r', n: 'abc' })).toMatch(/'n'/);
    expect(err({ run_id: 'r', small: 2 ** 31 })).toMatch(/'small'/);
  });

  it('doubles accept NaN/Infinity strings and numeric strings', () => {
    expect(Number.isNaN(ok({ run_id: 'r', x: 'NaN' }).x)).toBe(true);
    expect(ok({ run_id: 'r', x: 'Infinity' }).x).toBe(Infinity);
    expect(ok({ run_id: 'r', x: '-Infinity' }).x).toBe(-Infinity);
    expect(ok({ run_id: 'r', x: '0.25' }).x).toBe(0.25);
    expect(err({ run_id: 'r', x: true })).toMatch(/'x'/);
    expect(err({ run_id: 'r', x: 'nan' })).toMatch(/'x'/);
  });

  it('experiment ids: JSON ints become strings; other string fields refuse numbers', () => {
    expect(ok({ run_id: 'r', experiment_id: 7 }).experiment_id).toBe('7');
    expect(err({ run_id: 5 })).toMatch(/^Invalid value 5 for parameter 'run_id' supplied/);
  });

  it('enums by name or number', () => {
    expect(ok({ run_id: 'r', status: 'FINISHED' }).status).toBe('FINISHED');
    expect(ok({ run_id: 'r', status: 2 }).status).toBe('SCHEDULED');
    expect(ok({ run_id: 'r', status: '1' }, 'query').status).toBe('RUNNING');
    expect(err({ run_id: 'r', status: 4 })).toMatch(/'status'/);
    expect(err({ run_id: 'r', status: 'finished' })).toMatch(/'status'/);
    expect(ok({ run_id: 'r', status: '' }, 'query')).toEqual({ run_id: 'r' });
  });

  it('bools: true/false in any case', () => {
    expect(ok({ run_id: 'r', flag: 'TRUE' }, 'query').flag).toBe(true);
    expect(ok({ run_id: 'r', flag: false }).flag).toBe(false);
    expect(err({ run_id: 'r', flag: 'yes' }, 'query')).toMatch(/'flag'/);
  });

  it('lists: JSON arrays; in a query string a single value is a one-item list', () => {
    expect(ok({ run_id: 'r', ids: ['a', 'b'] }).ids).toEqual(['a', 'b']);
    expect(ok({ run_id: 'r', ids: 'a' }, 'query').ids).toEqual(['a']);
    expect(err({ run_id: 'r', ids: 'a' })).toMatch(/'ids'/);
    expect(err({ run_id: 'r', ids: [1] })).toMatch(/'ids\[0\]'/);
  });

  it('nested messages report their path', () => {
    expect(err({ run_id: 'r', tags: [{ key: 'a' }, { value: 'v' }] })).toBe(
      "Missing value for required parameter 'tags[1].key'. See the API docs for more information about request parameters.",
    );
    expect(err({ run_id: 'r', tags: [null] })).toMatch(/'tags\[0\]'/);
    expect(err({ run_id: 'r', tags: 'x' }, 'query')).toMatch(/'tags\[0\]'/);
  });

  it('query strings: repeated scalar keys take the first value', () => {
    expect(ok({ run_id: ['a', 'b'] }, 'query').run_id).toBe('a');
  });

  it('the root must be an object', () => {
    expect(err([1])).toMatch(/^Invalid value \[1\] for parameter 'request'/);
    expect(err(null)).toMatch(/Missing value for required parameter 'run_id'/); // null is the empty message
  });

  it('long values are cut in messages', () => {
    const message = err({ run_id: 'r', n: 'x'.repeat(10_000) });
    expect(message.length).toBeLessThan(500);
  });
});

describe('decodeMessage: compiled fast path vs the reference decoder', () => {
  const metric = w.message(
    { key: w.string(), value: w.double(), timestamp: w.int64(), step: w.int64(), model_id: w.string() },
    ['key', 'value', 'timestamp'],
  );
  const batch = w.message(
    { run_id: w.string(), metrics: w.array(metric), params: w.array(w.message({ key: w.string(), value: w.string() }, ['key'])) },
    [],
    { run_uuid: 'run_id' },
  );
  const good = (i: number) => ({ key: `k${i}`, value: i / 3, timestamp: 1700000000000 + i, step: i });
  const metrics = (n: number) => Array.from({ length: n }, (_, i) => good(i));

  function errorOf(data: unknown) {
    const r = decodeMessage(batch, data, 'json');
    if (!('error' in r)) throw new Error('expected an error');
    expect(r).toEqual(decodeMessageReference(batch, data, 'json'));
    return r.error[0]!;
  }

  it('reports errors deep in arrays with the same path, pointer and message', () => {
    const list = metrics(5);
    (list[3] as Record<string, unknown>).value = 'abc';
    const e = errorOf({ run_id: 'r', metrics: list });
    expect(e.params.path).toBe('metrics[3].value');
    expect(e.instancePath).toBe('/metrics/3/value');
    expect(e.keyword).toBe('type');
    expect(e.message).toBe(
      "Invalid value 'abc' for parameter 'metrics[3].value' supplied. Hint: Value was of type 'string', expected a double. See the API docs for more information about request parameters.",
    );
  });

  it('reports a missing nested field and a null array item by path', () => {
    const list: Record<string, unknown>[] = metrics(12);
    delete list[11]!.timestamp;
    const e = errorOf({ run_id: 'r', metrics: list });
    expect(e.params.path).toBe('metrics[11].timestamp');
    expect(e.instancePath).toBe('/metrics/11/timestamp');
    expect(e.message).toBe(
      "Missing value for required parameter 'metrics[11].timestamp'. See the API docs for more information about request parameters.",
    );
    const e2 = errorOf({ run_id: 'r', metrics: [good(0), null] });
    expect(e2.params.path).toBe('metrics[1]');
    expect(e2.keyword).toBe('required');
    expect(errorOf({ run_id: 'r', metrics: metrics(3).concat([{ ...good(3), step: 1.5 }]) }).params.path).toBe('metrics[3].step');
    expect(errorOf({ run_id: 'r', params: [{ key: 'a' }, { key: 7 }] }).params.path).toBe('params[1].key');
    expect(errorOf({ run_id: 'r', metrics: { 0: good(0) } }).params.path).toBe('metrics');
  });

  it('gives the first error in field order, as before', () => {
    const list: Record<string, unknown>[] = metrics(4);
    list[1]!.step = 'x';
    list[2]!.value = null;
    expect(errorOf({ run_id: 'r', metrics: list }).params.path).toBe('metrics[1].step');
  });

  it('decodes valid batches to the same values as the reference decoder', () => {
    const data = {
      run_uuid: 'r',
      extra: [1, 2],
      metrics: [
        ...metrics(50),
        { key: 'n', value: 'NaN', timestamp: '17', step: ' 3 ' },
        { key: 'i', value: '-Infinity', timestamp: 1, step: null, model_id: '' },
        { key: 's', value: ' 2.5 ', timestamp: -4, unknown: true },
      ],
      params: [{ key: 'p', value: '' }, { key: 'q' }],
    };
    const fast = decodeMessage(batch, data, 'json');
    expect(fast).toEqual(decodeMessageReference(batch, data, 'json'));
    expect(Object.is((fast as { value: { metrics: { value: number }[] } }).value.metrics[50]!.value, NaN)).toBe(true);
  });

  it('agrees with the reference decoder on random inputs', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const scalars: unknown[] = [
      'a', '', ' ', '12', '-3', '1.5', 'NaN', 'Infinity', '-Infinity', 'true', 'FALSE', '2147483648', 'RUNNING', '2', '0',
      0, 1, -1, 2.5, 2 ** 31, 2 ** 53, NaN, true, false, null, undefined, [], ['x'], ['1', '2'], {}, { key: 'k' },
    ];
    const value = (depth: number): unknown => {
      const r = rand();
      if (depth > 0 && r < 0.15) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth - 1));
      if (depth > 0 && r < 0.3) return obj(depth - 1);
      return pick(scalars);
    };
    const names = ['run_id', 'run_uuid', 'experiment_id', 'n', 'small', 'x', 'flag', 'status', 'ids', 'tags', 'key', 'value', 'zz'];
    const obj = (depth: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (const name of names) if (rand() < 0.4) o[name] = value(depth);
      return o;
    };
    let agreed = 0;
    for (let i = 0; i < 5000; i++) {
      const data = rand() < 0.1 ? value(2) : obj(2);
      for (const source of ['json', 'query'] as const) {
        const fast = decodeMessage(schema, data, source);
        expect(fast, `input ${JSON.stringify(data)} (${source})`).toEqual(decodeMessageReference(schema, data, source));
        if ('value' in fast) agreed++;
      }
    }
    expect(agreed).toBeGreaterThan(100); // the random inputs reach the success path too
  });
});
