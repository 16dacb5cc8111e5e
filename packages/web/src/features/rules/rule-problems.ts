import { ApiError } from '../../api/client.js';
import type { RuleProblem } from '../../components/rule-spans.js';

/**
 * Rule errors in a 400: its field errors that carry a line and column (by default only those on a
 * `…rule` field, as a save answers them).
 */
export function ruleProblemsOf(
  error: unknown,
  onField: (path: string) => boolean = (path) => path.endsWith('rule'),
): RuleProblem[] {
  if (!(error instanceof ApiError)) return [];
  return error.fields
    .filter((field) => onField(field.path) && field.line !== undefined)
    .map((field) => ({
      message: field.message,
      line: field.line ?? 1,
      column: field.column ?? 1,
      ...(field.offset !== undefined ? { offset: field.offset } : {}),
      ...(field.length !== undefined ? { length: field.length } : {}),
    }));
}
