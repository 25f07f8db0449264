import { Float32, Float64, Int32, Int64, Table, TimestampMicrosecond, Utf8, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Metric } from '../entities/metric.js';
import { LablogError } from '../errors.js';
import { metricHistoryFromArrow, metricHistoryToArrow } from './metric-history-arrow.js';

const history: Metric[] = [
  { key: 'loss', value: 1.5, timestamp: 1_700_000_000_000, step: 0 },
  { key: 'loss', value: NaN, timestamp: 1_700_000_000_100, step: 1 },
  { key: 'loss', value: Infinity, timestamp: 1_700_000_000_200, step: 2 },
  { key: 'loss', value: -Infinity, timestamp: 1_700_000_000_300, step: -3 },
  { key: 'acc', value: 0.25, timestamp: 1_700_000_000_400, step: 2 ** 40 },
];

function invalid(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(LablogError.is(err)).toBe(true);
  expect((err as LablogError).errorCode).toBe('INVALID_PARAMETER_VALUE');
}

describe('metricHistoryToArrow', () => {
  it('writes key, step (Int64), timestamp (ms, UTC) and value (Float64)', () => {
    const t = metricHistoryToArrow(history);
    expect(t.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual([
      ['key', 'Utf8', false],
      ['step', 'Int64', false],
      ['timestamp', 'Timestamp<MILLISECOND, UTC>', false],
      ['value', 'Float64', false],
    ]);
    expect(t.numRows).toBe(5);
    expect(t.getChild('step')!.get(4)).toBe(2n ** 40n);
    expect(t.getChild('timestamp')!.get(0)).toBe(1_700_000_000_000);
    const values = [...t.getChild('value')!];
    expect(values.slice(0, 4)).toEqual([1.5, NaN, Infinity, -Infinity]);
    expect(t.getChild('value')!.nullCount).toBe(0);
  });

  it('gives the four columns and no rows for an empty history', () => {
    const t = metricHistoryToArrow([]);
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['key', 'step', 'timestamp', 'value']);
    expect(metricHistoryFromArrow(t)).toEqual([]);
  });

  it('adds run_id and dataset columns only when some point has them', () => {
    const t = metricHistoryToArrow([
      { key: 'm', value: 1, timestamp: 1, step: 0, runId: 'r1' },
      { key: 'm', value: 2, timestamp: 2, step: 0, datasetName: 'iris', datasetDigest: 'abcd1234' },
    ]);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['key', 'step', 'timestamp', 'value', 'run_id', 'dataset_name', 'dataset_digest']);
    expect([...t.getChild('run_id')!]).toEqual(['r1', null]);
  });

  it('refuses non-integer steps and non-finite timestamps', () => {
    invalid(() => metricHistoryToArrow([{ key: 'm', value: 1, timestamp: 1, step: 0.5 }]));
    invalid(() => metricHistoryToArrow([{ key: 'm', value: 1, timestamp: NaN, step: 0 }]));
  });
});

describe('metricHistoryFromArrow', () => {
  it('inverts metricHistoryToArrow, NaN and infinities included', () => {
    expect(metricHistoryFromArrow(metricHistoryToArrow(history))).toEqual(history);
    const extra: Metric[] = [{ key: 'm', value: 1, timestamp: 1, step: 0, runId: 'r1', modelId: 'm-1' }, { key: 'm', value: 2, timestamp: 2, step: 1 }];
    expect(metricHistoryFromArrow(metricHistoryToArrow(extra))).toEqual(extra);
  });

  it('takes the key from the argument when the table has no key column or a null key', () => {
    const t = tableFromArrays({ step: new Int32Array([0, 1]), timestamp: new Float64Array([10, 20]), value: new Float32Array([0.5, 0.25]) });
    expect(metricHistoryFromArrow(t, 'loss')).toEqual([
      { key: 'loss', value: 0.5, timestamp: 10, step: 0 },
      { key: 'loss', value: 0.25, timestamp: 20, step: 1 },
    ]);
    invalid(() => metricHistoryFromArrow(t));
    const mixed = new Table({
      key: vectorFromArray(['acc', null], new Utf8()),
      timestamp: vectorFromArray([1, 2], new Float64()),
      value: vectorFromArray([1, 2], new Float64()),
    });
    expect(metricHistoryFromArrow(mixed, 'fallback').map((m) => m.key)).toEqual(['acc', 'fallback']);
  });

  it('reads other numeric encodings, defaults a missing step to 0 and a null value to NaN', () => {
    const t = new Table({
      timestamp: vectorFromArray([1_700_000_000_000], new TimestampMicrosecond()),
      value: vectorFromArray([null], new Float64()),
    });
    expect(metricHistoryFromArrow(t, 'm')).toEqual([{ key: 'm', value: NaN, timestamp: 1_700_000_000_000, step: 0 }]);
    const ints = new Table({
      key: vectorFromArray(['m'], new Utf8()),
      step: vectorFromArray([7n], new Int64()),
      timestamp: vectorFromArray([5n], new Int64()),
      value: vectorFromArray([3], new Int32()),
    });
    expect(metricHistoryFromArrow(ints)).toEqual([{ key: 'm', value: 3, timestamp: 5, step: 7 }]);
  });

  it('refuses tables without value or timestamp, null timestamps and non-numeric cells', () => {
    invalid(() => metricHistoryFromArrow(tableFromArrays({ timestamp: new Float64Array([1]) }), 'm'));
    invalid(() => metricHistoryFromArrow(tableFromArrays({ value: new Float64Array([1]) }), 'm'));
    invalid(() => metricHistoryFromArrow(tableFromArrays({ timestamp: [null, 1], value: [1, 2] }), 'm'));
    invalid(() => metricHistoryFromArrow(tableFromArrays({ timestamp: [1], value: ['1.5'] }), 'm'));
  });
});
