import { describe, expect, it } from 'vitest';
import { validateDocument, validateDocumentSet } from './index.js';
import type { PalisadeDocument } from './types.js';

const problemsOf = (value: unknown) => {
  const result = validateDocument(value);
  return result.ok ? [] : result.problems.map((p) => [p.path, p.message]);
};

const linuxExclusions = {
  kind: 'Policy',
  name: 'linux-exclusions',
  description: 'optional text',
  platform: 'linux',
  profile: 'antivirus-exclusions',
  settings: { 'exclusions.paths': ['/var/lib/postgresql/', '/srv/cache/'] },
  assignments: {
    include: ['linux-servers'],
    exclude: [],
    filter: { mode: 'include', rule: '(device.deviceName -startsWith "db")' },
  },
};

describe('validateDocument', () => {
  it('accepts the documented example documents, normalised', () => {
    expect(
      validateDocument({
        kind: 'Group',
        name: 'linux-servers',
        rule: '(device.deviceOSType -eq "Linux")',
      }),
    ).toEqual({
      ok: true,
      document: { kind: 'Group', name: 'linux-servers', rule: '(device.deviceOSType -eq "Linux")' },
    });
    expect(
      validateDocument({ kind: 'Group', name: 'pilot', members: ['web-01', 'db-02'] }).ok,
    ).toBe(true);
    expect(validateDocument(linuxExclusions)).toEqual({ ok: true, document: linuxExclusions });
    expect(
      validateDocument({
        kind: 'AssetRule',
        name: 'tag-web',
        rule: '(device.deviceName -startsWith "web")',
        tag: 'internet-facing',
      }).ok,
    ).toBe(true);
    expect(
      validateDocument({
        kind: 'TenantSettings',
        enforcementScope: {
          linux: 'all',
          macos: { tagged: 'MDE-Management' },
          'windows-client': 'off',
          'windows-server': 'all',
        },
        configMgrAuthority: false,
        cloudConnector: false,
        domainControllers: false,
        checkInIntervalMinutes: 90,
      }),
    ).toEqual({
      ok: true,
      document: {
        kind: 'TenantSettings',
        enforcementScope: {
          linux: { mode: 'all' },
          macos: { mode: 'tagged', tag: 'MDE-Management' },
          'windows-client': { mode: 'off' },
          'windows-server': { mode: 'all' },
        },
        configMgrAuthority: false,
        cloudConnector: false,
        domainControllers: false,
        checkInIntervalMinutes: 90,
      },
    });
  });

  it('fills in optional assignments', () => {
    const { assignments: _, ...bare } = linuxExclusions;
    const result = validateDocument(bare);
    expect(result.ok && result.document.kind === 'Policy' && result.document.assignments).toEqual({
      include: [],
      exclude: [],
      filter: null,
    });
  });

  it('reports every policy problem with its path, settings included', () => {
    expect(
      problemsOf({
        kind: 'Policy',
        name: 'win av',
        platform: 'windows',
        profile: 'antivirus',
        settings: {
          'antivirus.cloudBlockLevel': 7,
          'antivirus.scanArchives': 'yes',
          'exclusions.paths': ['C:\\Data\\'],
        },
        assignments: {
          include: ['all-windows', 'all-windows'],
          exclude: ['all-windows'],
          filters: {},
        },
        owner: 'me',
      }),
    ).toEqual([
      [
        ['owner'],
        'is not a field of a Policy; Policy takes name, description, platform, profile, settings, assignments',
      ],
      [
        ['settings', 'antivirus.cloudBlockLevel'],
        'antivirus.cloudBlockLevel: 7 is not one of default, moderate, high, high-plus, zero-tolerance',
      ],
      [
        ['settings', 'antivirus.scanArchives'],
        'antivirus.scanArchives: must be true or false, not "yes"',
      ],
      [
        ['settings', 'exclusions.paths'],
        'exclusions.paths: belongs to the antivirus-exclusions profile, not antivirus; move it to a policy of that profile',
      ],
      [['assignments', 'filters'], 'is not a field of an assignments; did you mean filter?'],
      [['assignments', 'include', 1], '"all-windows" is listed twice'],
      [
        ['assignments', 'exclude', 0],
        'all-windows is both included and excluded; exclusion wins, so the include has no effect',
      ],
    ]);
  });

  it('carries the path inside a setting value', () => {
    const result = validateDocument({
      ...linuxExclusions,
      settings: { 'exclusions.paths': ['/ok/', 'relative/path'] },
    });
    expect(result.ok ? [] : result.problems).toEqual([
      {
        path: ['settings', 'exclusions.paths', 1],
        message:
          'exclusions.paths[1]: "relative/path" is not an absolute path such as /var/lib/postgresql/ (a trailing / marks a folder) (Linux)',
      },
    ]);
  });

  it('refuses a security-experience policy at its profile', () => {
    const problems = problemsOf({
      kind: 'Policy',
      name: 'wse',
      platform: 'windows',
      profile: 'security-experience',
      settings: {},
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.[0]).toEqual(['profile']);
    expect(problems[0]?.[1]).toMatch(/not delivered through security settings management/);
  });

  it('suggests the kind, platform and profile meant', () => {
    expect(problemsOf({ kind: 'policy', name: 'x' })).toEqual([
      [
        ['kind'],
        '"policy" is not one of Group, Policy, AssetRule, TenantSettings; did you mean Policy?',
      ],
    ]);
    expect(
      problemsOf({
        kind: 'Policy',
        name: 'x',
        platform: 'Linux',
        profile: 'exclusions',
        settings: {},
      }),
    ).toEqual([
      [['platform'], '"Linux" is not one of windows, macos, linux; did you mean linux?'],
      [
        ['profile'],
        '"exclusions" is not one of antivirus, antivirus-exclusions, edr, attack-surface-reduction, firewall-rules, security-experience; did you mean antivirus-exclusions?',
      ],
    ]);
    expect(problemsOf('kind: Policy')).toEqual([
      [[], 'a document must be a mapping with a kind, not "kind: Policy"'],
    ]);
  });

  it('checks rules with the rule parser, keeping the position inside the rule', () => {
    const result = validateDocument({
      kind: 'Group',
      name: 'bad',
      rule: '(device.deviceOSType -eq "Linux") and\n(device.nosuch -eq "x")',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toEqual(['rule']);
    expect(result.problems[0]?.message).toMatch(/^Attribute not supported\./);
    expect(result.problems[0]?.rulePosition).toEqual({ line: 2, column: 2 });
    expect(
      problemsOf({
        kind: 'AssetRule',
        name: 'a',
        rule: '(device.tags -contains "x")',
        tag: 't',
      })[0]?.[0],
    ).toEqual(['rule']);
    expect(
      problemsOf({
        ...linuxExclusions,
        assignments: { include: [], filter: { mode: 'only', rule: '(device.nosuch -eq 1)' } },
      }).map(([path]) => path),
    ).toEqual([
      ['assignments', 'filter', 'mode'],
      ['assignments', 'filter', 'rule'],
    ]);
  });

  it('wants a group with a rule or members, not both or neither', () => {
    expect(problemsOf({ kind: 'Group', name: 'g' })).toEqual([
      [[], 'a group needs a rule (dynamic group) or members (assigned group)'],
    ]);
    expect(
      problemsOf({
        kind: 'Group',
        name: 'g',
        rule: '(device.deviceOSType -eq "Linux")',
        members: ['a'],
      }),
    ).toEqual([[[], 'a group has either a rule (dynamic) or members (assigned), not both']]);
    expect(problemsOf({ kind: 'Group', name: ' padded', members: ['a', ''] })).toEqual([
      [
        ['name'],
        '" padded" is not a name of 1 to 200 characters, without control characters or spaces at either end',
      ],
      [['members', 1], 'must be non-empty text, not ""'],
    ]);
  });

  it('accepts every name the REST API accepts, so objects made in the portal export and plan back', () => {
    for (const name of ['Web tier: PUA in audit', 'AV (prod) / Équipe 2', '-x', 'n'.repeat(200)]) {
      expect(problemsOf({ kind: 'Group', name, members: ['a'] }), name).toEqual([]);
      expect(
        problemsOf({
          kind: 'Policy',
          name: 'p',
          platform: 'linux',
          profile: 'antivirus',
          settings: {},
          assignments: { include: [name] },
        }),
        name,
      ).toEqual([]);
    }
    for (const name of ['n'.repeat(201), 'line\nbreak', 'trailing ']) {
      expect(problemsOf({ kind: 'Group', name, members: ['a'] })[0]?.[0], name).toEqual(['name']);
    }
  });

  it('checks tenant settings field by field', () => {
    expect(
      problemsOf({
        kind: 'TenantSettings',
        enforcementScope: { windows: 'all', linux: 'some', macos: { tagged: '' } },
        configMgrAuthority: 'no',
        checkInIntervalMinutes: 2,
      }),
    ).toEqual([
      [['configMgrAuthority'], 'must be true or false, not "no"'],
      [
        ['enforcementScope', 'windows'],
        'is not a platform; scope Windows as windows-client and windows-server',
      ],
      [
        ['enforcementScope', 'linux'],
        '"some" is not an enforcement scope: write off, all, or { tagged: <tag> }',
      ],
      [
        ['enforcementScope', 'macos'],
        'a mapping is not an enforcement scope: write off, all, or { tagged: <tag> }',
      ],
      [['checkInIntervalMinutes'], 'must be a whole number of minutes from 5 to 1440, not 2'],
    ]);
  });
});

describe('validateDocumentSet', () => {
  it('finds duplicate names per kind and a second TenantSettings', () => {
    const documents: PalisadeDocument[] = [
      { kind: 'Group', name: 'a', members: ['x'] },
      { kind: 'AssetRule', name: 'a', rule: '(device.deviceName -eq "x")', tag: 't' },
      { kind: 'Group', name: 'a', rule: '(device.deviceOSType -eq "Linux")' },
      { kind: 'TenantSettings' },
      { kind: 'TenantSettings', cloudConnector: true },
    ];
    expect(validateDocumentSet(documents)).toEqual([
      {
        index: 2,
        firstIndex: 0,
        path: ['name'],
        message: 'Group a is defined more than once; names must be unique',
      },
      {
        index: 4,
        firstIndex: 3,
        path: ['kind'],
        message: 'TenantSettings is given more than once; keep one',
      },
    ]);
  });
});
