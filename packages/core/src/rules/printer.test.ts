import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArrayItem, ComparisonOperator, RuleAst, RuleValue } from './ast.js';
import { parseRule } from './parser.js';
import { printRule } from './printer.js';
import {
  OPERATORS_BY_TYPE,
  operatorsOf,
  type PropertyDefinition,
  type PropertyType,
  RULE_PROPERTIES,
  RULE_SCHEMA_NAMES,
  type RuleSchemaName,
} from './properties.js';

/** Any text, including the characters the quoting rules treat specially. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[`"' \\()[\],-]*$/),
);
const regex = fc.constantFrom('^Da.*', '.*vid', 'a|b', '\\d+$', '[A-Z]{2}', '^pc-(\\d{3})$');
const number = fc.oneof(
  fc.integer(),
  fc.integer().map((n) => n / 100),
  fc.constantFrom(1e21, 123456789012345680000),
);
const version = fc
  .array(fc.nat({ max: 99999 }), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join('.'));

function item(type: PropertyType): fc.Arbitrary<ArrayItem> {
  return type === 'number'
    ? number.map((value) => ({ kind: 'number', value }))
    : text.map((value) => ({ kind: 'string', value }));
}

function value(type: PropertyType, operator: ComparisonOperator): fc.Arbitrary<RuleValue> {
  if (operator === 'in' || operator === 'notIn') {
    return fc
      .array(item(type), { minLength: 1, maxLength: 4 })
      .map((items) => ({ kind: 'array', items }));
  }
  const nullable = operator === 'eq' || operator === 'ne';
  const scalar: fc.Arbitrary<RuleValue> =
    operator === 'match' || operator === 'notMatch'
      ? regex.map((v) => ({ kind: 'string', value: v }))
      : type === 'string'
        ? text.map((v) => ({ kind: 'string', value: v }))
        : type === 'boolean'
          ? fc.boolean().map((v) => ({ kind: 'boolean', value: v }))
          : type === 'number'
            ? number.map((v) => ({ kind: 'number', value: v }))
            : version.map((v) => ({ kind: 'version', value: v }));
  return nullable ? fc.oneof(scalar, fc.constant<RuleValue>({ kind: 'null' })) : scalar;
}

function comparison(definition: PropertyDefinition): fc.Arbitrary<RuleAst> {
  return fc.constantFrom(...operatorsOf(definition)).chain((operator) =>
    value(definition.type, operator).map(
      (v): RuleAst => ({
        kind: 'comparison',
        subject: { kind: 'property', name: definition.name },
        operator,
        value: v,
      }),
    ),
  );
}

function elementComparison(collection: PropertyDefinition): fc.Arbitrary<RuleAst> {
  const operators =
    collection.name === 'memberOf'
      ? (['eq', 'ne', 'in', 'notIn'] as const)
      : OPERATORS_BY_TYPE[collection.type];
  return fc
    .constantFrom(...operators)
    .chain((operator) =>
      value(collection.type, operator).map(
        (v): RuleAst => ({ kind: 'comparison', subject: { kind: 'element' }, operator, value: v }),
      ),
    );
}

/** Logical combinations (and, or, not) of the given leaves. */
function combined(leaf: fc.Arbitrary<RuleAst>, depth: number): fc.Arbitrary<RuleAst> {
  return fc.letrec<{ node: RuleAst }>((tie) => ({
    node: fc.oneof(
      { maxDepth: depth, depthIdentifier: 'rule' },
      leaf,
      fc.record({ kind: fc.constant('and' as const), left: tie('node'), right: tie('node') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('node'), right: tie('node') }),
      fc.record({ kind: fc.constant('not' as const), operand: tie('node') }),
    ),
  })).node;
}

function ruleOf(schema: RuleSchemaName): fc.Arbitrary<RuleAst> {
  const properties = RULE_PROPERTIES[schema];
  const single = properties.filter((p) => !p.multiValued);
  const multi = properties.filter((p) => p.multiValued);
  const leaves: fc.Arbitrary<RuleAst>[] = [fc.constantFrom(...single).chain(comparison)];
  if (multi.length > 0) {
    leaves.push(
      fc.constantFrom(...multi).chain((collection) =>
        fc.record({
          kind: fc.constant('collection' as const),
          quantifier: fc.constantFrom('any' as const, 'all' as const),
          property: fc.constant(collection.name),
          condition: combined(elementComparison(collection), 3),
        }),
      ),
    );
  }
  return combined(fc.oneof(...leaves), 4);
}

describe('printRule', () => {
  it.each(RULE_SCHEMA_NAMES)('parse ∘ print is the identity on %s rules', (schema) => {
    fc.assert(
      fc.property(ruleOf(schema), (ast) => {
        expect(parseRule(printRule(ast), schema)).toEqual({ ok: true, ast });
      }),
      { numRuns: 500 },
    );
  });

  it('prints the canonical form', () => {
    const parsed = parseRule(
      "NOT device.displayName eq 'it''s' OR (device.devicePhysicalIDs any _ -contains \"[ZTDId]\" and device.memberOf -all (group.objectId -notIn ['g']))",
    );
    if (!parsed.ok) throw new Error(parsed.diagnostics[0]?.message);
    expect(printRule(parsed.ast)).toBe(
      '-not (device.displayName -eq "it\'s") -or device.devicePhysicalIds -any (_ -contains "[ZTDId]") -and device.memberOf -all (group.objectId -notIn ["g"])',
    );
  });

  it('keeps the parentheses a right-nested -and or -or needs', () => {
    const parsed = parseRule(
      'device.displayName -eq "a" -and (device.deviceModel -eq "b" -and device.deviceCategory -eq "c")',
    );
    if (!parsed.ok) throw new Error('invalid');
    expect(printRule(parsed.ast)).toBe(
      'device.displayName -eq "a" -and (device.deviceModel -eq "b" -and device.deviceCategory -eq "c")',
    );
  });

  it('escapes quotes and backticks with a backtick', () => {
    const parsed = parseRule('device.displayName -eq \'say "hi" `now`\'');
    if (!parsed.ok) throw new Error('invalid');
    expect(printRule(parsed.ast)).toBe('device.displayName -eq "say `"hi`" ``now``"');
  });
});
