/**
 * Compiles a checked rule tree into a predicate over a device's rule properties. The tree is walked
 * once: every node becomes a closure, string constants are lower-cased, `-in` lists become sets,
 * regular expressions and versions are parsed here, so evaluating a device does no parsing and
 * allocates nothing beyond lower-casing the property values it compares.
 *
 * Semantics (the directory's, where it documents them; a careful administrator's otherwise):
 * - string comparisons and regular expressions ignore case;
 * - a property that is missing, null or an empty string equals `null`; every positive comparison on
 *   it is false and every negated one (`-ne`, `-notContains`, `-notIn`, ...) is true;
 * - `-any` is false and `-all` is true on an empty or missing collection;
 * - versions compare segment by segment as numbers, missing segments count as 0 (10.0 = 10.0.0).
 */
import { assertNever } from '../model.js';
import type { ComparisonNode, ComparisonOperator, RuleAst, RuleValue } from './ast.js';
import type { RuleDiagnostic } from './diagnostics.js';
import { compileRegex, type ParseResult, parseRule } from './parser.js';
import type { PropertyValue, RuleProperties, RuleSchemaName } from './properties.js';
import {
  containsIgnoringCase,
  endsWithIgnoringCase,
  equalsIgnoringCase,
  lowerCased,
  startsWithIgnoringCase,
} from './text-compare.js';

export type CompiledRule = (properties: RuleProperties) => boolean;

export type CompileResult =
  | { readonly ok: true; readonly ast: RuleAst; readonly matches: CompiledRule }
  | { readonly ok: false; readonly diagnostics: readonly RuleDiagnostic[] };

/** Reads the compared value: a property of the device, or the current item under -any/-all. */
type Evaluator = (properties: RuleProperties, item: string | null) => boolean;
type Reader = (properties: RuleProperties, item: string | null) => PropertyValue | undefined;

/**
 * Compiles a tree produced by `parseRule` (which has checked operators, types and regular
 * expressions) into a predicate.
 *
 * @example
 * const parsed = parseRule('device.installedSoftware -any (_ -startsWith "Citrix Workspace")');
 * if (parsed.ok) compileRule(parsed.ast)({ installedSoftware: ['Citrix Workspace 2409'] }); // true
 */
export function compileRule(ast: RuleAst): CompiledRule {
  const evaluate = compileNode(ast);
  return (properties) => evaluate(properties, null);
}

/**
 * Parses, checks and compiles rule text in one step.
 *
 * @example
 * const rule = compileRuleText('device.deviceOSType -eq "Linux"');
 * if (rule.ok) rule.matches({ deviceOSType: 'linux' }); // true
 */
export function compileRuleText(text: string, schema: RuleSchemaName = 'device'): CompileResult {
  const parsed: ParseResult = parseRule(text, schema);
  if (!parsed.ok) return parsed;
  return { ok: true, ast: parsed.ast, matches: compileRule(parsed.ast) };
}

function compileNode(ast: RuleAst): Evaluator {
  switch (ast.kind) {
    case 'and': {
      const left = compileNode(ast.left);
      const right = compileNode(ast.right);
      return (p, item) => left(p, item) && right(p, item);
    }
    case 'or': {
      const left = compileNode(ast.left);
      const right = compileNode(ast.right);
      return (p, item) => left(p, item) || right(p, item);
    }
    case 'not': {
      const operand = compileNode(ast.operand);
      return (p, item) => !operand(p, item);
    }
    case 'collection':
      return compileCollection(ast.property, ast.quantifier, compileNode(ast.condition));
    case 'comparison':
      return compileComparison(ast);
    default:
      return assertNever(ast, 'rule node');
  }
}

function compileCollection(
  property: string,
  quantifier: 'any' | 'all',
  condition: Evaluator,
): Evaluator {
  if (quantifier === 'any') {
    return (p) => {
      const items = itemsOf(p[property]);
      for (let i = 0; i < items.length; i++) {
        if (condition(p, items[i] ?? null)) return true;
      }
      return false;
    };
  }
  return (p) => {
    const items = itemsOf(p[property]);
    for (let i = 0; i < items.length; i++) {
      if (!condition(p, items[i] ?? null)) return false;
    }
    return true;
  };
}

const NO_ITEMS: readonly string[] = [];

/**
 * A collection's items; a lone string (hand-written device data) counts as one item. Exported for
 * the rule index (rule-index.ts), which must read values exactly as the compiled rule does.
 */
export function itemsOf(value: PropertyValue | undefined): readonly string[] {
  if (Array.isArray(value)) return value as readonly string[];
  if (typeof value === 'string') return [value];
  return NO_ITEMS;
}

function readerOf(node: ComparisonNode): Reader {
  if (node.subject.kind === 'element') return (_p, item) => item;
  const name = node.subject.name;
  return (p) => p[name];
}

const NEGATIONS: Partial<Record<ComparisonOperator, ComparisonOperator>> = {
  ne: 'eq',
  notStartsWith: 'startsWith',
  notEndsWith: 'endsWith',
  notContains: 'contains',
  notMatch: 'match',
  notIn: 'in',
};

function compileComparison(node: ComparisonNode): Evaluator {
  const positive = NEGATIONS[node.operator];
  if (positive !== undefined) {
    const test = compileComparison({ ...node, operator: positive });
    return (p, item) => !test(p, item);
  }
  const read = readerOf(node);
  const value = node.value;
  if (value.kind === 'null') return (p, item) => isNullValue(read(p, item));
  const test = compileTest(node.operator, value);
  return (p, item) => test(read(p, item));
}

function isNullValue(value: PropertyValue | undefined): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

type ValueTest = (value: PropertyValue | undefined) => boolean;

/** The test of a positive operator against a non-null constant. */
function compileTest(operator: ComparisonOperator, value: RuleValue): ValueTest {
  switch (value.kind) {
    case 'string':
      return stringTest(operator, value.value);
    case 'boolean': {
      const expected = value.value;
      return (actual) => booleanOf(actual) === expected;
    }
    case 'number':
      return numberTest(operator, value.value);
    case 'version':
      return versionTest(operator, parseVersion(value.value));
    case 'array':
      return arrayTest(value);
    case 'null':
      return isNullValue;
    default:
      return assertNever(value, 'rule value');
  }
}

function stringTest(operator: ComparisonOperator, constant: string): ValueTest {
  const lower = constant.toLowerCase();
  switch (operator) {
    case 'eq':
      return textTest(equalsIgnoringCase, lower);
    case 'startsWith':
      return textTest(startsWithIgnoringCase, lower);
    case 'endsWith':
      return textTest(endsWithIgnoringCase, lower);
    case 'contains':
      return textTest(containsIgnoringCase, lower);
    case 'match': {
      const regex = compileRegex(constant);
      return (actual) => {
        const text = textOf(actual);
        return text !== null && regex.test(text);
      };
    }
    default:
      throw new Error(`-${operator} does not compare strings (the parser should have refused it)`);
  }
}

function textTest(compare: (text: string, lower: string) => boolean, lower: string): ValueTest {
  return (actual) => {
    const text = textOf(actual);
    return text !== null && compare(text, lower);
  };
}

function arrayTest(value: Extract<RuleValue, { kind: 'array' }>): ValueTest {
  const texts = new Set<string>();
  const numbers = new Set<number>();
  for (const item of value.items) {
    if (item.kind === 'string') texts.add(item.value.toLowerCase());
    else numbers.add(item.value);
  }
  return (actual) => {
    if (typeof actual === 'number') return numbers.has(actual) || texts.has(String(actual));
    const text = textOf(actual);
    if (text === null) return false;
    return texts.has(lowerCased(text)) || (numbers.size > 0 && numbers.has(Number(text)));
  };
}

function numberTest(operator: ComparisonOperator, constant: number): ValueTest {
  const compare = ordered(operator);
  return (actual) => {
    const number = numberOf(actual);
    return number !== null && compare(number < constant ? -1 : number > constant ? 1 : 0);
  };
}

function versionTest(operator: ComparisonOperator, constant: readonly number[]): ValueTest {
  const compare = ordered(operator);
  return (actual) => {
    const text = textOf(actual);
    if (text === null) return false;
    const order = compareVersion(text, constant);
    return order !== null && compare(order);
  };
}

/** Turns a three-way comparison result into the operator's answer. */
function ordered(operator: ComparisonOperator): (order: number) => boolean {
  switch (operator) {
    case 'eq':
      return (order) => order === 0;
    case 'gt':
      return (order) => order > 0;
    case 'ge':
      return (order) => order >= 0;
    case 'lt':
      return (order) => order < 0;
    case 'le':
      return (order) => order <= 0;
    default:
      throw new Error(`-${operator} does not compare numbers or versions`);
  }
}

/**
 * The text a string comparison reads: numbers and booleans as `String(value)`, an empty string,
 * null or an array (a collection compared without -any/-all) as null. Exported for the rule index.
 */
export function textOf(value: PropertyValue | undefined): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function booleanOf(value: PropertyValue | undefined): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return null;
}

function numberOf(value: PropertyValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

/** The numeric segments of a dotted version ("10.0.22631" → [10, 0, 22631]). */
export function parseVersion(text: string): readonly number[] {
  return text.split('.').map((segment) => Number.parseInt(segment, 10));
}

/**
 * Compares a device's version text with parsed segments without allocating; null when the text is
 * not a dotted numeric version. Missing segments count as 0.
 */
function compareVersion(text: string, constant: readonly number[]): number | null {
  let index = 0;
  let position = 0;
  let order = 0;
  while (position < text.length || index < constant.length) {
    let segment = 0;
    if (position < text.length) {
      const start = position;
      while (position < text.length) {
        const code = text.charCodeAt(position);
        if (code < 48 || code > 57) break;
        segment = segment * 10 + (code - 48);
        position++;
      }
      if (position === start) return null;
      if (position < text.length) {
        if (text.charCodeAt(position) !== 46) return null;
        position++;
        if (position === text.length) return null;
      }
    }
    const other = constant[index] ?? 0;
    // Keep reading after the first difference: a malformed tail makes the whole text no version.
    if (order === 0 && segment !== other) order = segment < other ? -1 : 1;
    index++;
  }
  return order;
}

/**
 * What a rule reads: its properties (canonical names, sorted) and the group ids it tests through
 * memberOf. The server uses it to recompute only the rules a changed fact or group can affect.
 *
 * @example
 * ruleReferences(ast); // { properties: ['deviceOSType', 'memberOf'], memberOfGroupIds: ['g1'] }
 */
export function ruleReferences(ast: RuleAst): {
  properties: readonly string[];
  memberOfGroupIds: readonly string[];
} {
  const properties = new Set<string>();
  const groupIds = new Set<string>();
  const visit = (node: RuleAst, collection: string | null): void => {
    switch (node.kind) {
      case 'and':
      case 'or':
        visit(node.left, collection);
        visit(node.right, collection);
        return;
      case 'not':
        visit(node.operand, collection);
        return;
      case 'collection':
        properties.add(node.property);
        visit(node.condition, node.property);
        return;
      case 'comparison':
        if (node.subject.kind === 'property') properties.add(node.subject.name);
        else if (collection === 'memberOf') addGroupIds(node.value, groupIds);
        return;
      default:
        assertNever(node, 'rule node');
    }
  };
  visit(ast, null);
  return { properties: [...properties].sort(), memberOfGroupIds: [...groupIds].sort() };
}

function addGroupIds(value: RuleValue, into: Set<string>): void {
  if (value.kind === 'string') into.add(value.value);
  if (value.kind === 'array') {
    for (const item of value.items) if (item.kind === 'string') into.add(item.value);
  }
}
