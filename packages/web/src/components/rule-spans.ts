/**
 * Where to draw a rule's error underlines: the server's diagnostics carry a 1-based line and
 * column (and the UTF-16 offset and length when it has them); the editor needs text spans.
 */

/** A parser diagnostic: 1-based line and column; offset/length when the server sends them. */
export interface RuleProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly offset?: number;
  readonly length?: number;
}

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The UTF-16 offset of a 1-based line and column in `text` (clamped to the text). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf('\n', offset);
    if (newline === -1) return text.length;
    offset = newline + 1;
  }
  return Math.min(offset + Math.max(column, 1) - 1, text.length);
}

/**
 * The spans to underline, in text order, without overlaps. A problem at the very end of the text
 * ("the rule ends too early") gets a one-character span past the end, drawn as a marked space.
 */
export function problemSpans(text: string, problems: readonly RuleProblem[]): Span[] {
  const spans = problems
    .map((problem) => {
      const start = Math.min(
        problem.offset ?? offsetOf(text, problem.line, problem.column),
        text.length,
      );
      const length = Math.max(problem.length ?? 1, 1);
      return { start, end: Math.min(start + length, text.length + 1) };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const kept: Span[] = [];
  for (const span of spans) {
    const last = kept[kept.length - 1];
    if (!last || span.start >= last.end) kept.push(span);
  }
  return kept;
}
