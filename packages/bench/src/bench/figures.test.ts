import { describe, expect, it } from 'vitest';
import { latencyFigures, maximum } from './figures.js';

describe('latencyFigures', () => {
  it('handles more samples than a spread argument list can hold', () => {
    const samples = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 1000);
    const figures = latencyFigures('full', samples);
    expect(figures.full_max_ms).toBe(999);
    expect(figures.full_count).toBe(500_000);
  });

  it('has no maximum without samples', () => {
    expect(maximum([])).toBeNull();
    expect(latencyFigures('', []).max_ms).toBeNull();
  });
});
