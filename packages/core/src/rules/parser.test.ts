import { describe, expect, it } from 'vitest';
import assignmentFilters from '../../test/fixtures/assignment-filters.json' with { type: 'json' };
import dynamicRules from '../../test/fixtures/dynamic-rules.json' with { type: 'json' };
import type { RuleAst } from './ast.js';
import { COMPARISON_OPERATORS } from './ast.js';
import type { RuleDiagnostic } from './diagnostics.js';
import { MAX_RULE_LENGTH, parseRule } from './parser.js';
import type { RuleSchemaName } from './properties.js';

function ast(text: string, schema: RuleSchemaName = 'device'): RuleAst {
  const result = parseRule(text, schema);
  if (!result.ok) throw new Error(`${text}: ${result.diagnostics[0]?.message}`);
  return result.ast;
}

function error(text: string, schema: RuleSchemaName = 'device'): RuleDiagnostic {
  const result = parseRule(text, schema);
  if (result.ok) throw new Error(`expected an error for ${text}`);
  expect(result.diagnostics).toHaveLength(1);
  const [diagnostic] = result.diagnostics;
  if (diagnostic === undefined) throw new Error('no diagnostic');
  return diagnostic;
}

const eq = (name: string, value: string): RuleAst => ({
  kind: 'comparison',
  subject: { kind: 'property', name },
  operator: 'eq',
  value: { kind: 'string', value },
});

describe('operators', () => {
  const STRING_OPERATORS = COMPARISON_OPERATORS.filter(
    (op) => !['in', 'notIn', 'gt', 'ge', 'lt', 'le'].includes(op),
  );

  it.each(STRING_OPERATORS)('-%s parses with or without hyphen, in any case', (operator) => {
    const expected: RuleAst = {
      kind: 'comparison',
      subject: { kind: 'property', name: 'displayName' },
      operator,
      value: { kind: 'string', value: 'pc' },
    };
    for (const spelling of [
      `-${operator}`,
      operator,
      `-${operator.toUpperCase()}`,
      `–${operator}`,
    ]) {
      expect(ast(`device.displayName ${spelling} "pc"`)).toEqual(expected);
    }
  });

  it.each(['in', 'notIn'] as const)(
    '-%s takes an array of double- or single-quoted strings',
    (op) => {
      expect(ast(`device.displayName -${op} ["a", 'b''c']`)).toEqual({
        kind: 'comparison',
        subject: { kind: 'property', name: 'displayName' },
        operator: op,
        value: {
          kind: 'array',
          items: [
            { kind: 'string', value: 'a' },
            { kind: 'string', value: "b'c" },
          ],
        },
      });
    },
  );

  it.each(['gt', 'ge', 'lt', 'le', 'eq', 'ne'] as const)(
    '-%s compares versions in assignment filters, quoted or not',
    (op) => {
      const expected = {
        kind: 'comparison',
        subject: { kind: 'property', name: 'operatingSystemVersion' },
        operator: op,
        value: { kind: 'version', value: '10.0.22000.1000' },
      };
      expect(ast(`device.operatingSystemVersion -${op} 10.0.22000.1000`, 'filter')).toEqual(
        expected,
      );
      expect(ast(`device.operatingSystemVersion -${op} "10.0.22000.1000"`, 'filter')).toEqual(
        expected,
      );
    },
  );

  it('-and, -or, -not with or without hyphen and in any case', () => {
    const a = eq('displayName', 'a');
    const b = eq('deviceModel', 'b');
    const expected: RuleAst = { kind: 'or', left: { kind: 'not', operand: a }, right: b };
    for (const text of [
      '-not (device.displayName -eq "a") -or (device.deviceModel -eq "b")',
      'NOT (device.displayName eq "a") Or (device.deviceModel EQ "b")',
      '–not device.displayName –eq "a" –or device.deviceModel –eq "b"',
    ]) {
      expect(ast(text)).toEqual(expected);
    }
    expect(ast('device.displayName -eq "a" AND device.deviceModel -eq "b"')).toEqual({
      kind: 'and',
      left: a,
      right: b,
    });
  });

  it('reads booleans, null and $null', () => {
    expect(ast('device.isRooted -eq TRUE')).toMatchObject({
      value: { kind: 'boolean', value: true },
    });
    expect(ast('device.isRooted -ne "false"')).toMatchObject({
      value: { kind: 'boolean', value: false },
    });
    expect(ast('device.deviceCategory -eq null')).toMatchObject({ value: { kind: 'null' } });
    expect(ast('device.deviceCategory -ne $Null')).toMatchObject({
      operator: 'ne',
      value: { kind: 'null' },
    });
    expect(ast('device.isRooted -eq null')).toMatchObject({ value: { kind: 'null' } });
    // A quoted "null" is the literal text.
    expect(ast('device.deviceCategory -eq "null"')).toMatchObject({
      value: { kind: 'string', value: 'null' },
    });
  });

  it('reads numbers', () => {
    expect(ast('device.enrollmentStatusCode -ge 40', 'asset')).toMatchObject({
      operator: 'ge',
      value: { kind: 'number', value: 40 },
    });
    expect(ast('device.enrollmentStatusCode -in [1, 2.5, -3]', 'asset')).toMatchObject({
      value: { kind: 'array', items: [{ value: 1 }, { value: 2.5 }, { value: -3 }] },
    });
  });
});

describe('strings', () => {
  it('escapes a double quote with a backtick and a single quote by doubling it', () => {
    expect(ast('device.displayName -eq "say `"hi`" ``"')).toEqual(eq('displayName', 'say "hi" `'));
    expect(ast("device.displayName -eq 'it''s'")).toEqual(eq('displayName', "it's"));
    expect(ast("device.displayName -eq 'a\"b'")).toEqual(eq('displayName', 'a"b'));
  });

  it('keeps backslashes, so regular expressions need no double escaping', () => {
    expect(ast('device.displayName -match "^pc-\\d+$"')).toMatchObject({
      value: { kind: 'string', value: '^pc-\\d+$' },
    });
  });
});

describe('precedence', () => {
  const a = eq('displayName', 'a');
  const b = eq('deviceModel', 'b');
  const c = eq('deviceCategory', 'c');
  const A = 'device.displayName -eq "a"';
  const B = 'device.deviceModel -eq "b"';
  const C = 'device.deviceCategory -eq "c"';

  it('-and binds tighter than -or', () => {
    expect(ast(`${A} -or ${B} -and ${C}`)).toEqual({
      kind: 'or',
      left: a,
      right: { kind: 'and', left: b, right: c },
    });
    expect(ast(`${A} -and ${B} -or ${C}`)).toEqual({
      kind: 'or',
      left: { kind: 'and', left: a, right: b },
      right: c,
    });
  });

  it('-not binds tighter than -and and looser than comparisons', () => {
    expect(ast(`-not ${A} -and ${B}`)).toEqual({
      kind: 'and',
      left: { kind: 'not', operand: a },
      right: b,
    });
  });

  it('parentheses override precedence', () => {
    expect(ast(`(${A} -or ${B}) -and ${C}`)).toEqual({
      kind: 'and',
      left: { kind: 'or', left: a, right: b },
      right: c,
    });
    expect(ast(`-not (${A} -and ${B})`)).toEqual({
      kind: 'not',
      operand: { kind: 'and', left: a, right: b },
    });
  });

  it('is left-associative', () => {
    expect(ast(`${A} -or ${B} -or ${C}`)).toEqual({
      kind: 'or',
      left: { kind: 'or', left: a, right: b },
      right: c,
    });
  });
});

describe('-any / -all', () => {
  const condition: RuleAst = {
    kind: 'comparison',
    subject: { kind: 'element' },
    operator: 'eq',
    value: { kind: 'string', value: '[OrderID]:1' },
  };

  it('takes a bare comparison on _ or a parenthesised condition', () => {
    const expected = {
      kind: 'collection',
      quantifier: 'any',
      property: 'devicePhysicalIds',
      condition,
    };
    expect(ast('device.devicePhysicalIds -any _ -eq "[OrderID]:1"')).toEqual(expected);
    expect(ast('device.devicePhysicalIds -any (_ -eq "[OrderID]:1")')).toEqual(expected);
    expect(ast('device.devicePhysicalIDs -ANY (_ -eq "[OrderID]:1")')).toEqual(expected);
  });

  it('ends after a bare comparison, so -and applies to the whole collection test', () => {
    expect(
      ast('device.devicePhysicalIds -all _ -eq "[OrderID]:1" -and device.isRooted -eq false'),
    ).toEqual({
      kind: 'and',
      left: { kind: 'collection', quantifier: 'all', property: 'devicePhysicalIds', condition },
      right: {
        kind: 'comparison',
        subject: { kind: 'property', name: 'isRooted' },
        operator: 'eq',
        value: { kind: 'boolean', value: false },
      },
    });
  });

  it('combines conditions on _ inside parentheses', () => {
    expect(
      ast('device.installedSoftware -any (_ -startsWith "Citrix" -and -not (_ -contains "beta"))'),
    ).toMatchObject({ kind: 'collection', condition: { kind: 'and', right: { kind: 'not' } } });
  });

  it('reads group ids of memberOf as group.objectId', () => {
    expect(ast("device.memberOf -any (group.objectId -in ['g1', 'g2'])")).toEqual({
      kind: 'collection',
      quantifier: 'any',
      property: 'memberOf',
      condition: {
        kind: 'comparison',
        subject: { kind: 'element' },
        operator: 'in',
        value: {
          kind: 'array',
          items: [
            { kind: 'string', value: 'g1' },
            { kind: 'string', value: 'g2' },
          ],
        },
      },
    });
  });
});

describe('documented examples', () => {
  it.each(dynamicRules.deviceProperties.map((p) => p.example))('device rule %s', (rule) => {
    expect(parseRule(rule).ok).toBe(true);
  });

  const filterExamples = assignmentFilters.managedDeviceProperties.flatMap((p) => p.examples);
  it.each(filterExamples.filter((rule) => !rule.startsWith('(app.')))('filter %s', (rule) => {
    expect(parseRule(rule, 'filter').ok).toBe(true);
  });

  it('refuses managed-app properties in device filters', () => {
    expect(error('(app.deviceManagementType -eq "Unmanaged")', 'filter').message).toMatch(
      /^Attribute not supported\. 'app\.deviceManagementType': managed-app properties/,
    );
  });

  it('accepts the documented filter-equivalents written without the object prefix', () => {
    expect(parseRule('model -startsWith "Surface"', 'filter').ok).toBe(true);
    expect(parseRule("(deviceOSType -eq 'Windows')").ok).toBe(true);
  });

  it('accepts single-quoted values and mixed-case operators from the administrative-units samples', () => {
    expect(
      parseRule(
        "(device.deviceOSType -eq 'Windows') -And (device.deviceOSVersion -startswith '10.0')",
      ).ok,
    ).toBe(true);
  });
});

describe('errors (dynamic-rules.json parserErrors), with positions', () => {
  it('Attribute not supported: an unknown property', () => {
    expect(error('(device.invalidProperty -eq "Value")')).toMatchObject({
      offset: 1,
      length: 22,
      line: 1,
      column: 2,
      message: expect.stringMatching(/^Attribute not supported\. 'device\.invalidProperty'/),
    });
  });

  it('Attribute not supported: a user property in a device rule (the documented bad rule)', () => {
    expect(error('(user.invalidProperty -eq "Value")')).toMatchObject({
      column: 2,
      message: expect.stringMatching(/^Attribute not supported\..*user properties/),
    });
  });

  it("Operator isn't supported on attribute: -contains on a boolean", () => {
    expect(error('(device.accountEnabled -contains true)')).toMatchObject({
      offset: 23,
      length: 9,
      column: 24,
      message: expect.stringMatching(
        /^Operator isn't supported on attribute\. -contains .* accountEnabled/,
      ),
    });
  });

  it('Query compilation error: a missing logical operator', () => {
    expect(
      error('(device.deviceOSType -eq "Sales") (device.deviceOSType -eq "Marketing")'),
    ).toMatchObject({
      offset: 34,
      column: 35,
      message: expect.stringMatching(/^Query compilation error\. Missing -and or -or before '\('/),
    });
  });

  it('Query compilation error: an invalid regular expression, at the pattern', () => {
    expect(error('(device.displayName -match "*@domain.ext")')).toMatchObject({
      offset: 27,
      length: 14,
      column: 28,
      message: expect.stringMatching(
        /^Query compilation error\. Invalid regular expression "\*@domain\.ext": Nothing to repeat/,
      ),
    });
  });

  it('reports lines and columns in multi-line rules', () => {
    expect(error('(device.deviceOSType -eq "Linux")\n  -and (device.bogus -eq "x")')).toMatchObject(
      {
        offset: 42,
        line: 2,
        column: 9,
      },
    );
  });

  it.each([
    ['', 0, 'The rule is empty'],
    ['(device.displayName -eq "a"', 0, "Missing ')'"],
    ['device.isRooted -eq true -and ((device.displayName -eq "a")', 30, "Missing ')'"],
    ['device.displayName -eq "a")', 26, "Unmatched ')'"],
    ['device.displayName -eq "a', 23, 'Unterminated string'],
    ['device.displayName -equals "a"', 19, "Unknown operator '-equals'. Did you mean -eq?"],
    ['device.displayName "a"', 19, 'Expected an operator'],
    ['device.displayName -eq', 22, 'Expected a value'],
    ['device.displayName -eq "a" -and', 31, 'Expected a property'],
    ['device.displayName -eq a', 23, 'quote the value'],
    ['device.displayName -eq 5', 23, 'quote the value'],
    ['device.displayName -eq ["a"]', 23, 'A list of values goes with -in'],
    ['device.displayName -in "a"', 23, 'list of values in square brackets'],
    ['device.displayName -in []', 24, 'at least one value'],
    ['device.displayName -in ["a" "b"]', 28, "Expected ',' or ']'"],
    ['device.displayName -in [a]', 24, 'List items must be quoted strings'],
    ['device.displayName -startsWith null', 31, 'null can only be compared with -eq or -ne'],
    ['device.displayName -not null', 19, '-not negates an expression'],
    ['device.isRooted -eq "yes"', 20, 'is a boolean'],
    ['device.displayName -eq "a" & device.isRooted -eq true', 27, "Unexpected character '&'"],
    ['_ -eq "a"', 0, '_ stands for the current item'],
    ['group.objectId -eq "a"', 0, 'only be used inside device.memberOf'],
    ['device.devicePhysicalIds -any (group.objectId -eq "a")', 31, 'only be used under memberOf'],
    [
      'device.devicePhysicalIds -any (device.displayName -eq "a")',
      31,
      'compare the current item _',
    ],
    ['device.devicePhysicalIds -any (_ -any (_ -eq "a"))', 33, 'cannot be nested'],
    ['device.devicePhysicalIds -any', 29, 'Expected a condition'],
    ['device.operatingSystemVersion -gt "ten"', 34, 'is a version'],
    ['device.enrollmentStatusCode -eq "1"', 32, 'is a number'],
    ['system.now -ge "2020-01-01"', 0, 'system.now compares dates'],
    ['true -eq true', 0, 'Expected a property'],
    ['device.displayName -eq 1.2.x', 23, 'is not a number'],
  ])('%s → error at offset %i (%s)', (rule, offset, text) => {
    const diagnostic = error(
      rule,
      rule.includes('operatingSystemVersion')
        ? 'filter'
        : rule.includes('enrollmentStatusCode')
          ? 'asset'
          : 'device',
    );
    expect(diagnostic.offset).toBe(offset);
    expect(diagnostic.message).toContain(text);
  });
});

describe('type errors: operators a type does not support', () => {
  it.each([
    ['device.isRooted -startsWith "t"', '-startsWith is not supported on isRooted (boolean)'],
    ['device.isRooted -in ["true"]', '-in is not supported on isRooted (boolean)'],
    ['device.displayName -gt "a"', '-gt is not supported on displayName (string)'],
    ['device.displayName -le "a"', '-le is not supported on displayName (string)'],
    ['device.devicePhysicalIds -eq "a"', 'holds several values: use -any or -all'],
    ['device.displayName -any (_ -eq "a")', '-any needs a multi-valued property'],
    [
      'device.memberOf -any (group.objectId -startsWith "a")',
      '-startsWith is not supported on the items of memberOf',
    ],
  ])('%s', (rule, message) => {
    const diagnostic = error(rule);
    expect(diagnostic.message).toMatch(/^Operator isn't supported on attribute\./);
    expect(diagnostic.message).toContain(message);
  });

  it('applies the per-property operator lists of assignment filters', () => {
    expect(error('device.deviceOwnership -startsWith "P"', 'filter').message).toContain(
      'supported: -eq, -ne.',
    );
    expect(error('device.model -endsWith "3"', 'filter').message).toContain(
      '-endsWith is not supported on model',
    );
    expect(parseRule('device.model -endsWith "3"', 'device').ok).toBe(false);
  });
});

describe('the length limit', () => {
  const pad = (length: number) => {
    const head = 'device.displayName -eq "';
    return `${head}${'x'.repeat(length - head.length - 1)}"`;
  };

  it(`accepts ${MAX_RULE_LENGTH} characters`, () => {
    expect(pad(MAX_RULE_LENGTH)).toHaveLength(3072);
    expect(parseRule(pad(MAX_RULE_LENGTH)).ok).toBe(true);
  });

  it('refuses one more, pointing at the first character beyond the limit', () => {
    const diagnostic = error(pad(MAX_RULE_LENGTH + 1));
    expect(diagnostic).toMatchObject({ offset: 3072, length: 1, line: 1, column: 3073 });
    expect(diagnostic.message).toBe('Rule is too long. It has 3073 characters; the limit is 3072.');
  });
});
