import { describe, expect, it } from 'vitest';
import type { Metric } from '@lablog/tracking';
import { sampleMinMax } from './metric-minmax-sampling.js';

const point = (step: number, value: number, timestamp = step): Metric => ({ key: 'loss', value, timestamp, step });

describe('sampleMinMax', () => {
  it('returns everything, sorted by (step, timestamp), when it fits', () => {
    const pts = [point(2, 1), point(0, 3), point(1, 2, 5), point(1, 9, 4)];
    expect(sampleMinMax(pts, 10).map((m) => [m.step, m.value])).toEqual([[0, 3], [1, 9], [1, 2], [2, 1]]);
  });

  it('keeps each bucket’s min and max plus the first and last point', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => point(i, Math.sin(i / 10)));
    pts[537] = point(537, 1e6);
    pts[811] = point(811, -1e6);
    const out = sampleMinMax(pts, 20);
    expect(out.length).toBeLessThanOrEqual(22);
    const steps = out.map((m) => m.step);
    expect(steps).toContain(0);
    expect(steps).toContain(999);
    expect(steps).toContain(537);
    expect(steps).toContain(811);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('NaN is never an extreme, but a bucket of only NaNs keeps a point', () => {
    const pts = [...Array.from({ length: 10 }, (_, i) => point(i, NaN)), ...Array.from({ length: 10 }, (_, i) => point(10 + i, i))];
    const out = sampleMinMax(pts, 4); // two buckets: steps 0–9 (all NaN), 10–19
    expect(out.map((m) => m.step)).toEqual([0, 10, 19]);
  });

  it('max_results 1 still gives the first, the last and one bucket’s extremes', () => {
    const out = sampleMinMax([point(0, 5), point(1, 9), point(2, 1), point(3, 4)], 1);
    expect(out.map((m) => m.step)).toEqual([0, 1, 2, 3]);
  });

  it('handles huge step values without losing the ends', () => {
    const pts = [point(0, 1), point(2 ** 40, 2), point(2 ** 41, 3), point(2 ** 42, 0)];
    // One bucket: its max (2^41, value 3) and min (2^42, value 0), plus the first point.
    expect(sampleMinMax(pts, 2).map((m) => m.step)).toEqual([0, 2 ** 41, 2 ** 42]);
  });
});
