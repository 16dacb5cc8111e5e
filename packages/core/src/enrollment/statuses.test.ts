import { describe, expect, it } from 'vitest';
import readme from './README.md?raw';
import { ENROLLMENT_STATUSES } from './statuses.js';

describe('enrollment README', () => {
  it('shows every status of ENROLLMENT_STATUSES with its name, manager, meaning and fix', () => {
    // Cells are compared trimmed: the formatter pads the table's columns.
    const rows = readme
      .split('\n')
      .filter((line) => /^\|\s*\d+\s*\|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const expected = ENROLLMENT_STATUSES.map((s) => [
      String(s.code),
      `\`${s.name}\``,
      s.managedBy,
      s.meaning,
      s.fix ?? '—',
    ]);
    expect(rows).toEqual(expected);
  });

  it('lists every status in the order of the checks, ending with managed', () => {
    const order = readme.slice(readme.indexOf('## Which status wins'));
    const codes = [...order.matchAll(/^\d+\. ((?:\d+ `[a-z-]+`,? ?)+)/gm)].flatMap((match) =>
      [...(match[1] ?? '').matchAll(/(\d+) `/g)].map((code) => Number(code[1])),
    );
    expect(codes.at(-1)).toBe(1);
    const decided = ENROLLMENT_STATUSES.map((s) => s.code).filter((code) => code !== 2);
    expect([...codes].sort((a, b) => a - b)).toEqual(decided);
  });
});
