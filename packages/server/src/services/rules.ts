/**
 * Rule checks at the edge of the admin API: core's parser decides, and its diagnostics become a
 * 400 `invalid_rule` whose field carries the line and column of the problem.
 */
import { parseRule, type RuleAst, type RuleSchemaName } from '@palisade/core';
import { ApiError } from '../errors.js';

/** Parses `text` in the given vocabulary or throws invalid_rule naming `path` and the position. */
export function checkRule(text: string, schema: RuleSchemaName, path: string): RuleAst {
  const parsed = parseRule(text, schema);
  if (parsed.ok) return parsed.ast;
  const fields = parsed.diagnostics.map((diagnostic) => ({
    path,
    message: diagnostic.message,
    line: diagnostic.line,
    column: diagnostic.column,
  }));
  const first = parsed.diagnostics[0];
  const message = first
    ? `${path}: ${first.message} (line ${first.line}, column ${first.column})`
    : `${path}: the rule is not valid`;
  throw new ApiError('invalid_rule', message, fields);
}
