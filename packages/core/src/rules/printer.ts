/**
 * Prints a rule tree back to text in one canonical form: `device.` prefixes, hyphenated operators
 * in the documentation's spelling, double-quoted strings (a backtick escapes `"` and `` ` ``), and
 * parentheses wherever precedence or grouping needs them. `parseRule(printRule(ast))` yields an
 * equal tree (checked by a property test).
 */
import { assertNever } from '../model.js';
import type { ArrayItem, RuleAst, RuleValue } from './ast.js';

/**
 * The canonical text of a rule.
 *
 * @example
 * printRule({ kind: 'comparison', subject: { kind: 'property', name: 'deviceOSType' },
 *   operator: 'eq', value: { kind: 'string', value: 'Linux' } });
 * // 'device.deviceOSType -eq "Linux"'
 */
export function printRule(ast: RuleAst): string {
  return printNode(ast, false);
}

/** Binding strength: a child binding less tightly than its parent needs parentheses. */
function strength(ast: RuleAst): number {
  switch (ast.kind) {
    case 'or':
      return 1;
    case 'and':
      return 2;
    case 'not':
      return 3;
    case 'comparison':
    case 'collection':
      return 4;
    default:
      return assertNever(ast, 'rule node');
  }
}

function printNode(ast: RuleAst, underMemberOf: boolean): string {
  switch (ast.kind) {
    case 'comparison': {
      const subject =
        ast.subject.kind === 'property'
          ? `device.${ast.subject.name}`
          : underMemberOf
            ? 'group.objectId'
            : '_';
      return `${subject} -${ast.operator} ${printValue(ast.value)}`;
    }
    case 'collection':
      return `device.${ast.property} -${ast.quantifier} (${printNode(ast.condition, ast.property === 'memberOf')})`;
    case 'not':
      return `-not (${printNode(ast.operand, underMemberOf)})`;
    case 'and':
    case 'or': {
      // Left-associative: a right child of equal strength keeps its own parentheses.
      const own = strength(ast);
      const left = printChild(ast.left, strength(ast.left) < own, underMemberOf);
      const right = printChild(ast.right, strength(ast.right) <= own, underMemberOf);
      return `${left} -${ast.kind} ${right}`;
    }
    default:
      return assertNever(ast, 'rule node');
  }
}

function printChild(ast: RuleAst, parenthesise: boolean, underMemberOf: boolean): string {
  const text = printNode(ast, underMemberOf);
  return parenthesise ? `(${text})` : text;
}

function printValue(value: RuleValue): string {
  switch (value.kind) {
    case 'string':
      return quote(value.value);
    case 'number':
      return printNumber(value.value);
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'version':
      return value.value;
    case 'array':
      return `[${value.items.map(printItem).join(', ')}]`;
    default:
      return assertNever(value, 'rule value');
  }
}

function printItem(item: ArrayItem): string {
  return item.kind === 'string' ? quote(item.value) : printNumber(item.value);
}

/** Plain decimal notation (the lexer reads no exponents). */
function printNumber(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/** A double-quoted string; a backtick escapes a double quote or a backtick. */
export function quote(value: string): string {
  return `"${value.replace(/[`"]/g, (ch) => `\`${ch}`)}"`;
}
