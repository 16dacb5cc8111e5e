import { describe, expect, it } from 'vitest';
import type { DeviceFacts, Platform, TenantSettings } from '../model.js';
import { PROFILES } from '../model.js';
import { decideEnrollment, defaultTenantSettings, type EnrollmentContext } from './decide.js';
import { describeEnrollmentStatus, ENROLLMENT_STATUSES } from './statuses.js';
import { compareVersions, MIN_AGENT_VERSIONS } from './versions.js';

const TENANT = 'tenant-a';

const BASE: Record<Platform, DeviceFacts> = {
  'windows-client': {
    hostname: 'ws-001',
    domain: 'corp.example',
    platform: 'windows-client',
    osVersion: '10.0.22631.4037',
    osName: 'Windows 11 Enterprise',
    architecture: 'x64',
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: 'FullLanguage',
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
  },
  'windows-server': {
    hostname: 'srv-001',
    domain: 'corp.example',
    platform: 'windows-server',
    osVersion: '10.0.20348.2655',
    osName: 'Windows Server 2022 Datacenter',
    architecture: 'x64',
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: 'FullLanguage',
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
  },
  macos: {
    hostname: 'mac-001',
    domain: null,
    platform: 'macos',
    osVersion: '14.5',
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: null,
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
  },
  linux: {
    hostname: 'web-001',
    domain: null,
    platform: 'linux',
    osVersion: '12',
    distro: 'debian',
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: null,
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
  },
};

const facts = (platform: Platform, change: Partial<DeviceFacts> = {}): DeviceFacts => ({
  ...BASE[platform],
  ...change,
});
const tenant = (change: Partial<TenantSettings> = {}): TenantSettings => ({
  ...defaultTenantSettings(TENANT),
  ...change,
});
const withScope = (platform: Platform, scope: TenantSettings['enforcementScope'][Platform]) =>
  tenant({
    enforcementScope: { ...defaultTenantSettings(TENANT).enforcementScope, [platform]: scope },
  });
const context = (tags: readonly string[] = []): EnrollmentContext => ({ tenantId: TENANT, tags });

interface Case {
  readonly title: string;
  readonly facts: DeviceFacts;
  readonly tenant?: TenantSettings;
  readonly tags?: readonly string[];
  readonly code: number;
  readonly name: string;
  /** The decision's fix when it names the specifics; otherwise it is the table's fix. */
  readonly fix?: RegExp;
}

/** One row (at least) per code decideEnrollment returns. */
const CASES: readonly Case[] = [
  { title: 'a supported Windows client', facts: facts('windows-client'), code: 1, name: 'managed' },
  { title: 'a Windows Server 2022', facts: facts('windows-server'), code: 1, name: 'managed' },
  { title: 'a macOS 14 Mac', facts: facts('macos'), code: 1, name: 'managed' },
  { title: 'a Debian 12 server', facts: facts('linux'), code: 1, name: 'managed' },
  {
    title: 'an unlisted Linux distribution',
    facts: facts('linux', { distro: 'arch', osVersion: 'rolling' }),
    code: 1,
    name: 'managed',
  },
  {
    title: 'a Server Core 2019',
    facts: facts('windows-server', { isServerCore: true, osVersion: '10.0.17763.6189' }),
    code: 1,
    name: 'managed',
  },
  {
    title: 'a device joined to this tenant',
    facts: facts('windows-client', { directoryJoin: { tenantId: TENANT, deviceId: 'aad-1' } }),
    code: 1,
    name: 'managed',
  },
  {
    title: 'a ConfigMgr client while ConfigMgr is not the authority',
    facts: facts('windows-client', { configMgrManaged: true }),
    code: 1,
    name: 'managed',
  },
  {
    title: 'a cloud-connector device while those are managed',
    facts: facts('linux', { cloudConnector: true }),
    code: 1,
    name: 'managed',
  },
  {
    title: 'a tagged device under tagged scope (tag case and spaces ignored)',
    facts: facts('linux'),
    tenant: withScope('linux', { mode: 'tagged', tag: 'MDE-Management' }),
    tags: [' mde-management'],
    code: 1,
    name: 'managed',
  },
  {
    title: 'a ConfigMgr client while ConfigMgr is the authority',
    facts: facts('windows-server', { configMgrManaged: true }),
    tenant: tenant({ configMgrAuthority: true }),
    code: 4,
    name: 'managed-by-configuration-manager',
  },
  {
    title: 'a device joined to another tenant',
    facts: facts('windows-client', { directoryJoin: { tenantId: 'tenant-b', deviceId: 'aad-9' } }),
    code: 15,
    name: 'tenant-mismatch',
    fix: /tenant tenant-b\. Leave/,
  },
  {
    title: 'any device while the master switch is off',
    facts: facts('linux'),
    tenant: tenant({ securitySettingsManagement: false }),
    code: 45,
    name: 'security-settings-management-off',
  },
  {
    title: 'a Mac while the macOS scope is off',
    facts: facts('macos'),
    tenant: withScope('macos', { mode: 'off' }),
    code: 46,
    name: 'platform-scope-off',
    fix: /^Set the macos enforcement scope/,
  },
  {
    title: 'an untagged server under tagged scope',
    facts: facts('windows-server', { tags: ['other'] }),
    tenant: withScope('windows-server', { mode: 'tagged', tag: 'MDE-Management' }),
    tags: ['other'],
    code: 47,
    name: 'out-of-scope-not-tagged',
    fix: /^Add the tag "MDE-Management" to the device .* set the windows-server scope/,
  },
  {
    title: 'Windows 10 older than 21H2',
    facts: facts('windows-client', { osVersion: '10.0.19042.1706' }),
    code: 48,
    name: 'unsupported-os',
    fix: /^Update to Windows 10 21H2 \(10\.0\.19044\) or later \(the device reports 10\.0\.19042\.1706\)/,
  },
  {
    title: '32-bit Windows',
    facts: facts('windows-client', { architecture: 'x86' }),
    code: 48,
    name: 'unsupported-os',
    fix: /64-bit Windows/,
  },
  {
    title: 'Windows Home',
    facts: facts('windows-client', { osName: 'Windows 11 Home' }),
    code: 48,
    name: 'unsupported-os',
    fix: /^Upgrade Windows 11 Home to Pro or Enterprise/,
  },
  {
    title: 'Windows Server 2012 (not R2)',
    facts: facts('windows-server', { osVersion: '6.2.9200' }),
    code: 48,
    name: 'unsupported-os',
    fix: /Windows Server 2012 R2 \(6\.3\.9600\)/,
  },
  {
    title: 'macOS 10.15',
    facts: facts('macos', { osVersion: '10.15.7' }),
    code: 48,
    name: 'unsupported-os',
    fix: /^Update to macOS 11 or later \(the device reports 10\.15\.7\)/,
  },
  {
    title: 'an unreadable macOS version',
    facts: facts('macos', { osVersion: 'unknown' }),
    code: 48,
    name: 'unsupported-os',
    fix: /"unknown" could not be read/,
  },
  {
    title: 'Debian 8',
    facts: facts('linux', { osVersion: '8' }),
    code: 48,
    name: 'unsupported-os',
    fix: /^Update debian to 9 or later \(the device reports 8\)/,
  },
  {
    title: 'Ubuntu 14.04',
    facts: facts('linux', { distro: 'ubuntu', osVersion: '14.04' }),
    code: 48,
    name: 'unsupported-os',
    fix: /ubuntu to 16\.04/,
  },
  {
    title: 'an agent older than the minimum',
    facts: facts('linux', { agentVersion: '0.0.9' }),
    code: 49,
    name: 'unsupported-agent-version',
    fix: /agent to 0\.1\.0 or later \(the device reports "0\.0\.9"\)/,
  },
  {
    title: 'an unreadable agent version',
    facts: facts('macos', { agentVersion: 'dev' }),
    code: 49,
    name: 'unsupported-agent-version',
    fix: /reports "dev"/,
  },
  {
    title: 'a domain controller while they are not opted in',
    facts: facts('windows-server', { isDomainController: true }),
    code: 50,
    name: 'domain-controller-not-opted-in',
  },
  {
    title: 'a Server Core 2016',
    facts: facts('windows-server', { isServerCore: true, osVersion: '10.0.14393.7159' }),
    code: 51,
    name: 'server-core-unsupported',
  },
  {
    title: 'PowerShell in ConstrainedLanguage mode',
    facts: facts('windows-client', { powershellLanguageMode: 'ConstrainedLanguage' }),
    code: 52,
    name: 'powershell-constrained-language',
  },
  {
    title: 'a non-persistent virtual desktop',
    facts: facts('windows-client', { nonPersistentVdi: true }),
    code: 53,
    name: 'non-persistent-vdi',
  },
  {
    title: 'an MDM-enrolled Mac',
    facts: facts('macos', { mdmManaged: true }),
    code: 54,
    name: 'managed-by-mdm',
  },
  {
    title: 'a cloud-connector device while those are not managed',
    facts: facts('linux', { cloudConnector: true }),
    tenant: tenant({ cloudConnector: false }),
    code: 55,
    name: 'cloud-connector-off',
  },
];

describe('decideEnrollment', () => {
  it.each(CASES)('$title → $code $name', (row) => {
    const decision = decideEnrollment(row.facts, row.tenant ?? tenant(), context(row.tags ?? []));
    const definition = describeEnrollmentStatus(row.code);
    expect(decision.code).toBe(row.code);
    expect(decision.name).toBe(row.name);
    expect(definition?.name).toBe(row.name);
    expect(decision.meaning).toBe(definition?.meaning);
    if (row.fix) expect(decision.fix).toMatch(row.fix);
    else expect(decision.fix).toBe(definition?.fix);
    expect(decision.managedBy).toBe(definition?.managedBy);
    if (row.code === 1) {
      expect(decision.fix).toBeNull();
      expect(decision.withheldProfiles).not.toContain('antivirus');
    } else {
      expect(decision.fix).toEqual(expect.any(String));
      expect(decision.withheldProfiles).toEqual(PROFILES);
    }
  });

  it('returns every code of the table except 2 (a device record before any decision)', () => {
    const returned = new Set(CASES.map((row) => row.code));
    const table = ENROLLMENT_STATUSES.map((status) => status.code).filter((code) => code !== 2);
    expect([...returned].sort((a, b) => a - b)).toEqual(table.sort((a, b) => a - b));
  });

  it('reports who manages the device when it is not Palisade', () => {
    const mdm = decideEnrollment(facts('macos', { mdmManaged: true }), tenant(), context());
    expect(mdm.managedBy).toBe('mdm');
    const configMgr = decideEnrollment(
      facts('windows-client', { configMgrManaged: true }),
      tenant({ configMgrAuthority: true }),
      context(),
    );
    expect(configMgr.managedBy).toBe('configuration-manager');
    const off = decideEnrollment(
      facts('linux'),
      tenant({ securitySettingsManagement: false }),
      context(),
    );
    expect(off.managedBy).toBe('none');
  });

  it('chooses the identity action from the directory join, whatever the status', () => {
    const foreign = { tenantId: 'tenant-b', deviceId: 'x' };
    expect(decideEnrollment(facts('linux'), tenant(), context()).identity).toBe('create-synthetic');
    const own = facts('linux', { directoryJoin: { tenantId: TENANT, deviceId: 'x' } });
    expect(decideEnrollment(own, tenant(), context()).identity).toBe('use-existing');
    const rejected = decideEnrollment(
      facts('linux', { directoryJoin: foreign }),
      tenant(),
      context(),
    );
    expect(rejected.identity).toBe('reject-foreign-tenant');
    const offAndForeign = decideEnrollment(
      facts('linux', { directoryJoin: foreign }),
      tenant({ securitySettingsManagement: false }),
      context(),
    );
    expect(offAndForeign.code).toBe(45);
    expect(offAndForeign.identity).toBe('reject-foreign-tenant');
  });

  it('manages an opted-in domain controller without firewall rules', () => {
    const decision = decideEnrollment(
      facts('windows-server', { isDomainController: true }),
      tenant({ domainControllers: true }),
      context(),
    );
    expect(decision.code).toBe(1);
    expect(decision.withheldProfiles).toEqual(['firewall-rules', 'security-experience']);
  });

  it('never delivers the security experience profile to a managed device', () => {
    const decision = decideEnrollment(facts('windows-client'), tenant(), context());
    expect(decision.withheldProfiles).toEqual(['security-experience']);
  });

  it('reads the scope of the device’s own platform', () => {
    const linuxOff = withScope('linux', { mode: 'off' });
    expect(decideEnrollment(facts('linux'), linuxOff, context()).code).toBe(46);
    expect(decideEnrollment(facts('macos'), linuxOff, context()).code).toBe(1);
  });

  it('reads tags from the context (manual, device and asset-rule tags), not from the facts', () => {
    const scoped = withScope('linux', { mode: 'tagged', tag: 'pilot' });
    const taggedOnMachineOnly = facts('linux', { tags: ['pilot'] });
    expect(decideEnrollment(taggedOnMachineOnly, scoped, context([])).code).toBe(47);
    expect(decideEnrollment(facts('linux'), scoped, context(['pilot'])).code).toBe(1);
  });

  it('ignores Windows-only facts on other platforms', () => {
    const linux = facts('linux', {
      isServerCore: true,
      powershellLanguageMode: 'ConstrainedLanguage',
    });
    expect(decideEnrollment(linux, tenant(), context()).code).toBe(1);
  });

  describe('order of the checks: the first that applies wins', () => {
    const everything = facts('windows-server', {
      osVersion: '10.0.14393.0',
      isServerCore: true,
      isDomainController: true,
      powershellLanguageMode: 'ConstrainedLanguage',
      nonPersistentVdi: true,
      directoryJoin: { tenantId: 'tenant-b', deviceId: 'x' },
      mdmManaged: true,
      configMgrManaged: true,
      cloudConnector: true,
      agentVersion: '0.0.1',
    });
    const strict = tenant({
      configMgrAuthority: true,
      cloudConnector: false,
      enforcementScope: {
        ...defaultTenantSettings(TENANT).enforcementScope,
        'windows-server': { mode: 'off' },
      },
    });
    // Remove one cause at a time and watch the next one take over.
    const steps: readonly [string, Partial<DeviceFacts>, Partial<TenantSettings>, number][] = [
      ['everything wrong', {}, { securitySettingsManagement: false }, 45],
      ['master switch on', {}, {}, 54],
      ['not MDM-managed', { mdmManaged: false }, {}, 4],
      ['ConfigMgr not the authority', { mdmManaged: false }, { configMgrAuthority: false }, 55],
      [
        'cloud connector devices managed',
        { mdmManaged: false },
        { configMgrAuthority: false, cloudConnector: true },
        46,
      ],
      [
        'scope all devices',
        { mdmManaged: false },
        {
          configMgrAuthority: false,
          cloudConnector: true,
          enforcementScope: defaultTenantSettings(TENANT).enforcementScope,
        },
        50,
      ],
    ];
    it.each(steps)('%s → %i', (_title, factChange, tenantChange, code) => {
      const decision = decideEnrollment(
        { ...everything, ...factChange },
        { ...strict, ...tenantChange },
        context(),
      );
      expect(decision.code).toBe(code);
    });

    it('then the device itself: OS, agent, Server Core, language mode, VDI, foreign tenant', () => {
      const open = tenant({ domainControllers: true });
      let device: DeviceFacts = { ...everything, mdmManaged: false, osVersion: '6.1.7601' };
      const seen: number[] = [];
      const fixes: Partial<DeviceFacts>[] = [
        { osVersion: '10.0.14393.0' },
        { agentVersion: MIN_AGENT_VERSIONS['windows-server'] },
        { isServerCore: false },
        { powershellLanguageMode: 'FullLanguage' },
        { nonPersistentVdi: false },
        { directoryJoin: null },
      ];
      for (const fix of fixes) {
        seen.push(decideEnrollment(device, open, context()).code);
        device = { ...device, ...fix };
      }
      seen.push(decideEnrollment(device, open, context()).code);
      expect(seen).toEqual([48, 49, 51, 52, 53, 15, 1]);
    });
  });

  it('refuses tenant settings of another tenant (a caller bug, not user input)', () => {
    expect(() =>
      decideEnrollment(facts('linux'), defaultTenantSettings('other'), context()),
    ).toThrow(/tenant settings of other/);
  });
});

describe('defaultTenantSettings', () => {
  it('starts with management on, every platform in scope for all devices, 90 minutes', () => {
    const settings = defaultTenantSettings('t1');
    expect(settings.tenantId).toBe('t1');
    expect(settings.securitySettingsManagement).toBe(true);
    expect(Object.values(settings.enforcementScope)).toEqual([
      { mode: 'all' },
      { mode: 'all' },
      { mode: 'all' },
      { mode: 'all' },
    ]);
    expect(settings.checkInIntervalMinutes).toBe(90);
  });
});

describe('ENROLLMENT_STATUSES', () => {
  it('has unique codes and names, and a fix for every failure', () => {
    const codes = ENROLLMENT_STATUSES.map((s) => s.code);
    const names = ENROLLMENT_STATUSES.map((s) => s.name);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(names).size).toBe(names.length);
    for (const status of ENROLLMENT_STATUSES) {
      expect(status.meaning.length).toBeGreaterThan(20);
      expect(status.fix === null).toBe(status.code === 1);
    }
  });

  it('keeps the documented meaning of Microsoft’s codes and puts Palisade’s own above 44', () => {
    expect(describeEnrollmentStatus(1)?.name).toBe('managed');
    expect(describeEnrollmentStatus(2)?.name).toBe('not-enrolled');
    expect(describeEnrollmentStatus(4)?.managedBy).toBe('configuration-manager');
    expect(describeEnrollmentStatus(15)?.name).toBe('tenant-mismatch');
    const own = ENROLLMENT_STATUSES.filter((s) => ![1, 2, 4, 15].includes(s.code));
    for (const status of own) expect(status.code).toBeGreaterThan(44);
    expect(describeEnrollmentStatus(3)).toBeUndefined();
  });
});

describe('compareVersions', () => {
  it.each([
    ['10.0.17763', '10.0.14393', 1],
    ['101.23052.0009', '101.23052.0004', 1],
    ['12', '12.0', 0],
    ['22.04', '22.4', 0],
    ['9', '10', -1],
    ['10.0.19044.1', '10.0.19044', 1],
    ['1.2.10', '1.2.9', 1],
    ['1.0.0', '1.0.0-beta', -1],
    ['99999999999999999999', '99999999999999999998', 1],
  ] as const)('%s vs %s → %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a))).toBe(sign === 0 ? 0 : -sign);
  });
});
