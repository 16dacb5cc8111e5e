/**
 * Parses rule text into a typed tree, checking it against a property schema on the way: unknown
 * properties, operators a property's type does not support, values of the wrong type and invalid
 * regular expressions are all reported here, at their position, so a compiled rule never fails.
 *
 * Grammar (precedence from dynamic-rules.json, highest first: comparisons, -not, -and, -or):
 *
 *   rule       := or EOF
 *   or         := and ( "-or" and )*
 *   and        := not ( "-and" not )*
 *   not        := "-not" not | primary
 *   primary    := "(" or ")" | comparison | collection
 *   comparison := subject operator value
 *   collection := property ( "-any" | "-all" ) not     -- the condition reads `_`
 *   subject    := "device." name | name | "_" | "group.objectId" (inside memberOf -any/-all)
 *   value      := string | number | true | false | null | $null | "[" item ( "," item )* "]"
 *
 * The documentation ranks -any/-all below -or; in practice the condition after -any is either
 * parenthesised or a single comparison on `_` (every documented example), which is what this
 * parser accepts: `device.devicePhysicalIds -any _ -eq "x" -and device.accountEnabled -eq true`
 * is the -and of the -any and the second comparison.
 */
import {
  type ArrayItem,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  type Quantifier,
  type RuleAst,
  type RuleSubject,
  type RuleValue,
} from './ast.js';
import {
  diagnosticAt,
  type RuleDiagnostic,
  type RuleErrorKind,
  RuleSyntaxError,
} from './diagnostics.js';
import { type Token, tokenize } from './lexer.js';
import {
  findProperty,
  OPERATORS_BY_TYPE,
  operatorsOf,
  type PropertyDefinition,
  type PropertyType,
  type RuleSchemaName,
} from './properties.js';

/** The directory's limit on a rule body (also the assignment-filter limit). */
export const MAX_RULE_LENGTH = 3072;

export type ParseResult =
  | { readonly ok: true; readonly ast: RuleAst }
  | { readonly ok: false; readonly diagnostics: readonly RuleDiagnostic[] };

/**
 * Parses and checks a rule written in the given schema's vocabulary (default 'device').
 *
 * @example
 * const result = parseRule('(device.deviceOSType -eq "Linux") -and (device.managementType -eq "MicrosoftSense")');
 * if (!result.ok) console.log(result.diagnostics[0]?.message);
 */
export function parseRule(text: string, schema: RuleSchemaName = 'device'): ParseResult {
  if (text.length > MAX_RULE_LENGTH) {
    const message = `Rule is too long. It has ${text.length} characters; the limit is ${MAX_RULE_LENGTH}.`;
    return {
      ok: false,
      diagnostics: [diagnosticAt(text, MAX_RULE_LENGTH, text.length - MAX_RULE_LENGTH, message)],
    };
  }
  try {
    const parser = new Parser(text, tokenize(text), schema);
    return { ok: true, ast: parser.parseRule() };
  } catch (error) {
    if (error instanceof RuleSyntaxError) {
      return {
        ok: false,
        diagnostics: [diagnosticAt(text, error.offset, error.length, error.message)],
      };
    }
    throw error;
  }
}

/** The collection an `_` refers to while parsing the condition of -any/-all. */
interface CollectionScope {
  readonly property: PropertyDefinition;
}

const OPERATOR_BY_LOWER: ReadonlyMap<string, ComparisonOperator> = new Map(
  COMPARISON_OPERATORS.map((op) => [op.toLowerCase(), op]),
);

/** Spellings seen in the wild (the filter troubleshooting page writes -equals). */
const OPERATOR_HINTS: Readonly<Record<string, ComparisonOperator>> = {
  equals: 'eq',
  notequals: 'ne',
  neq: 'ne',
  like: 'match',
  notlike: 'notMatch',
  beginswith: 'startsWith',
  notbeginswith: 'notStartsWith',
  gte: 'ge',
  lte: 'le',
};

/** Operators on the group ids of memberOf (`group.objectId -in [...]`). */
const MEMBER_OF_OPERATORS: readonly ComparisonOperator[] = ['eq', 'ne', 'in', 'notIn'];

/** Words that cannot start an expression. */
const RESERVED_WORDS = /^(true|false|\$?null|and|or|any|all)$/i;

const VERSION_PATTERN = /^\d+(\.\d+)*$/;

function fail(kind: RuleErrorKind, detail: string, token: Token): never {
  throw new RuleSyntaxError(kind, detail, token.offset, Math.max(token.length, 1));
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the rule';
    case 'string':
      return `the string "${token.value}"`;
    case 'word':
      return `'${token.hyphen ? '-' : ''}${token.value}'`;
    default:
      return `'${token.value}'`;
  }
}

function isKeyword(token: Token, word: string): boolean {
  return token.kind === 'word' && token.value.toLowerCase() === word;
}

function isNullWord(token: Token): boolean {
  return token.kind === 'word' && !token.hyphen && /^\$?null$/i.test(token.value);
}

class Parser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
    private readonly schema: RuleSchemaName,
  ) {}

  parseRule(): RuleAst {
    if (this.peek().kind === 'eof') {
      fail('queryCompilation', 'The rule is empty.', this.peek());
    }
    const ast = this.parseOr(null);
    this.expectEndOfExpression('eof');
    return ast;
  }

  private peek(): Token {
    return this.tokens[this.position] ?? this.tokens[this.tokens.length - 1] ?? this.eof();
  }

  private eof(): Token {
    return { kind: 'eof', value: '', hyphen: false, offset: this.text.length, length: 0 };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  /** After a complete expression only -and, -or, `)` or the end may follow. */
  private expectEndOfExpression(end: 'eof' | 'rparen', open?: Token): void {
    const token = this.peek();
    if (token.kind === end) return;
    if (token.kind === 'rparen') {
      fail('queryCompilation', "Unmatched ')': no '(' opens it.", token);
    }
    if (token.kind === 'eof') {
      // Underline the parenthesis left open: that is where the administrator must look.
      fail('queryCompilation', "Missing ')': this '(' is never closed.", open ?? token);
    }
    fail(
      'queryCompilation',
      `Missing -and or -or before ${describe(token)}: expressions must be joined by a logical operator.`,
      token,
    );
  }

  private parseOr(scope: CollectionScope | null): RuleAst {
    let left = this.parseAnd(scope);
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(scope) };
    }
    return left;
  }

  private parseAnd(scope: CollectionScope | null): RuleAst {
    let left = this.parseNot(scope);
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot(scope) };
    }
    return left;
  }

  private parseNot(scope: CollectionScope | null): RuleAst {
    if (isKeyword(this.peek(), 'not')) {
      this.next();
      return { kind: 'not', operand: this.parseNot(scope) };
    }
    return this.parsePrimary(scope);
  }

  private parsePrimary(scope: CollectionScope | null): RuleAst {
    const token = this.peek();
    if (token.kind === 'lparen') {
      this.next();
      const inner = this.parseOr(scope);
      this.expectEndOfExpression('rparen', token);
      this.next();
      return inner;
    }
    if (token.kind !== 'word' || token.hyphen) {
      fail(
        'queryCompilation',
        `Expected a property such as device.deviceOSType or '(' but found ${describe(token)}.`,
        token,
      );
    }
    this.next();
    const subject = this.parseSubject(token, scope);
    const operatorToken = this.next();
    const quantifier = this.quantifierOf(operatorToken);
    if (quantifier !== null) {
      return this.parseCollection(subject, quantifier, operatorToken);
    }
    const operator = this.operatorOf(operatorToken, subject.name);
    this.checkOperator(subject.definition, subject.node, operator, operatorToken, scope);
    const value = this.parseValue(subject.definition, subject.node, operator);
    return { kind: 'comparison', subject: subject.node, operator, value };
  }

  private parseCollection(
    subject: ResolvedSubject,
    quantifier: Quantifier,
    operatorToken: Token,
  ): RuleAst {
    if (subject.node.kind !== 'property') {
      fail('queryCompilation', `-${quantifier} cannot be nested inside -any/-all.`, operatorToken);
    }
    if (!subject.definition.multiValued) {
      fail(
        'operatorNotSupported',
        `-${quantifier} needs a multi-valued property; ${subject.definition.name} holds a single ${subject.definition.type}.`,
        operatorToken,
      );
    }
    if (this.peek().kind === 'eof') {
      fail('queryCompilation', `Expected a condition on _ after -${quantifier}.`, this.peek());
    }
    // Inside the condition every comparison reads `_` (parseSubject refuses anything else).
    const condition = this.parseNot({ property: subject.definition });
    return { kind: 'collection', quantifier, property: subject.definition.name, condition };
  }

  private quantifierOf(token: Token): Quantifier | null {
    if (token.kind !== 'word') return null;
    const word = token.value.toLowerCase();
    return word === 'any' || word === 'all' ? word : null;
  }

  private operatorOf(token: Token, subjectName: string): ComparisonOperator {
    if (token.kind !== 'word') {
      fail(
        'queryCompilation',
        `Expected an operator such as -eq after ${subjectName} but found ${describe(token)}.`,
        token,
      );
    }
    const word = token.value.toLowerCase();
    if (word === 'not') {
      fail(
        'queryCompilation',
        '-not negates an expression and is not a comparison operator: use -ne (e.g. -ne null) or -not (<expression>).',
        token,
      );
    }
    const operator = OPERATOR_BY_LOWER.get(word);
    if (operator === undefined) {
      const hint = OPERATOR_HINTS[word];
      const suggestion = hint === undefined ? '' : ` Did you mean -${hint}?`;
      fail('queryCompilation', `Unknown operator ${describe(token)}.${suggestion}`, token);
    }
    return operator;
  }

  private parseSubject(token: Token, scope: CollectionScope | null): ResolvedSubject {
    const word = token.value;
    if (word === '_' || /^group\.objectid$/i.test(word)) {
      return this.elementSubject(token, scope);
    }
    const dot = word.indexOf('.');
    const object = dot < 0 ? null : word.slice(0, dot).toLowerCase();
    const name = dot < 0 ? word : word.slice(dot + 1);
    if (object !== null && object !== 'device') {
      fail('attributeNotSupported', this.foreignObjectDetail(object, word), token);
    }
    if (RESERVED_WORDS.test(name) || OPERATOR_BY_LOWER.has(name.toLowerCase())) {
      fail(
        'queryCompilation',
        `Expected a property such as device.deviceOSType but found ${describe(token)}.`,
        token,
      );
    }
    const definition = findProperty(this.schema, name);
    if (definition === undefined) {
      fail(
        'attributeNotSupported',
        `'${word}' is not a property of ${this.schemaLabel()} rules.`,
        token,
      );
    }
    if (scope !== null) {
      fail('queryCompilation', `Inside -any/-all compare the current item _, not ${word}.`, token);
    }
    return { node: { kind: 'property', name: definition.name }, definition, name: word };
  }

  private elementSubject(token: Token, scope: CollectionScope | null): ResolvedSubject {
    const isGroup = token.value !== '_';
    if (scope === null) {
      const detail = isGroup
        ? 'group.objectId can only be used inside device.memberOf -any (...).'
        : '_ stands for the current item and can only be used inside -any/-all; give them a compound condition in parentheses: -any (_ -eq "a" -or _ -eq "b").';
      fail('queryCompilation', detail, token);
    }
    if (isGroup && scope.property.name !== 'memberOf') {
      fail(
        'queryCompilation',
        `group.objectId can only be used under memberOf; use _ for the items of ${scope.property.name}.`,
        token,
      );
    }
    return { node: { kind: 'element' }, definition: scope.property, name: token.value };
  }

  private foreignObjectDetail(object: string, word: string): string {
    if (object === 'user') {
      return `'${word}': a rule on devices cannot read user properties (mixed user and device rules are not allowed).`;
    }
    if (object === 'app') {
      return `'${word}': managed-app properties are not supported; Palisade filters apply to devices.`;
    }
    if (object === 'system') {
      return `'${word}': system.now compares dates, and no ${this.schemaLabel()} property is a date.`;
    }
    return `'${word}': unknown object '${object}'; properties are written device.<name>.`;
  }

  private schemaLabel(): string {
    if (this.schema === 'asset') return 'asset';
    return this.schema === 'filter' ? 'assignment filter' : 'device';
  }

  private checkOperator(
    definition: PropertyDefinition,
    subject: RuleSubject,
    operator: ComparisonOperator,
    token: Token,
    scope: CollectionScope | null,
  ): void {
    if (subject.kind === 'property' && definition.multiValued) {
      fail(
        'operatorNotSupported',
        `-${operator} cannot compare ${definition.name}, which holds several values: use -any or -all, e.g. device.${definition.name} -any (_ -${operator} ...).`,
        token,
      );
    }
    const allowed =
      subject.kind === 'element'
        ? scope?.property.name === 'memberOf'
          ? MEMBER_OF_OPERATORS
          : OPERATORS_BY_TYPE[definition.type]
        : operatorsOf(definition);
    if (!allowed.includes(operator)) {
      const what = subject.kind === 'element' ? `the items of ${definition.name}` : definition.name;
      fail(
        'operatorNotSupported',
        `-${operator} is not supported on ${what} (${definition.type}); supported: ${allowed.map((op) => `-${op}`).join(', ')}.`,
        token,
      );
    }
  }

  private parseValue(
    definition: PropertyDefinition,
    subject: RuleSubject,
    operator: ComparisonOperator,
  ): RuleValue {
    const token = this.next();
    const name = subject.kind === 'element' ? '_' : definition.name;
    if (token.kind === 'eof') {
      fail('queryCompilation', `Expected a value after -${operator}.`, token);
    }
    if (isNullWord(token)) {
      if (operator !== 'eq' && operator !== 'ne') {
        fail(
          'queryCompilation',
          `null can only be compared with -eq or -ne, not -${operator}.`,
          token,
        );
      }
      return { kind: 'null' };
    }
    if (operator === 'in' || operator === 'notIn') {
      return this.parseArray(token, definition.type, operator);
    }
    if (token.kind === 'lbracket') {
      fail(
        'queryCompilation',
        `A list of values goes with -in or -notIn, not -${operator}.`,
        token,
      );
    }
    const value = this.scalarValue(token, definition.type, name);
    if ((operator === 'match' || operator === 'notMatch') && value.kind === 'string') {
      checkRegex(value.value, token);
    }
    return value;
  }

  private scalarValue(token: Token, type: PropertyType, name: string): RuleValue {
    switch (type) {
      case 'string':
        if (token.kind !== 'string') {
          fail(
            'queryCompilation',
            `${name} is a string: quote the value, e.g. "${token.value}".`,
            token,
          );
        }
        return { kind: 'string', value: token.value };
      case 'boolean':
        return { kind: 'boolean', value: booleanOf(token, name) };
      case 'number': {
        const value = token.kind === 'number' ? Number(token.value) : Number.NaN;
        if (!Number.isFinite(value)) {
          fail(
            'queryCompilation',
            `${name} is a number: compare it with a number such as 1.`,
            token,
          );
        }
        return { kind: 'number', value };
      }
      case 'version':
        if (
          (token.kind !== 'number' && token.kind !== 'string') ||
          !VERSION_PATTERN.test(token.value)
        ) {
          fail(
            'queryCompilation',
            `${name} is a version: compare it with a dotted version such as 10.0.22631.3235.`,
            token,
          );
        }
        return { kind: 'version', value: token.value };
    }
  }

  private parseArray(open: Token, type: PropertyType, operator: ComparisonOperator): RuleValue {
    if (open.kind !== 'lbracket') {
      fail(
        'queryCompilation',
        `-${operator} takes a list of values in square brackets, e.g. ["a", "b"].`,
        open,
      );
    }
    const items: ArrayItem[] = [];
    for (;;) {
      const token = this.next();
      if (token.kind === 'rbracket' && items.length === 0) {
        fail('queryCompilation', `-${operator} needs at least one value.`, token);
      }
      items.push(this.arrayItem(token, type));
      const separator = this.next();
      if (separator.kind === 'rbracket') return { kind: 'array', items };
      if (separator.kind !== 'comma') {
        fail(
          'queryCompilation',
          `Expected ',' or ']' in the list but found ${describe(separator)}.`,
          separator,
        );
      }
    }
  }

  private arrayItem(token: Token, type: PropertyType): ArrayItem {
    if (type === 'number') {
      const value = token.kind === 'number' ? Number(token.value) : Number.NaN;
      if (!Number.isFinite(value)) fail('queryCompilation', 'List items must be numbers.', token);
      return { kind: 'number', value };
    }
    if (token.kind !== 'string') {
      fail(
        'queryCompilation',
        `List items must be quoted strings, found ${describe(token)}.`,
        token,
      );
    }
    return { kind: 'string', value: token.value };
  }
}

interface ResolvedSubject {
  readonly node: RuleSubject;
  /** The property read, or for `_` the collection property whose items are read. */
  readonly definition: PropertyDefinition;
  /** As written, for messages. */
  readonly name: string;
}

function booleanOf(token: Token, name: string): boolean {
  if ((token.kind === 'word' && !token.hyphen) || token.kind === 'string') {
    const word = token.value.toLowerCase();
    if (word === 'true') return true;
    if (word === 'false') return false;
  }
  return fail('queryCompilation', `${name} is a boolean: compare it with true or false.`, token);
}

/** Regular expressions are compiled case-insensitively, as the directory compares them. */
export function compileRegex(pattern: string): RegExp {
  return new RegExp(pattern, 'i');
}

function checkRegex(pattern: string, token: Token): void {
  try {
    compileRegex(pattern);
  } catch (error) {
    const reason =
      error instanceof Error
        ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
        : '';
    fail('queryCompilation', `Invalid regular expression "${pattern}": ${reason}.`, token);
  }
}
