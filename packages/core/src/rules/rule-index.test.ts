import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleAst } from './ast.js';
import { compileRule, itemsOf, textOf } from './compile.js';
import { parseRule } from './parser.js';
import type { PropertyValue, RuleProperties, RuleSchemaName } from './properties.js';
import { type RuleGuard, RuleIndex, ruleGuard } from './rule-index.js';

function ast(rule: string, schema: RuleSchemaName = 'device'): RuleAst {
  const parsed = parseRule(rule, schema);
  if (!parsed.ok) throw new Error(`${rule}: ${parsed.diagnostics[0]?.message}`);
  return parsed.ast;
}

function guardsOf(rule: string, schema: RuleSchemaName = 'device') {
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
    ['device.displayName -contains "-Web-"', 'value', 'contains', ['-web-']],
    ['device.installedSoftware -any _ -startsWith "nginx"', 'item', 'prefix', ['nginx']],
    ['device.installedSoftware -any (_ -eq "Nginx 1.24")', 'item', 'equals', ['nginx 1.24']],
    ['device.installedSoftware -any _ -contains "SSL"', 'item', 'contains', ['ssl']],
    [
      'device.devicePhysicalIds -any (_ -in ["[OrderId]:1", "[OrderId]:2"])',
      'item',
      'equals',
      ['[orderid]:1', '[orderid]:2'],
    ],
  ])('%s → %s %s %j', (rule, scope, kind, keys) => {
    const guards = guardsOf(rule);
    expect(guards).toHaveLength(1);
    expect(guards[0]).toMatchObject({ scope, kind, keys });
  });

  it('lower-cases keys as compiled rules do (toLowerCase, also beyond ASCII)', () => {
    expect(guardsOf('device.displayName -eq "İSTANBUL"')[0]?.keys).toEqual(['i̇stanbul']);
    expect(guardsOf('device.displayName -startsWith "ΟΔΟΣ"')[0]?.keys).toEqual(['οδος']);
    expect(guardsOf('device.displayName -contains "\u212aB"')[0]?.keys).toEqual(['kb']);
  });

  it('keeps every guard among the conjuncts of nested ands, in order', () => {
    const rule =
      '(device.displayName -contains "Web") and ((device.managementType -ne null) and (device.deviceOSType -eq "Linux"))';
    expect(guardsOf(rule)).toEqual([
      { property: 'displayName', scope: 'value', kind: 'contains', keys: ['web'] },
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux'] },
    ]);
    expect(
      guardsOf('(device.displayName -startsWith "ams-") and (device.deviceOSType -eq "Linux")'),
    ).toEqual([
      { property: 'displayName', scope: 'value', kind: 'prefix', keys: ['ams-'] },
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux'] },
    ]);
  });

  it('keeps several guards on one property, and each guard once', () => {
    expect(
      guardsOf(
        'device.displayName -startsWith "ams" and device.displayName -contains "web" and device.displayName -startsWith "AMS" and device.displayName -contains "-01"',
      ),
    ).toEqual([
      { property: 'displayName', scope: 'value', kind: 'prefix', keys: ['ams'] },
      { property: 'displayName', scope: 'value', kind: 'contains', keys: ['web'] },
      { property: 'displayName', scope: 'value', kind: 'contains', keys: ['-01'] },
    ]);
    const index = indexOf([
      'device.displayName -contains "web" and device.displayName -contains "-01"',
      'device.installedSoftware -any (_ -eq "git") and device.installedSoftware -any (_ -eq "gcc")',
    ]);
    expect(index.candidates({ displayName: 'AMS-WEB-02' })).toEqual([]);
    expect(index.candidates({ displayName: 'AMS-WEB-01' })).toEqual([0]);
    expect(index.candidates({ installedSoftware: ['git', 'make'] })).toEqual([]);
    expect(index.candidates({ installedSoftware: ['git', 'GCC'] })).toEqual([1]);
  });

  it('keeps the guards on the items of -any, each of which may hold on a different item', () => {
    expect(
      guardsOf(
        'device.installedSoftware -any (_ -contains "ssl" -and _ -startsWith "open") and device.deviceOSType -eq "Linux"',
      ),
    ).toEqual([
      { property: 'installedSoftware', scope: 'item', kind: 'contains', keys: ['ssl'] },
      { property: 'installedSoftware', scope: 'item', kind: 'prefix', keys: ['open'] },
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux'] },
    ]);
  });

  it('joins the two sides of an or that read the same property the same way', () => {
    expect(
      guardsOf('device.deviceOSType -eq "Linux" or device.deviceOSType -in ["macOS"]'),
    ).toEqual([
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux', 'macos'] },
    ]);
    expect(
      guardsOf('device.installedSoftware -any (_ -startsWith "nginx" or _ -startsWith "apache")'),
    ).toEqual([
      { property: 'installedSoftware', scope: 'item', kind: 'prefix', keys: ['apache', 'nginx'] },
    ]);
    expect(
      guardsOf('device.displayName -contains "web" or device.displayName -contains "db"'),
    ).toEqual([{ property: 'displayName', scope: 'value', kind: 'contains', keys: ['db', 'web'] }]);
    expect(
      guardsOf(
        '(device.deviceOSType -eq "Linux" and device.displayName -contains "x") or device.deviceOSType -eq "macOS"',
      ),
    ).toEqual([
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux', 'macos'] },
    ]);
  });

  it('joins an or of conjunctions way by way, one guard per way of reading', () => {
    expect(
      guardsOf(
        '(device.deviceOSType -eq "Linux" and device.displayName -startsWith "ams-") or (device.displayName -startsWith "fra-" and device.deviceOSType -in ["macOS", "Windows"])',
      ),
    ).toEqual([
      {
        property: 'deviceOSType',
        scope: 'value',
        kind: 'equals',
        keys: ['linux', 'macos', 'windows'],
      },
      { property: 'displayName', scope: 'value', kind: 'prefix', keys: ['ams-', 'fra-'] },
    ]);
    // Of several guards read the same way, each side gives its one with the fewest keys.
    expect(
      guardsOf(
        '(device.deviceOSType -in ["Linux", "macOS"] and device.deviceOSType -eq "Linux") or device.deviceOSType -eq "Windows"',
      ),
    ).toEqual([
      { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux', 'windows'] },
    ]);
  });

  it('keeps a chain of ors over conjunctions small', () => {
    const side = (n: number) =>
      `(device.displayName -contains "a${n}" and device.displayName -contains "b${n}" and device.displayName -contains "c${n}")`;
    const rule = Array.from({ length: 20 }, (_, n) => side(n)).join(' or ');
    const guards = guardsOf(rule);
    expect(guards).toHaveLength(1);
    expect(guards[0]?.keys).toHaveLength(20);
  });

  it.each([
    ['an or over two properties', 'device.deviceOSType -eq "Linux" or device.displayName -eq "x"'],
    ['an or of two kinds', 'device.displayName -eq "x" or device.displayName -startsWith "y"'],
    [
      'an or with an unguarded side',
      'device.deviceOSType -eq "Linux" or device.displayName -endsWith "x"',
    ],
    [
      'an or of a value and an item',
      'device.deviceCategory -eq "x" or device.devicePhysicalIds -any _ -eq "x"',
    ],
    ['-ne', 'device.deviceOSType -ne "Linux"'],
    ['-notIn', 'device.deviceOSType -notIn ["Linux"]'],
    ['-notStartsWith', 'device.displayName -notStartsWith "ams"'],
    ['-notContains', 'device.displayName -notContains "web"'],
    ['-not', '-not (device.deviceOSType -eq "Linux")'],
    ['-not over -contains', '-not (device.displayName -contains "web")'],
    ['-eq null', 'device.deviceCategory -eq null'],
    ['-endsWith', 'device.displayName -endsWith "-01"'],
    ['-match', 'device.displayName -match "^ams"'],
    ['an empty prefix', 'device.displayName -startsWith ""'],
    ['an empty contained text', 'device.displayName -contains ""'],
    ['an empty contained text on items', 'device.installedSoftware -any _ -contains ""'],
    ['a boolean', 'device.accountEnabled -eq true'],
    ['-all', 'device.installedSoftware -all (_ -startsWith "nginx")'],
    ['-all with -contains', 'device.installedSoftware -all (_ -contains "nginx")'],
    ['-any with a negated condition', 'device.installedSoftware -any (-not (_ -eq "x"))'],
    ['-any with -ne', 'device.installedSoftware -any _ -ne "x"'],
  ])('refuses %s', (_what, rule) => {
    expect(guardsOf(rule)).toEqual([]);
  });

  it('refuses numbers and versions', () => {
    expect(guardsOf('device.enrollmentStatusCode -eq 1', 'asset')).toEqual([]);
    expect(guardsOf('device.enrollmentStatusCode -in [1, 2]', 'asset')).toEqual([]);
    expect(guardsOf('device.operatingSystemVersion -eq 10.0.22631', 'filter')).toEqual([]);
  });

  it('never guards a rule that reads memberOf, even through another conjunct', () => {
    const rule =
      '(device.deviceOSType -eq "Linux") and (device.memberOf -any (group.objectId -in ["g1"]))';
    expect(guardsOf(rule)).toEqual([]);
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

  it('offers a device only the rules whose guards it all passes, and every unguarded rule', () => {
    expect(index.size).toBe(8);
    expect(index.candidates({ deviceOSType: 'Linux', displayName: 'AMS-web-01' })).toEqual([
      1, 2, 3, 5, 7,
    ]);
    expect(
      index.candidates({ deviceOSType: 'windows', installedSoftware: ['NGINX 1.24', 'git'] }),
    ).toEqual([0, 4, 5, 6, 7]);
    // Linux but not web: rule 1 passes one guard of two.
    expect(index.candidates({ deviceOSType: 'Linux', displayName: 'ams-db-01' })).toEqual([
      3, 5, 7,
    ]);
    // Web but not Linux: the other guard of rule 1.
    expect(index.candidates({ deviceOSType: 'macOS', displayName: 'fra-WEB-01' })).toEqual([
      2, 5, 6, 7,
    ]);
  });

  it('offers nothing guarded to a device whose guarded properties are missing, null or empty', () => {
    expect(index.candidates({})).toEqual([5, 7]);
    expect(
      index.candidates({ deviceOSType: null, displayName: '', installedSoftware: [] }),
    ).toEqual([5, 7]);
    expect(index.candidates({ installedSoftware: [''] })).toEqual([5, 7]);
  });

  it('reads values as compiled rules do: numbers and booleans as text, a lone string as one item', () => {
    const numeric = indexOf([
      'device.displayName -eq "7"',
      'device.displayName -in ["TRUE"]',
      'device.installedSoftware -any _ -eq "nginx"',
      'device.displayName -contains "00"',
      'device.installedSoftware -any _ -contains "GIN"',
    ]);
    expect(numeric.candidates({ displayName: 7 })).toEqual([0]);
    expect(numeric.candidates({ displayName: 1001 })).toEqual([3]);
    expect(numeric.candidates({ displayName: true })).toEqual([1]);
    expect(numeric.candidates({ installedSoftware: 'NGINX' })).toEqual([2, 4]);
    // A single-valued comparison on an array reads null (the compiled rule is false too).
    expect(numeric.candidates({ displayName: ['7'] })).toEqual([]);
  });

  it('compares beyond ASCII as toLowerCase does', () => {
    const turkish = indexOf([
      'device.displayName -eq "i̇stanbul"',
      'device.displayName -startsWith "İST"',
      'device.displayName -eq "istanbul"',
      'device.displayName -contains "İS"',
      'device.displayName -contains "\u212a"',
    ]);
    expect(turkish.candidates({ displayName: 'İSTANBUL' })).toEqual([0, 1, 3]);
    expect(turkish.candidates({ displayName: 'Istanbul' })).toEqual([2]);
    expect(turkish.candidates({ displayName: 'x-İs-\u212a' })).toEqual([3, 4]);
    expect(turkish.candidates({ displayName: 'OK' })).toEqual([4]);
  });

  it('offers a rule whose contained texts are each found, on the value or on any items', () => {
    const contains = indexOf([
      '(device.managementType -eq "MicrosoftSense") and (device.displayName -contains "-web-")',
      '(device.managementType -eq "MicrosoftSense") and (device.displayName -contains "-db-")',
      'device.displayName -contains "AMS" and device.displayName -contains "-web-"',
      'device.installedSoftware -any (_ -contains "ssl" -and _ -startsWith "open")',
      'device.installedSoftware -any _ -contains "SQL Server"',
    ]);
    expect(
      contains.candidates({ managementType: 'microsoftsense', displayName: 'AMS-WEB-01' }),
    ).toEqual([0, 2]);
    expect(contains.candidates({ managementType: 'MDM', displayName: 'fra-web-01' })).toEqual([]);
    expect(
      contains.candidates({ displayName: 'lon-db-01', managementType: 'MicrosoftSense' }),
    ).toEqual([1]);
    // Each guard on the items holds on some item: a candidate, though the rule does not match.
    expect(contains.candidates({ installedSoftware: ['OpenSSH 9.6', 'libssl 3'] })).toEqual([3]);
    expect(contains.candidates({ installedSoftware: ['openssl 3.0'] })).toEqual([3]);
    expect(contains.candidates({ installedSoftware: ['libssl 3', 'git'] })).toEqual([]);
    expect(contains.candidates({ installedSoftware: ['Microsoft SQL Server 2022 16.0'] })).toEqual([
      4,
    ]);
  });

  it('counts a guard passed twice (two items, keys or prefixes) once', () => {
    const twice = indexOf([
      'device.installedSoftware -any (_ -startsWith "nginx" or _ -startsWith "nginx 1") and device.deviceOSType -eq "Linux"',
      '(device.displayName -contains "a" or device.displayName -contains "b") and device.deviceOSType -eq "Linux"',
      'device.installedSoftware -any _ -in ["git", "gcc"] and device.deviceOSType -eq "Linux"',
    ]);
    expect(
      twice.candidates({
        deviceOSType: 'Windows',
        displayName: 'ab',
        installedSoftware: ['nginx 1.24', 'nginx 1.26', 'git', 'gcc'],
      }),
    ).toEqual([]);
    expect(
      twice.candidates({
        deviceOSType: 'Linux',
        displayName: 'ab',
        installedSoftware: ['nginx 1.24', 'git'],
      }),
    ).toEqual([0, 1, 2]);
  });

  it('forgets what the previous device passed', () => {
    const both = indexOf([
      'device.deviceOSType -eq "Linux" and device.displayName -startsWith "ams-"',
      'device.deviceOSType -eq "Linux" and device.displayName -contains "web"',
    ]);
    const devices: RuleProperties[] = [
      { deviceOSType: 'Linux', displayName: 'fra-db' },
      { deviceOSType: 'macOS', displayName: 'ams-web' },
      { deviceOSType: 'Linux', displayName: 'ams-db' },
      { deviceOSType: 'Linux' },
      { displayName: 'ams-web' },
      { deviceOSType: 'Linux', displayName: 'ams-web' },
    ];
    expect(devices.map((device) => both.candidates(device))).toEqual([[], [], [0], [], [], [0, 1]]);
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

/** A comparison a guard can be found in: -eq, -in, -startsWith or -contains on a string. */
function lookupTerm(vocabulary: Vocabulary): fc.Arbitrary<string> {
  const lookup = (subject: string) =>
    fc.oneof(
      fc
        .tuple(fc.constantFrom('eq', 'startsWith', 'contains'), quoted)
        .map(([op, v]) => `${subject} -${op} ${v}`),
      list.map((v) => `${subject} -in ${v}`),
    );
  return fc.oneof(
    fc.constantFrom(...vocabulary.strings).chain((p) => lookup(`device.${p}`)),
    fc
      .tuple(fc.constantFrom(...vocabulary.collections), lookup('_'))
      .map(([p, c]) => `device.${p} -any (${c})`),
  );
}

function ruleText(vocabulary: Vocabulary): fc.Arbitrary<string> {
  return fc.letrec<{ rule: string }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      term(vocabulary),
      // Conjunctions of mostly lookups, as most group rules are: rules with several guards.
      fc
        .array(fc.oneof({ weight: 3, arbitrary: lookupTerm(vocabulary) }, term(vocabulary)), {
          minLength: 2,
          maxLength: 3,
        })
        .map((terms) => terms.map((t) => `(${t})`).join(' and ')),
      fc.tuple(tie('rule'), tie('rule')).map(([l, r]) => `(${l}) and (${r})`),
      fc.tuple(tie('rule'), tie('rule')).map(([l, r]) => `(${l}) or (${r})`),
      tie('rule').map((r) => `-not (${r})`),
    ),
  })).rule;
}

/** A word as a device might spell it: any case, sometimes within more text. */
const deviceText = fc
  .tuple(
    fc.constantFrom('', '', '', 'x-', 'İ'),
    word,
    fc.constantFrom('', '', '-01', ' 2.0', 'İ', 'x'),
    fc.constantFrom('same', 'upper', 'lower'),
  )
  .map(([head, w, tail, spelling]) => {
    const text = `${head}${w}${tail}`;
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

/** Whether a device passes a guard, read the plain way: every text, every key. */
function passesGuard(guard: RuleGuard, properties: RuleProperties): boolean {
  const value = properties[guard.property];
  const texts = guard.scope === 'value' ? [textOf(value)] : itemsOf(value).map(textOf);
  return texts.some((text) => {
    if (text === null) return false;
    const lower = text.toLowerCase();
    return guard.keys.some((key) =>
      guard.kind === 'equals'
        ? lower === key
        : guard.kind === 'prefix'
          ? lower.startsWith(key)
          : lower.includes(key),
    );
  });
}

describe.each([DEVICE_VOCABULARY, ASSET_VOCABULARY])(
  'RuleIndex on random $schema rules',
  (vocabulary) => {
    it('finds, among the candidates, exactly the rules that match', () => {
      let matched = 0;
      let pruned = 0;
      let prunedByConjunction = 0;
      let containsPassed = 0;
      fc.assert(
        fc.property(
          fc.array(ruleText(vocabulary), { minLength: 200, maxLength: 300 }),
          fc.array(device(vocabulary), { minLength: 200, maxLength: 300 }),
          (texts, devices) => {
            const asts = texts.map((text) => ast(text, vocabulary.schema));
            const rules = asts.map((rule) => compileRule(rule));
            const guards = asts.map((rule) => ruleGuard(rule));
            const index = new RuleIndex(asts);
            for (const properties of devices) {
              const candidates = index.candidates(properties);
              const found = candidates.filter((i) => rules[i]?.(properties));
              const naive = rules.flatMap((matches, i) => (matches(properties) ? [i] : []));
              if (found.length !== naive.length) {
                const missed = naive.filter((i) => !found.includes(i));
                expect.fail(
                  `${missed.map((i) => texts[i]).join(' | ')} match ${JSON.stringify(properties)} but are not offered`,
                );
              }
              expect(found).toEqual(naive);
              matched += naive.length;
              pruned += rules.length - candidates.length;

              // The candidates are exactly the rules whose guards the device all passes.
              const passed = guards.map((list) => list.filter((g) => passesGuard(g, properties)));
              const expected = guards.flatMap((list, i) =>
                (passed[i]?.length ?? 0) === list.length ? [i] : [],
              );
              expect(candidates).toEqual(expected);
              for (const list of passed) {
                containsPassed += list.filter((g) => g.kind === 'contains').length;
              }
              prunedByConjunction += guards.filter(
                (list, i) =>
                  list.length > 1 && (passed[i]?.length ?? 0) > 0 && !expected.includes(i),
              ).length;
            }
          },
        ),
        // A failure names the rules and the device; shrinking arrays this long would take minutes.
        { numRuns: 5, endOnFailure: true },
      );
      // The property is not vacuous: rules matched, and guards kept rules from being offered,
      // also rules that passed some of their guards but not all, and -contains was guarded.
      expect(matched).toBeGreaterThan(1000);
      expect(pruned).toBeGreaterThan(1000);
      expect(prunedByConjunction).toBeGreaterThan(1000);
      expect(containsPassed).toBeGreaterThan(300);
    });
  },
);
