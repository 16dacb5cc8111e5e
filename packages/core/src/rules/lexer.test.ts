import { describe, expect, it } from 'vitest';
import { positionOf, RuleSyntaxError } from './diagnostics.js';
import { tokenize } from './lexer.js';

function kinds(text: string) {
  return tokenize(text).map((t) => [t.kind, t.value, t.hyphen]);
}

function lexError(text: string): RuleSyntaxError {
  try {
    tokenize(text);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a lexical error in ${text}`);
}

describe('tokenize', () => {
  it('reads names, hyphenated words (hyphen or en dash), strings, numbers and punctuation', () => {
    expect(kinds('(device.memberOf –any [\'a\', "b"]) -eq 10.0.1 -5 $null _')).toEqual([
      ['lparen', '(', false],
      ['word', 'device.memberOf', false],
      ['word', 'any', true],
      ['lbracket', '[', false],
      ['string', 'a', false],
      ['comma', ',', false],
      ['string', 'b', false],
      ['rbracket', ']', false],
      ['rparen', ')', false],
      ['word', 'eq', true],
      ['number', '10.0.1', false],
      ['number', '-5', false],
      ['word', '$null', false],
      ['word', '_', false],
      ['eof', '', false],
    ]);
  });

  it('unescapes backtick-escaped double quotes and doubled single quotes, nothing else', () => {
    expect(tokenize('"a`"b``c`d\\n"')[0]?.value).toBe('a"b`c`d\\n');
    expect(tokenize("'it''s \"x\"'")[0]?.value).toBe('it\'s "x"');
  });

  it('records each token span', () => {
    const [, operator, value] = tokenize('device.displayName  -eq  "x y"');
    expect(operator).toMatchObject({ offset: 20, length: 3 });
    expect(value).toMatchObject({ offset: 25, length: 5 });
  });

  it('reports unterminated strings at the opening quote', () => {
    expect(lexError('device.displayName -eq "abc')).toMatchObject({ offset: 23, length: 4 });
    expect(lexError("x -eq 'it''s")).toMatchObject({ offset: 6 });
  });

  it('reports stray and typographic characters', () => {
    expect(lexError('a & b')).toMatchObject({ offset: 2, message: expect.stringContaining("'&'") });
    expect(lexError('a -eq “x”').message).toContain('straight quotes');
    expect(lexError('a -eq 12abc').message).toContain("'12abc' is not a number");
  });
});

describe('positionOf', () => {
  it('gives 1-based lines and columns', () => {
    expect(positionOf('ab\ncd\ne', 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf('ab\ncd\ne', 4)).toEqual({ line: 2, column: 2 });
    expect(positionOf('ab\ncd\ne', 6)).toEqual({ line: 3, column: 1 });
  });
});
