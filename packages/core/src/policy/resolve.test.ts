import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MergeKind } from '../catalog/index.js';
import { canonicalJson } from '../hash/canonical-json.js';
import type {
  EffectiveConfiguration,
  JsonValue,
  PolicyAssignments,
  PolicyPlatform,
  PolicyVersion,
  Profile,
} from '../model.js';
import { diffEffectiveConfigurations } from './diff.js';
import { baseSettingId } from './merge.js';
import { policyReachesDevice, type ResolutionDevice } from './reach.js';
import { effectiveConfigurationHash, resolveEffectiveConfiguration } from './resolve.js';

const BLOCK_OFFICE_CHILD = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
const BLOCK_LSASS = '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2';

interface PolicySpec {
  readonly id: string;
  readonly version?: number;
  readonly platform?: PolicyPlatform;
  readonly profile?: Profile;
  readonly settings: Readonly<Record<string, JsonValue>>;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly filter?: PolicyAssignments['filter'];
}

const policy = (spec: PolicySpec): PolicyVersion => ({
  id: spec.id,
  name: `Policy ${spec.id}`,
  version: spec.version ?? 1,
  platform: spec.platform ?? 'linux',
  profile: spec.profile ?? 'antivirus',
  settings: spec.settings,
  assignments: {
    include: spec.include ?? ['g-all'],
    exclude: spec.exclude ?? [],
    filter: spec.filter ?? null,
  },
});

const linux: ResolutionDevice = { platform: 'linux', groupIds: ['g-all', 'g-web'] };
const resolve = (policies: readonly PolicyVersion[], device: ResolutionDevice = linux) =>
  resolveEffectiveConfiguration({ device, policies });
const ids = (configuration: EffectiveConfiguration) => configuration.settings.map((s) => s.id);

describe('policyReachesDevice', () => {
  it('lets exclude beat include', () => {
    const p = policy({ id: 'p', settings: {}, include: ['g-all'], exclude: ['g-web'] });
    expect(policyReachesDevice(p, linux)).toBe(false);
    expect(policyReachesDevice(p, { platform: 'linux', groupIds: ['g-all'] })).toBe(true);
  });

  it('needs at least one included group', () => {
    const p = policy({ id: 'p', settings: {}, include: ['g-db'] });
    expect(policyReachesDevice(p, linux)).toBe(false);
    expect(policyReachesDevice(policy({ id: 'p', settings: {}, include: [] }), linux)).toBe(false);
  });

  it("reaches only devices of the policy's platform; a Windows policy reaches clients and servers", () => {
    const windows = policy({ id: 'p', settings: {}, platform: 'windows' });
    expect(policyReachesDevice(windows, linux)).toBe(false);
    expect(policyReachesDevice(windows, { platform: 'windows-client', groupIds: ['g-all'] })).toBe(
      true,
    );
    expect(policyReachesDevice(windows, { platform: 'windows-server', groupIds: ['g-all'] })).toBe(
      true,
    );
  });

  it('skips withheld profiles and never delivers the security experience', () => {
    const firewall = policy({
      id: 'p',
      settings: {},
      platform: 'windows',
      profile: 'firewall-rules',
    });
    const dc: ResolutionDevice = {
      platform: 'windows-server',
      groupIds: ['g-all'],
      withheldProfiles: ['firewall-rules'],
    };
    expect(policyReachesDevice(firewall, dc)).toBe(false);
    const experience = policy({
      id: 'p',
      settings: {},
      platform: 'windows',
      profile: 'security-experience',
    });
    expect(
      policyReachesDevice(experience, { platform: 'windows-client', groupIds: ['g-all'] }),
    ).toBe(false);
  });

  it('applies an include filter when it matches and an exclude filter when it does not', () => {
    const include = policy({ id: 'p', settings: {}, filter: { mode: 'include', rule: 'r' } });
    const exclude = policy({ id: 'p', settings: {}, filter: { mode: 'exclude', rule: 'r' } });
    const yes = () => true;
    const no = () => false;
    expect(policyReachesDevice(include, linux, yes)).toBe(true);
    expect(policyReachesDevice(include, linux, no)).toBe(false);
    expect(policyReachesDevice(exclude, linux, yes)).toBe(false);
    expect(policyReachesDevice(exclude, linux, no)).toBe(true);
  });

  it('passes the filter to the matcher and ignores filters without one', () => {
    const filter = { mode: 'include', rule: '(device.osVersion -startsWith "12")' } as const;
    const p = policy({ id: 'p', settings: {}, filter });
    const seen: unknown[] = [];
    policyReachesDevice(p, linux, (f) => {
      seen.push(f);
      return true;
    });
    expect(seen).toEqual([filter]);
    expect(policyReachesDevice(p, linux)).toBe(true);
  });

  it('does not consult the filter when groups already exclude the device', () => {
    const p = policy({
      id: 'p',
      settings: {},
      exclude: ['g-web'],
      filter: { mode: 'include', rule: 'r' },
    });
    expect(policyReachesDevice(p, linux, () => true)).toBe(false);
  });
});

describe('resolveEffectiveConfiguration', () => {
  it('lists every setting with its value and the policies and versions it came from', () => {
    const configuration = resolve([
      policy({ id: 'b', version: 3, settings: { 'antivirus.realTimeProtection': true } }),
      policy({ id: 'a', version: 7, settings: { 'antivirus.realTimeProtection': true } }),
    ]);
    expect(configuration.settings).toEqual([
      {
        id: 'antivirus.realTimeProtection',
        value: true,
        sources: [
          { policyId: 'a', policyName: 'Policy a', version: 7 },
          { policyId: 'b', policyName: 'Policy b', version: 3 },
        ],
      },
    ]);
    expect(configuration.conflicts).toEqual([]);
    expect(configuration.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not apply a setting two policies set differently, and lists the conflict', () => {
    const configuration = resolve([
      policy({
        id: 'strict',
        settings: { 'antivirus.puaProtection': 'block', 'antivirus.scanArchives': true },
      }),
      policy({ id: 'lenient', settings: { 'antivirus.puaProtection': 'audit' } }),
    ]);
    expect(ids(configuration)).toEqual(['antivirus.scanArchives']);
    expect(configuration.conflicts).toEqual([
      {
        id: 'antivirus.puaProtection',
        candidates: [
          { policyId: 'lenient', policyName: 'Policy lenient', version: 1, value: 'audit' },
          { policyId: 'strict', policyName: 'Policy strict', version: 1, value: 'block' },
        ],
      },
    ]);
  });

  it('merges exclusion lists as a sorted union with the policies behind each item', () => {
    const configuration = resolve([
      policy({
        id: 'web',
        profile: 'antivirus-exclusions',
        settings: { 'exclusions.paths': ['/srv/www/', '/var/log/'] },
      }),
      policy({
        id: 'base',
        profile: 'antivirus-exclusions',
        settings: { 'exclusions.paths': ['/var/log/', '/opt/app/'] },
      }),
    ]);
    const setting = configuration.settings[0];
    expect(setting?.value).toEqual(['/opt/app/', '/srv/www/', '/var/log/']);
    expect(setting?.sources.map((s) => s.policyId)).toEqual(['base', 'web']);
    expect(
      setting?.items?.map((item) => [item.value, item.sources.map((s) => s.policyId)]),
    ).toEqual([
      ['/opt/app/', ['base']],
      ['/srv/www/', ['web']],
      ['/var/log/', ['base', 'web']],
    ]);
    expect(configuration.conflicts).toEqual([]);
  });

  it('merges ASR rules per rule; a rule set to two modes is a conflict on that rule only', () => {
    const windows: ResolutionDevice = { platform: 'windows-client', groupIds: ['g-all'] };
    const asr = (id: string, rules: Record<string, string>) =>
      policy({
        id,
        platform: 'windows',
        profile: 'attack-surface-reduction',
        settings: { 'asr.rules': rules },
      });
    const configuration = resolve(
      [
        asr('audit', { [BLOCK_OFFICE_CHILD]: 'audit', [BLOCK_LSASS]: 'block' }),
        asr('block', { [BLOCK_OFFICE_CHILD]: 'block', [BLOCK_LSASS]: 'block' }),
      ],
      windows,
    );
    expect(configuration.settings).toHaveLength(1);
    expect(configuration.settings[0]?.value).toEqual({ [BLOCK_LSASS]: 'block' });
    expect(configuration.settings[0]?.items).toEqual([
      {
        value: { key: BLOCK_LSASS, value: 'block' },
        sources: [
          { policyId: 'audit', policyName: 'Policy audit', version: 1 },
          { policyId: 'block', policyName: 'Policy block', version: 1 },
        ],
      },
    ]);
    expect(configuration.conflicts.map((c) => [c.id, c.candidates.map((x) => x.value)])).toEqual([
      [`asr.rules[${BLOCK_OFFICE_CHILD}]`, ['audit', 'block']],
    ]);
  });

  it('keeps a "__proto__" key of a map as an ordinary key', () => {
    const windows: ResolutionDevice = { platform: 'windows-client', groupIds: ['g-all'] };
    const rules = JSON.parse('{"__proto__":"block"}') as JsonValue;
    const configuration = resolveEffectiveConfiguration({
      device: windows,
      policies: [
        policy({
          id: 'a',
          platform: 'windows',
          profile: 'attack-surface-reduction',
          settings: { 'asr.rules': rules },
        }),
      ],
      mergeKindOf: () => 'per-key',
    });
    expect(canonicalJson(configuration.settings[0]?.value ?? null)).toBe('{"__proto__":"block"}');
  });

  it('leaves asr.rules out entirely when every rule conflicts', () => {
    const windows: ResolutionDevice = { platform: 'windows-client', groupIds: ['g-all'] };
    const asr = (id: string, mode: string) =>
      policy({
        id,
        platform: 'windows',
        profile: 'attack-surface-reduction',
        settings: { 'asr.rules': { [BLOCK_LSASS]: mode } },
      });
    const configuration = resolve([asr('x', 'audit'), asr('y', 'block')], windows);
    expect(configuration.settings).toEqual([]);
    expect(configuration.conflicts.map((c) => c.id)).toEqual([`asr.rules[${BLOCK_LSASS}]`]);
  });

  it('merges firewall rules by name; one name with two contents is a conflict on that rule', () => {
    const ssh = {
      name: 'Allow SSH',
      direction: 'in',
      action: 'allow',
      protocol: 'tcp',
      localPorts: ['22'],
    };
    const web = {
      name: 'Allow HTTPS',
      direction: 'in',
      action: 'allow',
      protocol: 'tcp',
      localPorts: ['443'],
    };
    const dns = {
      name: 'DNS',
      direction: 'out',
      action: 'allow',
      protocol: 'udp',
      remotePorts: ['53'],
    };
    const configuration = resolve([
      policy({
        id: 'a',
        profile: 'firewall-rules',
        settings: { 'firewall.rules': [ssh, web, dns] },
      }),
      policy({
        id: 'b',
        profile: 'firewall-rules',
        settings: { 'firewall.rules': [ssh, { ...dns, action: 'block' }] },
      }),
    ]);
    const rules = configuration.settings[0];
    expect(rules?.id).toBe('firewall.rules');
    expect(((rules?.value ?? []) as { name: string }[]).map((r) => r.name)).toEqual([
      'Allow HTTPS',
      'Allow SSH',
    ]);
    expect(rules?.items?.map((item) => item.sources.map((s) => s.policyId))).toEqual([
      ['a'],
      ['a', 'b'],
    ]);
    expect(configuration.conflicts.map((c) => c.id)).toEqual(['firewall.rules[DNS]']);
    expect(configuration.conflicts[0]?.candidates.map((c) => c.policyId)).toEqual(['a', 'b']);
  });

  it('takes merge kinds from the catalog when none are given', () => {
    // exclusions.paths is a string list (union), asr.rules a map (per-key): both from the catalog.
    const configuration = resolveEffectiveConfiguration({
      device: { platform: 'windows-client', groupIds: ['g-all'] },
      policies: [
        policy({
          id: 'a',
          platform: 'windows',
          profile: 'antivirus-exclusions',
          settings: { 'exclusions.paths': ['C:\\a'] },
        }),
        policy({
          id: 'b',
          platform: 'windows',
          profile: 'antivirus-exclusions',
          settings: { 'exclusions.paths': ['C:\\b'] },
        }),
      ],
    });
    expect(configuration.settings[0]?.value).toEqual(['C:\\a', 'C:\\b']);
  });

  it('treats a null value as not configured', () => {
    const configuration = resolve([
      policy({ id: 'a', settings: { 'antivirus.scanArchives': null } }),
      policy({ id: 'b', settings: { 'antivirus.scanArchives': false } }),
    ]);
    expect(configuration.settings).toEqual([
      {
        id: 'antivirus.scanArchives',
        value: false,
        sources: [{ policyId: 'b', policyName: 'Policy b', version: 1 }],
      },
    ]);
  });

  it('ignores policies that do not reach the device', () => {
    const configuration = resolve([
      policy({ id: 'excluded', settings: { 'antivirus.scanArchives': false }, exclude: ['g-web'] }),
      policy({ id: 'mac', platform: 'macos', settings: { 'antivirus.scanArchives': false } }),
      policy({ id: 'kept', settings: { 'antivirus.scanArchives': true } }),
    ]);
    expect(configuration.settings.map((s) => [s.id, s.value])).toEqual([
      ['antivirus.scanArchives', true],
    ]);
    expect(configuration.conflicts).toEqual([]);
  });

  it('hashes what it returns', () => {
    const configuration = resolve([
      policy({ id: 'a', settings: { 'antivirus.scanArchives': true } }),
    ]);
    expect(configuration.hash).toBe(
      effectiveConfigurationHash(configuration.settings, configuration.conflicts),
    );
    expect(resolve([]).hash).toBe(effectiveConfigurationHash([], []));
    expect(configuration.hash).not.toBe(resolve([]).hash);
  });

  it('refuses two versions of one policy', () => {
    const p = policy({ id: 'a', settings: {} });
    expect(() => resolve([p, { ...p, version: 2 }])).toThrow(
      /policy a appears twice \(versions 1 and 2\)/,
    );
  });
});

describe('diffEffectiveConfigurations', () => {
  it('lists settings added, removed and changed, and conflicts appearing and going away', () => {
    const before = resolve([
      policy({
        id: 'a',
        settings: {
          'antivirus.scanArchives': true,
          'antivirus.puaProtection': 'audit',
          'x.kept': 1,
        },
      }),
      policy({ id: 'b', settings: { 'antivirus.cloudBlockLevel': 'high' } }),
      policy({ id: 'c', settings: { 'antivirus.cloudBlockLevel': 'default' } }),
    ]);
    const after = resolve([
      policy({
        id: 'a',
        version: 2,
        settings: {
          'antivirus.puaProtection': 'block',
          'antivirus.behaviorMonitoring': true,
          'x.kept': 1,
        },
      }),
      policy({ id: 'b', settings: { 'antivirus.cloudBlockLevel': 'high' } }),
      policy({
        id: 'd',
        settings: { 'antivirus.behaviorMonitoring': false, 'antivirus.scanType': 'quick' },
      }),
      policy({ id: 'e', settings: { 'antivirus.scanType': 'full' } }),
    ]);
    expect(
      diffEffectiveConfigurations(before, after).map((c) => [c.id, c.kind, c.before, c.after]),
    ).toEqual([
      [
        'antivirus.behaviorMonitoring',
        'conflict-added',
        undefined,
        [
          { policyId: 'a', policyName: 'Policy a', version: 2, value: true },
          { policyId: 'd', policyName: 'Policy d', version: 1, value: false },
        ],
      ],
      [
        'antivirus.cloudBlockLevel',
        'conflict-removed',
        [
          { policyId: 'b', policyName: 'Policy b', version: 1, value: 'high' },
          { policyId: 'c', policyName: 'Policy c', version: 1, value: 'default' },
        ],
        undefined,
      ],
      ['antivirus.cloudBlockLevel', 'added', undefined, 'high'],
      ['antivirus.puaProtection', 'changed', 'audit', 'block'],
      ['antivirus.scanArchives', 'removed', true, undefined],
      [
        'antivirus.scanType',
        'conflict-added',
        undefined,
        [
          { policyId: 'd', policyName: 'Policy d', version: 1, value: 'quick' },
          { policyId: 'e', policyName: 'Policy e', version: 1, value: 'full' },
        ],
      ],
    ]);
  });

  it('finds nothing between equal configurations, and ignores a change of provenance alone', () => {
    const one = resolve([policy({ id: 'a', settings: { 'antivirus.scanArchives': true } })]);
    const other = resolve([policy({ id: 'b', settings: { 'antivirus.scanArchives': true } })]);
    expect(diffEffectiveConfigurations(one, one)).toEqual([]);
    expect(diffEffectiveConfigurations(one, other)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties. Merge kinds are given explicitly so the properties do not depend on catalog data.

const KINDS: Readonly<Record<string, MergeKind>> = {
  's.one': 'single',
  's.two': 'single',
  'u.list': 'union',
  'k.map': 'per-key',
  'f.rules': 'keyed-union',
};
const mergeKindOf = (id: string): MergeKind => KINDS[id] ?? 'single';
const itemKeyOf = (id: string) => (id === 'f.rules' ? 'name' : undefined);
const GROUPS = ['g1', 'g2', 'g3', 'g4'];

const settingsArb: fc.Arbitrary<Record<string, JsonValue>> = fc.record(
  {
    's.one': fc.constantFrom<JsonValue>(true, false, null),
    's.two': fc.constantFrom<JsonValue>('low', 'high', 3),
    'u.list': fc.uniqueArray(fc.constantFrom('/a', '/b', '/c', 'C:\\d', 'é'), { maxLength: 4 }),
    'k.map': fc.dictionary(fc.constantFrom('r1', 'r2', 'r3'), fc.constantFrom('audit', 'block'), {
      maxKeys: 3,
    }),
    'f.rules': fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('ssh', 'web', 'dns'),
        action: fc.constantFrom('allow', 'block'),
      }),
      { selector: (rule) => rule.name, maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, JsonValue>>;

const policiesArb: fc.Arbitrary<PolicyVersion[]> = fc
  .uniqueArray(
    fc.record({
      id: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5', 'p6'),
      version: fc.integer({ min: 1, max: 5 }),
      platform: fc.constantFrom<PolicyPlatform>('linux', 'linux', 'linux', 'macos'),
      settings: settingsArb,
      include: fc.subarray(GROUPS, { minLength: 1 }),
      exclude: fc.subarray(GROUPS, { maxLength: 1 }),
    }),
    { selector: (p) => p.id, maxLength: 6 },
  )
  .map((specs) => specs.map((spec) => policy(spec)));

const deviceArb: fc.Arbitrary<ResolutionDevice> = fc
  .subarray(GROUPS)
  .map((groupIds) => ({ platform: 'linux', groupIds }));

const resolveWith = (policies: readonly PolicyVersion[], device: ResolutionDevice) =>
  resolveEffectiveConfiguration({ device, policies, mergeKindOf, itemKeyOf });

describe('resolution properties', () => {
  it('does not depend on the order of policies or groups (same bytes, same hash)', () => {
    fc.assert(
      fc.property(policiesArb, deviceArb, fc.func(fc.integer()), (policies, device, order) => {
        const reference = resolveWith(policies, device);
        const shuffle = <T>(list: readonly T[]) =>
          list
            .map((item, index) => ({ item, key: order(index) }))
            .sort((a, b) => a.key - b.key)
            .map(({ item }) => item);
        const shuffled = resolveWith(
          shuffle(policies).map((p) => ({
            ...p,
            assignments: { ...p.assignments, include: shuffle(p.assignments.include) },
          })),
          { ...device, groupIds: shuffle(device.groupIds) },
        );
        expect(JSON.stringify(shuffled)).toBe(JSON.stringify(reference));
        expect(shuffled.hash).toBe(reference.hash);
      }),
    );
  });

  it('is deterministic: the same input gives the same bytes', () => {
    fc.assert(
      fc.property(policiesArb, deviceArb, (policies, device) => {
        const copy = JSON.parse(JSON.stringify(policies)) as PolicyVersion[];
        expect(canonicalJson(resolveWith(copy, device) as unknown as JsonValue)).toBe(
          canonicalJson(resolveWith(policies, device) as unknown as JsonValue),
        );
      }),
    );
  });

  it('never adds a setting (or list item) when a policy gains an exclude group', () => {
    fc.assert(
      fc.property(
        policiesArb.filter((p) => p.length > 0),
        deviceArb,
        fc.nat(),
        fc.constantFrom(...GROUPS),
        (policies, device, pick, group) => {
          const index = pick % policies.length;
          const before = resolveWith(policies, device);
          const changed = policies.map((p, i) =>
            i === index
              ? {
                  ...p,
                  assignments: { ...p.assignments, exclude: [...p.assignments.exclude, group] },
                }
              : p,
          );
          const after = resolveWith(changed, device);
          // A conflict that goes away may let one side apply: what was touched before (applied or
          // in conflict) bounds what can apply after.
          const touched = new Set([
            ...ids(before),
            ...before.conflicts.map((c) => baseSettingId(c.id)),
          ]);
          for (const setting of after.settings) {
            expect(touched.has(setting.id)).toBe(true);
            const old = before.settings.find((s) => s.id === setting.id);
            if (KINDS[setting.id] === 'union' && old) {
              for (const item of setting.value as string[])
                expect(old.value as string[]).toContain(item);
            }
          }
          for (const conflict of after.conflicts) {
            expect(before.conflicts.map((c) => c.id)).toContain(conflict.id);
          }
        },
      ),
    );
  });

  it('never applies a setting it lists as a conflict, and sorts both lists by id', () => {
    fc.assert(
      fc.property(policiesArb, deviceArb, (policies, device) => {
        const configuration = resolveWith(policies, device);
        const settingIds = ids(configuration);
        const conflictIds = configuration.conflicts.map((c) => c.id);
        for (const id of conflictIds) expect(settingIds).not.toContain(id);
        expect(settingIds).toEqual([...settingIds].sort());
        expect(conflictIds).toEqual([...conflictIds].sort());
        for (const conflict of configuration.conflicts) {
          const values = new Set(conflict.candidates.map((c) => canonicalJson(c.value)));
          expect(values.size).toBeGreaterThan(1);
        }
      }),
    );
  });
});
