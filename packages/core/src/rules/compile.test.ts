import { describe, expect, it } from 'vitest';
import { compileRule, compileRuleText, ruleReferences } from './compile.js';
import { parseRule } from './parser.js';
import type { RuleProperties, RuleSchemaName } from './properties.js';

function matches(rule: string, properties: RuleProperties, schema: RuleSchemaName = 'device') {
  const compiled = compileRuleText(rule, schema);
  if (!compiled.ok) throw new Error(`${rule}: ${compiled.diagnostics[0]?.message}`);
  return compiled.matches(properties);
}

describe('string comparisons (case-insensitive)', () => {
  const pc = { displayName: 'Finance-PC-042' };

  it.each([
    ['-eq "finance-pc-042"', true],
    ['-eq "Finance-PC-04"', false],
    ['-ne "FINANCE-PC-042"', false],
    ['-ne "other"', true],
    ['-startsWith "finance"', true],
    ['-startsWith "pc"', false],
    ['-notStartsWith "finance"', false],
    ['-notStartsWith "hr"', true],
    ['-endsWith "PC-042"', true],
    ['-endsWith "finance"', false],
    ['-notEndsWith "042"', false],
    ['-notEndsWith "043"', true],
    ['-contains "pc"', true],
    ['-contains "hr"', false],
    ['-notContains "PC"', false],
    ['-notContains "hr"', true],
    ['-match "^fin.*\\d{3}$"', true],
    ['-match "^pc"', false],
    ['-notMatch "PC-\\d+"', false],
    ['-notMatch "^hr"', true],
    ['-in ["hr-pc-001", "FINANCE-pc-042"]', true],
    ['-in ["hr-pc-001"]', false],
    ['-notIn ["finance-pc-042"]', false],
    ['-notIn ["hr-pc-001"]', true],
  ])('device.displayName %s → %s', (tail, expected) => {
    expect(matches(`device.displayName ${tail}`, pc)).toBe(expected);
  });

  it('matches the documented regular expression examples', () => {
    for (const name of ['Da', 'Dav', 'David']) {
      expect(matches('device.displayName -match "^Da.*"', { displayName: name })).toBe(true);
    }
    expect(matches('device.displayName -match "^Da.*"', { displayName: 'aDa' })).toBe(false);
    expect(matches('device.displayName -match ".*vid"', { displayName: 'David' })).toBe(true);
    expect(matches('device.displayName -match ".*vid"', { displayName: 'Da' })).toBe(false);
  });

  it('-contains "Windows" matches clients and servers, -eq "Windows" only clients', () => {
    expect(
      matches('device.deviceOSType -contains "Windows"', { deviceOSType: 'Windows Server' }),
    ).toBe(true);
    expect(matches('device.deviceOSType -eq "Windows"', { deviceOSType: 'Windows Server' })).toBe(
      false,
    );
  });
});

describe('null and missing values', () => {
  it('-eq null matches missing, null and empty values; -ne null the others', () => {
    for (const properties of [{}, { deviceCategory: null }, { deviceCategory: '' }]) {
      expect(matches('device.deviceCategory -eq null', properties)).toBe(true);
      expect(matches('device.deviceCategory -ne null', properties)).toBe(false);
    }
    expect(matches('device.deviceCategory -eq null', { deviceCategory: 'BYOD' })).toBe(false);
    expect(matches('device.deviceCategory -ne $null', { deviceCategory: 'BYOD' })).toBe(true);
  });

  it('positive comparisons on a missing value are false, negated ones true', () => {
    for (const op of ['eq', 'startsWith', 'endsWith', 'contains', 'match']) {
      expect(matches(`device.deviceCategory -${op} "x"`, {})).toBe(false);
    }
    for (const op of ['ne', 'notStartsWith', 'notEndsWith', 'notContains', 'notMatch']) {
      expect(matches(`device.deviceCategory -${op} "x"`, {})).toBe(true);
    }
    expect(matches('device.deviceCategory -in ["x"]', {})).toBe(false);
    expect(matches('device.deviceCategory -notIn ["x"]', {})).toBe(true);
  });

  it('a quoted "null" is text', () => {
    expect(matches('device.deviceCategory -eq "null"', {})).toBe(false);
    expect(matches('device.deviceCategory -eq "null"', { deviceCategory: 'NULL' })).toBe(true);
  });
});

describe('booleans', () => {
  it('compares true and false, and reads "true"/"false" text', () => {
    expect(matches('device.isRooted -eq true', { isRooted: true })).toBe(true);
    expect(matches('device.isRooted -eq true', { isRooted: false })).toBe(false);
    expect(matches('device.isRooted -ne true', { isRooted: false })).toBe(true);
    expect(matches('device.isRooted -eq false', { isRooted: 'False' })).toBe(true);
    expect(matches('device.isRooted -eq false', {})).toBe(false);
    expect(matches('device.isRooted -eq null', {})).toBe(true);
  });
});

describe('numbers and versions', () => {
  it.each([
    ['-eq 1', 1, true],
    ['-ne 1', 1, false],
    ['-gt 1', 2, true],
    ['-gt 2', 2, false],
    ['-ge 2', 2, true],
    ['-lt 2', 1, true],
    ['-le 1', 2, false],
    ['-in [1, 40]', 40, true],
    ['-notIn [1, 40]', 3, true],
  ] as const)('device.enrollmentStatusCode %s with %i → %s', (tail, code, expected) => {
    expect(
      matches(`device.enrollmentStatusCode ${tail}`, { enrollmentStatusCode: code }, 'asset'),
    ).toBe(expected);
  });

  it.each([
    ['-gt 10.0.22000.1000', '10.0.22631.4037', true],
    ['-gt 10.0.22000.1000', '10.0.9999.9999', false],
    ['-lt 10.0.22000.1000', '10.0.9999.9999', true],
    ['-ge 10.0.22000', '10.0.22000.0', true],
    ['-eq 14.2', '14.2.0', true],
    ['-eq 14.2.1', '14.2.10', false],
    ['-le 10.0.22631.3235', '10.0.22631.3235', true],
    ['-ne "10.0.22000.1000"', '10.0.22000.1000', false],
    ['-gt 1', 'not-a-version', false],
    ['-gt 1', '', false],
    ['-lt 99', '1..2', false],
  ] as const)('operatingSystemVersion %s with %s → %s', (tail, version, expected) => {
    expect(
      matches(
        `device.operatingSystemVersion ${tail}`,
        { operatingSystemVersion: version },
        'filter',
      ),
    ).toBe(expected);
  });
});

describe('-any / -all', () => {
  const rule = 'device.installedSoftware -any (_ -startsWith "Citrix Workspace")';

  it('scopes to the machines that run a given software', () => {
    expect(matches(rule, { installedSoftware: ['7-Zip 23.01', 'citrix workspace 2409'] })).toBe(
      true,
    );
    expect(matches(rule, { installedSoftware: ['7-Zip 23.01', 'Citrix Receiver 4.12'] })).toBe(
      false,
    );
    expect(matches(rule, { installedSoftware: [] })).toBe(false);
    expect(matches(rule, {})).toBe(false);
  });

  it('-all needs every item, and holds on an empty collection', () => {
    const all = 'device.devicePhysicalIds -all (_ -startsWith "[OrderID]")';
    expect(matches(all, { devicePhysicalIds: ['[OrderID]:1', '[orderid]:2'] })).toBe(true);
    expect(matches(all, { devicePhysicalIds: ['[OrderID]:1', '[ZTDId]:2'] })).toBe(false);
    expect(matches(all, { devicePhysicalIds: [] })).toBe(true);
    expect(matches(all, {})).toBe(true);
  });

  it('evaluates compound conditions per item', () => {
    const rule2 =
      'device.installedSoftware -any (_ -startsWith "Citrix" -and -not (_ -contains "beta"))';
    expect(matches(rule2, { installedSoftware: ['Citrix beta 1', 'Zoom 6'] })).toBe(false);
    expect(matches(rule2, { installedSoftware: ['Citrix beta 1', 'Citrix 2'] })).toBe(true);
  });

  it('tests group membership through memberOf', () => {
    const member = "device.memberOf -any (group.objectId -in ['G1', 'g2'])";
    expect(matches(member, { memberOf: ['g0', 'g1'] })).toBe(true);
    expect(matches(member, { memberOf: ['g3'] })).toBe(false);
  });
});

describe('logic and precedence', () => {
  const A = 'device.displayName -eq "a"';
  const B = 'device.deviceModel -eq "b"';
  const C = 'device.deviceCategory -eq "c"';

  it('-and binds tighter than -or', () => {
    // a -or (b -and c): true when a alone holds.
    expect(matches(`${A} -or ${B} -and ${C}`, { displayName: 'a' })).toBe(true);
    // (a -or b) -and c: false without c.
    expect(matches(`(${A} -or ${B}) -and ${C}`, { displayName: 'a' })).toBe(false);
  });

  it('-not negates the expression after it', () => {
    expect(matches(`-not ${A} -and ${B}`, { displayName: 'x', deviceModel: 'b' })).toBe(true);
    expect(matches(`-not (${A} -or ${B})`, { deviceModel: 'b' })).toBe(false);
  });

  it('evaluates the rule from the design document', () => {
    const rule =
      '(device.deviceOSType -eq "Linux") and (device.managementType -eq "MicrosoftSense")';
    expect(matches(rule, { deviceOSType: 'Linux', managementType: 'MicrosoftSense' })).toBe(true);
    expect(matches(rule, { deviceOSType: 'Linux', managementType: 'MDM' })).toBe(false);
  });
});

describe('compileRule', () => {
  it('compiles once and evaluates many devices with the same closure', () => {
    const parsed = parseRule('device.displayName -startsWith "web"');
    if (!parsed.ok) throw new Error('invalid');
    const rule = compileRule(parsed.ast);
    const names = ['web-1', 'db-1', 'WEB-2'];
    expect(names.map((displayName) => rule({ displayName }))).toEqual([true, false, true]);
  });

  it('returns the diagnostics of invalid text', () => {
    const result = compileRuleText('device.nope -eq "x"');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics[0]?.column).toBe(1);
  });
});

describe('ruleReferences', () => {
  it('lists the properties read and the memberOf group ids', () => {
    const parsed = parseRule(
      "(device.deviceOSType -eq 'Linux') -or device.memberOf -any (group.objectId -in ['g2', 'g1']) -or device.memberOf -any (_ -eq 'g3') -or device.devicePhysicalIds -any (_ -eq 'x')",
    );
    if (!parsed.ok) throw new Error(parsed.diagnostics[0]?.message);
    expect(ruleReferences(parsed.ast)).toEqual({
      properties: ['deviceOSType', 'devicePhysicalIds', 'memberOf'],
      memberOfGroupIds: ['g1', 'g2', 'g3'],
    });
  });
});
