import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleAst } from './ast.js';
import { compileRule } from './compile.js';
import { parseRule } from './parser.js';
import type { PropertyValue, RuleProperties, RuleSchemaName } from './properties.js';
import { RuleIndex, ruleGuard } from './rule-index.js';

function ast(rule: string, schema: RuleSchemaName = 'device'): RuleAst {
  const parsed = parseRule(rule, schema);
  if (!parsed.ok) throw new Error(`${rule}: ${parsed.diagnostics[0]?.message}`);
  return parsed.ast;
}

function guardOf(rule: string, schema: RuleSchemaName = 'device') {
  return ruleGuard(ast(rule, schema));
}

function indexOf(rules: readonly (string | null)[]): RuleIndex {
  return new RuleIndex(rules.map((rule) => (rule === null ? null : ast(rule))));
}

describe('ruleGuard', () => {
  it.each([
    ['device.deviceOSType -eq "Linux"', 'value', 'equals', ['linux']],
    [
      'device.deviceOSType -in ["Windows", "macOS", "WINDOWS"]',
      'value',
      'equals',
      ['macos', 'windows'],
    ],
    ['device.displayName -startsWith "AMS-"', 'value', 'prefix', ['ams-']],
    ['device.installedSoftware -any _ -startsWith "nginx"', 'item', 'prefix', ['nginx']],
    ['device.installedSoftware -any (_ -eq "Nginx 1.24")', 'item', 'equals', ['nginx 1.24']],
    [
      'device.devicePhysicalIds -any (_ -in ["[OrderId]:1", "[OrderId]:2"])',
      'item',
      'equals',
      ['[orderid]:1', '[orderid]:2'],
    ],
    [
      'device.installedSoftware -any (_ -contains "ssl" -and _ -startsWith "open")',
      'item',
      'prefix',
      ['open'],
    ],
  ])('%s → %s %s %j', (rule, scope, kind, keys) => {
    expect(guardOf(rule)).toMatchObject({ scope, kind, keys });
  });

  it('lower-cases keys as compiled rules do (toLowerCase, also beyond ASCII)', () => {
    expect(guardOf('device.displayName -eq "İSTANBUL"')?.keys).toEqual(['i̇stanbul']);
    expect(guardOf('device.displayName -startsWith "ΟΔΟΣ"')?.keys).toEqual(['οδος']);
  });

  it('finds a guard among the conjuncts of nested ands', () => {
    const rule =
      '(device.displayName -contains "web") and ((device.managementType -ne null) and (device.deviceOSType -eq "Linux"))';
    expect(guardOf(rule)).toEqual({
      property: 'deviceOSType',
      scope: 'value',
      kind: 'equals',
      keys: ['linux'],
    });
  });

  it('keeps the most selective guard: equality over prefix, fewer keys, longer prefixes', () => {
    expect(
      guardOf('device.displayName -startsWith "ams-web" and device.deviceOSType -eq "Linux"'),
    ).toMatchObject({ property: 'deviceOSType', kind: 'equals' });
    expect(
      guardOf('device.deviceOSType -in ["Linux", "macOS"] and device.managementType -eq "MDM"'),
    ).toMatchObject({ property: 'managementType' });
    expect(
      guardOf('device.displayName -startsWith "ams" and device.deviceModel -startsWith "thinkpad"'),
    ).toMatchObject({ property: 'deviceModel', keys: ['thinkpad'] });
  });

  it('joins the two sides of an or that read the same property the same way', () => {
    expect(guardOf('device.deviceOSType -eq "Linux" or device.deviceOSType -in ["macOS"]')).toEqual(
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux', 'macos'] },
    );
    expect(
      guardOf('device.installedSoftware -any (_ -startsWith "nginx" or _ -startsWith "apache")'),
    ).toMatchObject({ scope: 'item', kind: 'prefix', keys: ['apache', 'nginx'] });
    expect(
      guardOf(
        '(device.deviceOSType -eq "Linux" and device.displayName -contains "x") or device.deviceOSType -eq "macOS"',
      ),
    ).toMatchObject({ keys: ['linux', 'macos'] });
  });

  it.each([
    ['an or over two properties', 'device.deviceOSType -eq "Linux" or device.displayName -eq "x"'],
    ['an or of two kinds', 'device.displayName -eq "x" or device.displayName -startsWith "y"'],
    [
      'an or with an unguarded side',
      'device.deviceOSType -eq "Linux" or device.displayName -contains "x"',
    ],
    [
      'an or of a value and an item',
      'device.deviceCategory -eq "x" or device.devicePhysicalIds -any _ -eq "x"',
    ],
    ['-ne', 'device.deviceOSType -ne "Linux"'],
    ['-notIn', 'device.deviceOSType -notIn ["Linux"]'],
    ['-notStartsWith', 'device.displayName -notStartsWith "ams"'],
    ['-not', '-not (device.deviceOSType -eq "Linux")'],
    ['-eq null', 'device.deviceCategory -eq null'],
    ['-contains', 'device.displayName -contains "web"'],
    ['-endsWith', 'device.displayName -endsWith "-01"'],
    ['-match', 'device.displayName -match "^ams"'],
    ['an empty prefix', 'device.displayName -startsWith ""'],
    ['a boolean', 'device.accountEnabled -eq true'],
    ['-all', 'device.installedSoftware -all (_ -startsWith "nginx")'],
    ['-any with a negated condition', 'device.installedSoftware -any (-not (_ -eq "x"))'],
    ['-any with -ne', 'device.installedSoftware -any _ -ne "x"'],
  ])('refuses %s', (_what, rule) => {
    expect(guardOf(rule)).toBeNull();
  });

  it('refuses numbers and versions', () => {
    expect(guardOf('device.enrollmentStatusCode -eq 1', 'asset')).toBeNull();
    expect(guardOf('device.enrollmentStatusCode -in [1, 2]', 'asset')).toBeNull();
    expect(guardOf('device.operatingSystemVersion -eq 10.0.22631', 'filter')).toBeNull();
  });

  it('never guards a rule that reads memberOf, even through another conjunct', () => {
    const rule =
      '(device.deviceOSType -eq "Linux") and (device.memberOf -any (group.objectId -in ["g1"]))';
    expect(guardOf(rule)).toBeNull();
  });
});

describe('RuleIndex', () => {
  const rules = [
    'device.deviceOSType -eq "Windows"',
    '(device.deviceOSType -eq "Linux") and (device.displayName -contains "web")',
    'device.displayName -contains "web"',
    'device.displayName -startsWith "ams-" and device.managementType -ne null',
    'device.installedSoftware -any _ -startsWith "nginx"',
    'device.memberOf -any (group.objectId -eq "g1")',
    'device.deviceOSType -in ["Windows", "macOS"]',
    null,
  ];
  const index = indexOf(rules);

  it('offers a device only the rules whose guard it passes, and every unguarded rule', () => {
    expect(index.size).toBe(8);
    expect(index.candidates({ deviceOSType: 'Linux', displayName: 'AMS-web-01' })).toEqual([
      1, 2, 3, 5, 7,
    ]);
    expect(
      index.candidates({ deviceOSType: 'windows', installedSoftware: ['NGINX 1.24', 'git'] }),
    ).toEqual([0, 2, 4, 5, 6, 7]);
  });

  it('offers nothing guarded to a device whose guarded properties are missing, null or empty', () => {
    expect(index.candidates({})).toEqual([2, 5, 7]);
    expect(
      index.candidates({ deviceOSType: null, displayName: '', installedSoftware: [] }),
    ).toEqual([2, 5, 7]);
    expect(index.candidates({ installedSoftware: [''] })).toEqual([2, 5, 7]);
  });

  it('reads values as compiled rules do: numbers and booleans as text, a lone string as one item', () => {
    const numeric = indexOf([
      'device.displayName -eq "7"',
      'device.displayName -in ["TRUE"]',
      'device.installedSoftware -any _ -eq "nginx"',
    ]);
    expect(numeric.candidates({ displayName: 7 })).toEqual([0]);
    expect(numeric.candidates({ displayName: true })).toEqual([1]);
    expect(numeric.candidates({ installedSoftware: 'NGINX' })).toEqual([2]);
    // A single-valued comparison on an array reads null (the compiled rule is false too).
    expect(numeric.candidates({ displayName: ['7'] })).toEqual([]);
  });

  it('compares beyond ASCII as toLowerCase does', () => {
    const turkish = indexOf([
      'device.displayName -eq "i̇stanbul"',
      'device.displayName -startsWith "İST"',
      'device.displayName -eq "istanbul"',
    ]);
    expect(turkish.candidates({ displayName: 'İSTANBUL' })).toEqual([0, 1]);
    expect(turkish.candidates({ displayName: 'Istanbul' })).toEqual([2]);
  });

  it('finds every prefix a text starts with among many nested prefixes', () => {
    const prefix = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '-', 'İ'), maxLength: 4 });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          prefix.filter((p) => p !== ''),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'B', '-', 'i̇'), maxLength: 6 })),
        (prefixes, texts) => {
          const prefixIndex = new RuleIndex(
            prefixes.map((p) => ast(`device.displayName -startsWith "${p}"`)),
          );
          for (const text of texts) {
            const lower = text.toLowerCase();
            const expected = prefixes.flatMap((p, i) =>
              text !== '' && lower.startsWith(p.toLowerCase()) ? [i] : [],
            );
            expect(prefixIndex.candidates({ displayName: text })).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * Random rules from a small grammar, over a few properties of each kind, and random devices whose
 * values vary in case, go beyond ASCII and include the edge cases (null, "", numbers and booleans
 * where text is expected, an array where one value is, a lone string where a collection is).
 */
interface Vocabulary {
  readonly schema: RuleSchemaName;
  readonly strings: readonly string[];
  readonly collections: readonly string[];
  readonly booleans: readonly string[];
  readonly numbers: readonly string[];
  readonly memberOf: boolean;
}

const DEVICE_VOCABULARY: Vocabulary = {
  schema: 'device',
  strings: ['displayName', 'deviceOSType', 'extensionAttribute1'],
  collections: ['installedSoftware', 'devicePhysicalIds'],
  booleans: ['accountEnabled'],
  numbers: [],
  memberOf: true,
};

const ASSET_VOCABULARY: Vocabulary = {
  schema: 'asset',
  strings: ['deviceName', 'osPlatform'],
  collections: ['tags'],
  booleans: ['internetFacing'],
  numbers: ['enrollmentStatusCode'],
  memberOf: false,
};

const WORDS = [
  'linux',
  'Linux',
  'Windows',
  'win',
  'ams-',
  'ams-web',
  'a',
  'ab',
  'abc',
  'İ',
  'i̇',
  'İstanbul',
  'istanbul',
  'ß',
  'SS',
  'ΟΔΟΣ',
  'ς',
  '\u212a', // KELVIN SIGN, lower-cases to an ASCII k
  'k',
  '7',
  '07',
  '1e3',
  'true',
  'nginx',
  'nginx 1.24',
  '',
];

const word = fc.constantFrom(...WORDS);
const quoted = word.map((w) => `"${w}"`);
const list = fc
  .array(quoted, { minLength: 1, maxLength: 3 })
  .map((items) => `[${items.join(', ')}]`);
const STRING_OPERATORS = [
  'eq',
  'ne',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'contains',
  'notContains',
] as const;

/** A comparison of `subject` (a string property or `_`) with a string. */
function stringComparison(subject: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...STRING_OPERATORS), quoted)
      .map(([op, v]) => `${subject} -${op} ${v}`),
    fc.tuple(fc.constantFrom('in', 'notIn'), list).map(([op, v]) => `${subject} -${op} ${v}`),
    fc.constantFrom('eq', 'ne').map((op) => `${subject} -${op} null`),
    fc.constantFrom('^li', 'nux$', '^a.c', 'İ').map((re) => `${subject} -match "${re}"`),
  );
}

/** A condition on `_`: comparisons joined by and/or/not. */
const itemCondition: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringComparison('_'),
    fc.tuple(tie('condition'), tie('condition')).map(([l, r]) => `(${l}) -and (${r})`),
    fc.tuple(tie('condition'), tie('condition')).map(([l, r]) => `(${l}) -or (${r})`),
    tie('condition').map((c) => `-not (${c})`),
  ),
})).condition;

function term(vocabulary: Vocabulary): fc.Arbitrary<string> {
  const terms: fc.Arbitrary<string>[] = [
    fc.constantFrom(...vocabulary.strings).chain((p) => stringComparison(`device.${p}`)),
    fc
      .tuple(
        fc.constantFrom(...vocabulary.collections),
        fc.constantFrom('any', 'all'),
        itemCondition,
      )
      .map(([p, q, c]) => `device.${p} -${q} (${c})`),
    fc
      .tuple(fc.constantFrom(...vocabulary.collections), stringComparison('_'))
      .map(([p, c]) => `device.${p} -any ${c}`),
    fc
      .tuple(fc.constantFrom(...vocabulary.booleans), fc.boolean())
      .map(([p, b]) => `device.${p} -eq ${b}`),
  ];
  if (vocabulary.numbers.length > 0) {
    const number = fc.constantFrom('0', '1', '7', '1000');
    terms.push(
      fc
        .tuple(
          fc.constantFrom(...vocabulary.numbers),
          fc.constantFrom('eq', 'ne', 'gt', 'le'),
          number,
        )
        .map(([p, op, n]) => `device.${p} -${op} ${n}`),
      fc
        .tuple(
          fc.constantFrom(...vocabulary.numbers),
          fc.array(number, { minLength: 1, maxLength: 3 }),
        )
        .map(([p, ns]) => `device.${p} -in [${ns.join(', ')}]`),
    );
  }
  if (vocabulary.memberOf) {
    terms.push(
      fc
        .subarray(['g1', 'g2', 'g3'], { minLength: 1 })
        .map(
          (ids) =>
            `device.memberOf -any (group.objectId -in [${ids.map((id) => `"${id}"`).join(', ')}])`,
        ),
    );
  }
  return fc.oneof(...terms);
}

function ruleText(vocabulary: Vocabulary): fc.Arbitrary<string> {
  return fc.letrec<{ rule: string }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      term(vocabulary),
      fc.tuple(tie('rule'), tie('rule')).map(([l, r]) => `(${l}) and (${r})`),
      fc.tuple(tie('rule'), tie('rule')).map(([l, r]) => `(${l}) or (${r})`),
      tie('rule').map((r) => `-not (${r})`),
    ),
  })).rule;
}

/** A word as a device might spell it: any case, sometimes followed by more text. */
const deviceText = fc
  .tuple(
    word,
    fc.constantFrom('', '', '-01', ' 2.0', 'İ', 'x'),
    fc.constantFrom('same', 'upper', 'lower'),
  )
  .map(([w, tail, spelling]) => {
    const text = `${w}${tail}`;
    return spelling === 'upper'
      ? text.toUpperCase()
      : spelling === 'lower'
        ? text.toLowerCase()
        : text;
  });

const singleValue: fc.Arbitrary<PropertyValue> = fc.oneof(
  { weight: 6, arbitrary: deviceText },
  fc.constantFrom<PropertyValue>(null, '', 7, 1000, 0, true, false),
  fc.array(deviceText, { maxLength: 2 }),
);

const collectionValue: fc.Arbitrary<PropertyValue> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(deviceText, fc.constant('')), { maxLength: 4 }) },
  deviceText,
  fc.constantFrom<PropertyValue>(null, ''),
);

function device(vocabulary: Vocabulary): fc.Arbitrary<RuleProperties> {
  const model: Record<string, fc.Arbitrary<PropertyValue>> = {};
  for (const name of vocabulary.strings) model[name] = singleValue;
  for (const name of vocabulary.collections) model[name] = collectionValue;
  for (const name of vocabulary.booleans) {
    model[name] = fc.constantFrom<PropertyValue>(true, false, 'TRUE', null);
  }
  for (const name of vocabulary.numbers) {
    model[name] = fc.constantFrom<PropertyValue>(0, 1, 7, '7', ' 1000 ', null);
  }
  if (vocabulary.memberOf) model.memberOf = fc.subarray(['g1', 'g2', 'g3']);
  // Keys left out are absent (a missing property), never undefined.
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<RuleProperties>;
}

describe.each([DEVICE_VOCABULARY, ASSET_VOCABULARY])(
  'RuleIndex on random $schema rules',
  (vocabulary) => {
    it('offers every rule that matches, in ascending order without duplicates', () => {
      let matched = 0;
      let pruned = 0;
      fc.assert(
        fc.property(
          fc.array(ruleText(vocabulary), { minLength: 200, maxLength: 300 }),
          fc.array(device(vocabulary), { minLength: 200, maxLength: 300 }),
          (texts, devices) => {
            const asts = texts.map((text) => ast(text, vocabulary.schema));
            const rules = asts.map((rule) => compileRule(rule));
            const index = new RuleIndex(asts);
            for (const properties of devices) {
              const candidates = index.candidates(properties);
              for (let i = 1; i < candidates.length; i++) {
                expect(candidates[i]).toBeGreaterThan(candidates[i - 1] ?? -1);
              }
              const offered = new Set(candidates);
              rules.forEach((matches, i) => {
                if (!matches(properties)) return;
                matched++;
                if (!offered.has(i)) {
                  expect.fail(
                    `${texts[i]} matches ${JSON.stringify(properties)} but is not offered`,
                  );
                }
              });
              pruned += rules.length - candidates.length;
            }
          },
        ),
        // A failure names the rule and the device; shrinking arrays this long would take minutes.
        { numRuns: 5, endOnFailure: true },
      );
      // The property is not vacuous: rules matched, and guards kept rules from being offered.
      expect(matched).toBeGreaterThan(1000);
      expect(pruned).toBeGreaterThan(1000);
    });
  },
);
