/**
 * Rule errors a rule editor can underline: a message, the span in the rule text (UTF-16 offset and
 * length) and its 1-based line and column. Messages start with the directory's own error kind
 * ("Attribute not supported.", "Operator isn't supported on attribute.", "Query compilation error.")
 * followed by what exactly is wrong, so an administrator who knows the original product recognises
 * them.
 */

export interface RuleDiagnostic {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units from the start of the line. */
  readonly column: number;
}

/** The error kinds of the directory (dynamic-rules.json `parserErrors`), plus the length limit. */
export const RULE_ERROR_KINDS = {
  attributeNotSupported: 'Attribute not supported.',
  operatorNotSupported: "Operator isn't supported on attribute.",
  queryCompilation: 'Query compilation error.',
  tooLong: 'Rule is too long.',
} as const;
export type RuleErrorKind = keyof typeof RULE_ERROR_KINDS;

/** Thrown inside the parser only, caught at its boundary and returned as a diagnostic. */
export class RuleSyntaxError extends Error {
  constructor(
    readonly kind: RuleErrorKind,
    readonly detail: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(`${RULE_ERROR_KINDS[kind]} ${detail}`);
  }
}

/** The 1-based line and column of a UTF-16 offset in `text`. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Builds a diagnostic for the span [offset, offset + length) of `text`. */
export function diagnosticAt(
  text: string,
  offset: number,
  length: number,
  message: string,
): RuleDiagnostic {
  const { line, column } = positionOf(text, offset);
  return { message, offset, length, line, column };
}
