/**
 * The catalog against the vendor reference facts (copies in ./fixtures, checked equal to the
 * shared reference when it is present): every Defender Policy CSP setting with its allowed
 * values, ranges and defaults, all 19 ASR rules, the Linux and macOS managed keys.
 */
// biome-ignore lint/style/noRestrictedImports: the test (not core) reads its fixture files
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../model.js';
import {
  ASR_RULES,
  getSetting,
  listSettings,
  mergeKindOf,
  PROFILE_DEFINITIONS,
  SETTINGS,
  suggestSettingIds,
  validateSettings,
} from './index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const reference = (name: string) =>
  new URL(`../../../../../shared/reference/${name}`, import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(fixture(name), 'utf8')) as T;

interface CspPolicy {
  name: string;
  format: string;
  default?: number;
  range?: [number, number];
  allowedValues?: Record<string, string>;
}
interface AsrReferenceRule {
  guid: string;
  name: string;
  warnModeSupported: boolean;
}
interface SchemaNode {
  key: string;
  children?: SchemaNode[];
}

const csp = load<{ policies: CspPolicy[] }>('defender-csp.json');
const asr = load<{ rules: AsrReferenceRule[] }>('asr-rules.json');
const linux = load<{ schema: SchemaNode[] }>('mdatp-linux-managed.json');
const macos = load<{ schema: SchemaNode[] }>('mdatp-macos.json');

describe('fixtures', () => {
  for (const name of [
    'defender-csp.json',
    'asr-rules.json',
    'mdatp-linux-managed.json',
    'mdatp-macos.json',
    'firewall-csp.json',
  ]) {
    it.runIf(existsSync(reference(name)))(`${name} equals the shared reference copy`, () => {
      expect(readFileSync(fixture(name), 'utf8')).toBe(readFileSync(reference(name), 'utf8'));
    });
  }
});

describe('the ids other parts of Palisade rely on', () => {
  it.each([
    ['antivirus.realTimeProtection', 'boolean'],
    ['antivirus.behaviorMonitoring', 'boolean'],
    ['antivirus.cloudProtection', 'boolean'],
    ['antivirus.scanArchives', 'boolean'],
    ['antivirus.puaProtection', 'choice'],
    ['exclusions.paths', 'string-list'],
    ['exclusions.extensions', 'string-list'],
    ['exclusions.processes', 'string-list'],
    ['asr.rules', 'map'],
    ['firewall.rules', 'structured-list'],
  ])('%s is a %s', (id, kind) => {
    expect(getSetting(id)?.type.kind).toBe(kind);
  });

  it('antivirus.puaProtection offers off, audit and block', () => {
    const type = getSetting('antivirus.puaProtection')?.type;
    expect(type?.kind === 'choice' && type.options.map((o) => o.value)).toEqual([
      'off',
      'audit',
      'block',
    ]);
  });

  it('real-time protection maps to every Defender flavour and to clamd', () => {
    const setting = getSetting('antivirus.realTimeProtection');
    expect(setting?.platforms).toEqual(['windows', 'macos', 'linux']);
    expect(setting?.native['windows-defender']?.name).toBe('AllowRealtimeMonitoring');
    expect(setting?.native.mdatp?.name).toBe('antivirusEngine.enforcementLevel');
    expect(setting?.native['macos-defender']?.name).toBe('antivirusEngine.enforcementLevel');
  });

  it('maps the ClamAV directives', () => {
    expect(getSetting('exclusions.paths')?.native.clamav?.name).toBe('ExcludePath');
    expect(getSetting('antivirus.scanArchives')?.native.clamav?.name).toBe('ScanArchive');
    expect(getSetting('antivirus.puaProtection')?.native.clamav?.name).toBe('DetectPUA');
  });

  it('firewall rules have the fields of a rule, keyed by name, on Windows and Linux', () => {
    const setting = getSetting('firewall.rules');
    const type = setting?.type;
    if (type?.kind !== 'structured-list')
      throw new Error('firewall.rules is not a structured list');
    expect(type.itemKey).toBe('name');
    expect(type.fields.map((f) => f.key)).toEqual(
      expect.arrayContaining([
        'name',
        'direction',
        'action',
        'protocol',
        'localPorts',
        'remotePorts',
        'localAddresses',
        'remoteAddresses',
        'enabled',
        'profiles',
        'program',
      ]),
    );
    expect(setting?.platforms).toEqual(['windows', 'linux']);
    expect(setting?.native.nftables).toBeDefined();
  });
});

describe('every firewall rule field of the Firewall CSP (firewall-csp.json)', () => {
  const { firewallRuleFields } = load<{
    firewallRuleFields: { node: string; accessType: string; format: string }[];
  }>('firewall-csp.json');
  const setting = getSetting('firewall.rules');
  const fields = setting?.type.kind === 'structured-list' ? setting.type.fields : [];
  // The rule's node itself, its friendly name (the rule name carries both), the App folder and
  // the read-only Status are not fields an administrator writes.
  const writable = firewallRuleFields.filter(
    (field) => !['', 'Name', 'App', 'Status'].includes(field.node),
  );

  it.each(writable.map((field) => [field.node]))('%s is a field of firewall.rules', (node) => {
    const field = fields.find((f) => f.native?.['windows-defender']?.split(' ')[0] === node);
    expect(field, node).toBeDefined();
  });

  it('keeps the Windows-only fields off Linux, and ICMP types on both', () => {
    const platformsOf = (key: string) => fields.find((f) => f.key === key)?.platforms;
    for (const key of [
      'interfaceTypes',
      'edgeTraversal',
      'localUserAuthorizedList',
      'remoteAddressDynamicKeywords',
      'packageFamilyName',
      'fqbn',
      'policyAppId',
    ]) {
      expect(platformsOf(key), key).toEqual(['windows']);
    }
    expect(platformsOf('icmpTypes')).toEqual(['windows', 'linux']);
  });
});

describe('every Defender Policy CSP setting (defender-csp.json)', () => {
  const windowsMappings = SETTINGS.flatMap((setting) => {
    const native = setting.native['windows-defender'];
    return native ? [{ setting, native }] : [];
  });

  it('holds 42 policies', () => {
    expect(csp.policies).toHaveLength(42);
  });

  it.each(csp.policies.map((policy) => [policy.name, policy] as const))(
    '%s is in the catalog with its values, range and default',
    (name, policy) => {
      const found = windowsMappings.find(({ native }) => native.name === name);
      expect(found, `no setting maps to ${name}`).toBeDefined();
      if (!found) return;
      const { setting, native } = found;
      expect(setting.platforms).toContain('windows');
      if (policy.allowedValues) {
        const codes = Object.keys(policy.allowedValues).map(Number);
        const mapped = Object.values(native.values ?? {});
        // Every documented code is reachable from some catalog value.
        expect(new Set(mapped)).toEqual(
          new Set(name === 'CloudBlockLevel' ? [...codes, 1] : codes),
        );
        if (policy.default !== undefined && setting.default !== null) {
          expect(native.values?.[String(setting.default)]).toBe(policy.default);
        }
      } else if (policy.range) {
        expect(setting.type).toMatchObject({
          kind: 'integer',
          min: policy.range[0],
          max: policy.range[1],
        });
        expect(setting.default).toBe(policy.default);
      } else if (policy.format.startsWith('chr')) {
        expect(['string', 'string-list', 'map']).toContain(setting.type.kind);
      }
    },
  );

  it('cloud block level 1 (moderate) is the documented Group Policy extra', () => {
    expect(getSetting('antivirus.cloudBlockLevel')?.native['windows-defender']?.values).toEqual({
      default: 0,
      moderate: 1,
      high: 2,
      'high-plus': 4,
      'zero-tolerance': 6,
    });
  });
});

describe('attack surface reduction rules (asr-rules.json)', () => {
  it('has all 19 rules by GUID, in asr.rules and in ASR_RULES', () => {
    const type = getSetting('asr.rules')?.type;
    if (type?.kind !== 'map') throw new Error('asr.rules is not a map');
    const referenceGuids = asr.rules.map((rule) => rule.guid).sort();
    expect(referenceGuids).toHaveLength(19);
    expect(type.keys.map((k) => k.value).sort()).toEqual(referenceGuids);
    expect(ASR_RULES.map((rule) => rule.guid).sort()).toEqual(referenceGuids);
    expect(type.values.map((v) => v.value)).toEqual(['off', 'block', 'audit', 'warn']);
  });

  it('knows which rules lack warn mode, and the CSP state codes', () => {
    for (const rule of asr.rules) {
      expect(ASR_RULES.find((r) => r.guid === rule.guid)?.warnSupported).toBe(
        rule.warnModeSupported,
      );
    }
    expect(getSetting('asr.rules')?.native['windows-defender']?.values).toEqual({
      off: 0,
      block: 1,
      audit: 2,
      warn: 6,
    });
  });
});

/** Every dotted key path of a schema: antivirusEngine.exclusions, cloudService.enabled, ... */
function keyPaths(nodes: readonly SchemaNode[], prefix = ''): Set<string> {
  const paths = new Set<string>();
  for (const node of nodes) {
    const path = `${prefix}${node.key}`;
    paths.add(path);
    for (const child of keyPaths(node.children ?? [], `${path}.`)) paths.add(child);
  }
  return paths;
}

/** A native name without its item selectors: a.b[key=x].value → a.b.value. */
const bare = (name: string) => name.replace(/\[[^\]]*\]/g, '');

describe('Linux and macOS managed configuration keys', () => {
  it.each([
    ['mdatp', linux.schema],
    ['macos-defender', macos.schema],
  ] as const)('every %s mapping names a documented key', (target, schema) => {
    const documented = keyPaths(schema);
    const names = SETTINGS.flatMap((s) => (s.native[target] ? [bare(s.native[target].name)] : []));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(documented, name).toContain(name);
  });

  it.each([
    ['mdatp', linux.schema, []],
    // The legacy consent key: Defender reads automaticSampleSubmissionConsent first, which is mapped.
    ['macos-defender', macos.schema, ['cloudService.automaticSampleSubmission']],
  ] as const)('every documented %s key is managed by some setting', (target, schema, legacy) => {
    const names = SETTINGS.flatMap((s) => (s.native[target] ? [s.native[target].name] : []));
    // A key is managed when a native name is the key, lies under it, or selects items of a list
    // by that key (a.b[key=x].value manages a.b.key and a.b.value).
    const managed = (key: string) =>
      names.some((name) => {
        const plain = bare(name);
        if (plain === key || plain.startsWith(`${key}.`) || key.startsWith(`${plain}.`))
          return true;
        const selector = /^(.*)\[(\w+)=[^\]]*\]/.exec(name);
        return selector !== null && `${selector[1]}.${selector[2]}` === key;
      });
    const leaves = [...keyPaths(schema)].filter(
      (path) => ![...keyPaths(schema)].some((other) => other.startsWith(`${path}.`)),
    );
    expect(leaves.length).toBeGreaterThan(30);
    expect(leaves.filter((key) => !managed(key) && !legacy.includes(key as never))).toEqual([]);
  });

  it.each([
    'antivirusEngine.enforcementLevel',
    'antivirusEngine.behaviorMonitoring',
    'antivirusEngine.scanArchives',
    'antivirusEngine.exclusions',
    'antivirusEngine.exclusionsMergePolicy',
    'antivirusEngine.threatTypeSettings.value',
    'antivirusEngine.threatTypeSettingsMergePolicy',
    'cloudService.enabled',
    'cloudService.cloudBlockLevel',
    'cloudService.automaticSampleSubmissionConsent',
    'edr.tags.value',
    'exclusionSettings.exclusions',
    'features.enableAntivirusEngineCache',
  ])('Linux key %s is managed', (key) => {
    const names = SETTINGS.flatMap((s) => (s.native.mdatp ? [bare(s.native.mdatp.name)] : []));
    expect(names).toContain(key);
  });
});

describe('the catalog as a whole', () => {
  it('has unique ids in the <area>.<name> style', () => {
    const ids = SETTINGS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]*(\.[a-z][A-Za-z0-9]*)+$/);
  });

  it('places every setting in a profile that exists on its platforms', () => {
    for (const setting of SETTINGS) {
      const profile = PROFILE_DEFINITIONS.find((p) => p.id === setting.profile);
      for (const platform of setting.platforms) expect(profile?.platforms).toContain(platform);
    }
  });

  it('gives every platform of a setting a native mapping', () => {
    const targets = {
      windows: ['windows-defender'],
      macos: ['macos-defender'],
      linux: ['mdatp', 'clamav', 'nftables'],
    };
    for (const setting of SETTINGS) {
      for (const platform of setting.platforms) {
        const mapped = targets[platform].some(
          (t) => setting.native[t as keyof typeof setting.native],
        );
        expect(mapped, `${setting.id} on ${platform}`).toBe(true);
      }
    }
  });

  it('has defaults that its own validation accepts', () => {
    for (const setting of SETTINGS) {
      if (setting.refusal || setting.profile === 'security-experience') continue;
      for (const platform of setting.platforms) {
        const value = setting.platformDefaults?.[platform] ?? setting.default;
        if (value === null) continue;
        expect(validateSettings(platform, setting.profile, { [setting.id]: value })).toEqual([]);
      }
    }
  });

  it('defines every profile, and refuses only security-experience', () => {
    expect(PROFILE_DEFINITIONS.map((p) => p.id).sort()).toEqual([...PROFILES].sort());
    expect(PROFILE_DEFINITIONS.filter((p) => !p.deliverable).map((p) => p.id)).toEqual([
      'security-experience',
    ]);
    for (const profile of PROFILES) expect(listSettings({ profile }).length).toBeGreaterThan(0);
  });

  it('lists by platform and profile', () => {
    const linuxExclusions = listSettings({ platform: 'linux', profile: 'antivirus-exclusions' });
    expect(linuxExclusions.map((s) => s.id)).toEqual([
      'exclusions.extensions',
      'exclusions.mergePolicy',
      'exclusions.paths',
      'exclusions.processes',
    ]);
    expect(listSettings({ platform: 'linux' }).some((s) => s.id === 'asr.rules')).toBe(false);
    expect(listSettings()).toHaveLength(SETTINGS.length);
  });

  it('tells policy resolution how values merge', () => {
    expect(mergeKindOf('antivirus.realTimeProtection')).toBe('single');
    expect(mergeKindOf('exclusions.paths')).toBe('union');
    expect(mergeKindOf('asr.rules')).toBe('per-key');
    expect(mergeKindOf('firewall.rules')).toBe('keyed-union');
    expect(mergeKindOf('antivirus.signatureUpdateFallbackOrder')).toBe('single');
    expect(mergeKindOf('no.such.setting')).toBe('single');
  });

  it('suggests ids for typos', () => {
    expect(suggestSettingIds('antivirus.realtimeProtection')[0]).toBe(
      'antivirus.realTimeProtection',
    );
    expect(suggestSettingIds('exclusions.path')).toContain('exclusions.paths');
    expect(suggestSettingIds('antivirus.cloudBlocklevel')[0]).toBe('antivirus.cloudBlockLevel');
  });
});
