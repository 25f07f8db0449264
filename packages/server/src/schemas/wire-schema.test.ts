import { describe, expect, it } from 'vitest';
import { decodeMessage, w } from './wire-schema.js';

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
