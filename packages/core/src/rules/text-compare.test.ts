import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  containsIgnoringCase,
  endsWithIgnoringCase,
  equalsIgnoringCase,
  startsWithIgnoringCase,
} from './text-compare.js';

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'B', 'c', 'İ', 'i', 'K', 'k', 'Σ', 'ß', ' ') }),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
);

describe('case-insensitive comparisons', () => {
  it('agree with toLowerCase() on any text', () => {
    fc.assert(
      fc.property(text, text, (value, constant) => {
        const lower = constant.toLowerCase();
        const folded = value.toLowerCase();
        expect(equalsIgnoringCase(value, lower)).toBe(folded === lower);
        expect(startsWithIgnoringCase(value, lower)).toBe(folded.startsWith(lower));
        expect(endsWithIgnoringCase(value, lower)).toBe(folded.endsWith(lower));
        expect(containsIgnoringCase(value, lower)).toBe(folded.includes(lower));
      }),
      { numRuns: 2000 },
    );
  });

  it('handles the cases ASCII shortcuts get wrong', () => {
    expect(equalsIgnoringCase('\u212a', 'k')).toBe(true); // Kelvin sign lower-cases to k
    expect(startsWithIgnoringCase('İx', 'i̇')).toBe(true);
    expect(containsIgnoringCase('Citrix Workspace', 'workspace')).toBe(true);
    expect(endsWithIgnoringCase('PC-042', 'pc-042')).toBe(true);
    expect(endsWithIgnoringCase('42', 'pc-042')).toBe(false);
  });
});
