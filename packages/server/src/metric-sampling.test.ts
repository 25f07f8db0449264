import { describe, expect, it } from 'vitest';
import { sampleSteps } from './metric-sampling.js';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('sampleSteps', () => {
  it('keeps every step when they fit', () => {
    expect([...sampleSteps([1, 2, 3], 0, 10, 5)]).toEqual([1, 2, 3]);
  });
  it('keeps only steps within the range', () => {
    expect([...sampleSteps(range(10), 3, 5, 100)]).toEqual([3, 4, 5]);
    expect([...sampleSteps(range(10), 20, 30, 100)]).toEqual([]);
  });
  it('takes evenly spaced steps plus the last one', () => {
    expect([...sampleSteps(range(10), 0, 9, 3)].sort((a, b) => a - b)).toEqual([0, 3, 6, 9]);
  });
  it('samples inside a range that starts late (every index stays in range)', () => {
    const got = [...sampleSteps(range(100), 50, 99, 5)].sort((a, b) => a - b);
    expect(got).toEqual([50, 60, 70, 80, 90, 99]);
  });
});
