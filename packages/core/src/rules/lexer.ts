/**
 * Splits rule text into tokens. The directory's lexical rules (dynamic-rules.json):
 * - operators are words, written with or without a leading hyphen and in any case (`-eq`, `eq`,
 *   `-EQ`); the documentation's own examples contain an en dash (`–eq`), accepted as a hyphen too;
 * - strings are double-quoted (a backtick escapes a double quote or a backtick: `` `" ``) or
 *   single-quoted (a doubled quote `''` stands for one quote); no other escapes exist, so regular
 *   expressions keep their backslashes untouched;
 * - numbers are unquoted; a dotted run such as `10.0.22000.1000` is one token (assignment filters
 *   compare unquoted versions);
 * - names are dotted words: `device.deviceOSType`, `group.objectId`, `_`, `$null`, `true`.
 */
import { RuleSyntaxError } from './diagnostics.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'string'
  | 'number'
  | 'word'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Strings: the unescaped value. Numbers: the raw digits. Words: the word without hyphen. */
  readonly value: string;
  /** Words written with a leading hyphen (`-eq`). */
  readonly hyphen: boolean;
  readonly offset: number;
  readonly length: number;
}

const PUNCTUATION: Readonly<Record<string, TokenKind>> = {
  '(': 'lparen',
  ')': 'rparen',
  '[': 'lbracket',
  ']': 'rbracket',
  ',': 'comma',
};

const TYPOGRAPHIC_QUOTES = '\u201c\u201d\u2018\u2019\u201e';

/** Hyphen-minus, en dash, em dash. */
function isDash(ch: string): boolean {
  return ch === '-' || ch === '\u2013' || ch === '\u2014';
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isWordStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_$]/.test(ch);
}

function isWordPart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$.]/.test(ch);
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\u00a0';
}

/** Tokenizes `text`; throws RuleSyntaxError (caught by the parser) at the first bad character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const punctuation = PUNCTUATION[ch];
    if (punctuation !== undefined) {
      tokens.push({ kind: punctuation, value: ch, hyphen: false, offset: i, length: 1 });
      i++;
    } else if (ch === '"' || ch === "'") {
      const token = readString(text, i);
      tokens.push(token);
      i += token.length;
    } else if (isDigit(ch) || (isDash(ch) && isDigit(text[i + 1]))) {
      const token = readNumber(text, i);
      tokens.push(token);
      i += token.length;
    } else if (isWordStart(ch) || (isDash(ch) && isWordStart(text[i + 1]))) {
      const hyphen = isDash(ch);
      let end = hyphen ? i + 1 : i;
      while (isWordPart(text[end])) end++;
      const value = text.slice(hyphen ? i + 1 : i, end);
      tokens.push({ kind: 'word', value, hyphen, offset: i, length: end - i });
      i = end;
    } else if (TYPOGRAPHIC_QUOTES.includes(ch)) {
      // Rules copied from formatted documents carry curly quotes.
      const detail = `Typographic quote '${ch}': write strings with straight quotes " or '.`;
      throw new RuleSyntaxError('queryCompilation', detail, i, 1);
    } else {
      throw new RuleSyntaxError('queryCompilation', `Unexpected character '${ch}'.`, i, 1);
    }
  }
  tokens.push({ kind: 'eof', value: '', hyphen: false, offset: text.length, length: 0 });
  return tokens;
}

function readString(text: string, start: number): Token {
  const quote = text.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (quote === '"' && ch === '`' && (text[i + 1] === '"' || text[i + 1] === '`')) {
      value += text.charAt(i + 1);
      i += 2;
    } else if (ch === quote && quote === "'" && text[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (ch === quote) {
      return { kind: 'string', value, hyphen: false, offset: start, length: i + 1 - start };
    } else {
      value += ch;
      i++;
    }
  }
  throw new RuleSyntaxError(
    'queryCompilation',
    `Unterminated string: the ${quote === '"' ? 'double' : 'single'} quote opened here is never closed.`,
    start,
    text.length - start,
  );
}

function readNumber(text: string, start: number): Token {
  let end = start + 1;
  while (isDigit(text[end]) || (text[end] === '.' && isDigit(text[end + 1]))) end++;
  if (isWordPart(text[end])) {
    while (isWordPart(text[end])) end++;
    throw new RuleSyntaxError(
      'queryCompilation',
      `'${text.slice(start, end)}' is not a number; quote string values.`,
      start,
      end - start,
    );
  }
  const raw = isDash(text.charAt(start))
    ? `-${text.slice(start + 1, end)}`
    : text.slice(start, end);
  return { kind: 'number', value: raw, hyphen: false, offset: start, length: end - start };
}
