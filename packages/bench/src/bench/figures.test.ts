import { describe, expect, it } from 'vitest';
import { histogramPercentileMs, latencyFigures, leastSquaresSlope, maximum } from './figures.js';

describe('latencyFigures', () => {
  it('handles more samples than a spread argument list can hold', () => {
    const samples = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 1000);
    const figures = latencyFigures('full', samples);
    expect(figures.full_max_ms).toBe(999);
    expect(figures.full_min_ms).toBe(0);
    expect(figures.full_count).toBe(500_000);
  });

  it('has no maximum without samples', () => {
    expect(maximum([])).toBeNull();
    expect(latencyFigures('', []).max_ms).toBeNull();
    expect(latencyFigures('', []).min_ms).toBeNull();
  });
});

describe('histogramPercentileMs', () => {
  it('finds the bucket holding a percentile of what was observed between two readings', () => {
    const before = new Map([
      [0.001, 10],
      [0.005, 10],
      [0.01, 10],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    // 100 more: 90 under 1 ms, 8 between 1 and 5 ms, 2 between 5 and 10 ms.
    const after = new Map([
      [0.001, 100],
      [0.005, 108],
      [0.01, 110],
      [Number.POSITIVE_INFINITY, 110],
    ]);
    expect(histogramPercentileMs(before, after, 50)).toEqual({ count: 100, boundMs: 1 });
    expect(histogramPercentileMs(before, after, 95)).toEqual({ count: 100, boundMs: 5 });
    expect(histogramPercentileMs(before, after, 99)).toEqual({ count: 100, boundMs: 10 });
    expect(histogramPercentileMs(after, after, 99)).toEqual({ count: 0, boundMs: null });
  });
});

describe('leastSquaresSlope', () => {
  it('is the slope of points on a line, and of noisy points around it', () => {
    expect(
      leastSquaresSlope([
        [0, 1],
        [10, 21],
        [20, 41],
      ]),
    ).toBeCloseTo(2);
    // One reading high, one low: the slope through all of them barely moves.
    expect(
      leastSquaresSlope([
        [5_000, 100],
        [6_000, 112],
        [7_000, 114],
        [8_000, 130],
        [9_000, 138],
        [10_000, 150],
      ]),
    ).toBeCloseTo(0.0098, 4);
  });

  it('has no slope without two distinct x', () => {
    expect(leastSquaresSlope([[1, 1]])).toBeNaN();
    expect(
      leastSquaresSlope([
        [1, 1],
        [1, 5],
      ]),
    ).toBeNaN();
  });
});
