import { describe, expect, it } from 'vitest';
import type { DeviceFacts, ManagedBy, Platform } from '../model.js';
import { compileRuleText } from './compile.js';
import { parseRule } from './parser.js';
import {
  assetPropertiesOf,
  type DeviceView,
  devicePropertiesOf,
  filterPropertiesOf,
  RULE_PROPERTIES,
  RULE_SCHEMA_NAMES,
  rulePropertiesFrom,
} from './properties.js';

const facts: DeviceFacts = {
  hostname: 'web-01',
  domain: 'corp.example',
  platform: 'windows-server',
  osVersion: '10.0.20348.2655',
  osName: 'Windows Server 2022 Datacenter',
  architecture: 'x86_64',
  agentVersion: '1.0.0',
  isDomainController: false,
  isServerCore: false,
  powershellLanguageMode: 'FullLanguage',
  nonPersistentVdi: false,
  directoryJoin: null,
  mdmManaged: false,
  configMgrManaged: false,
  internetFacing: true,
  tags: [],
  installedSoftware: ['Citrix Workspace 2409', '7-Zip 23.01'],
};

function view(
  overrides: Partial<DeviceView> = {},
  factOverrides: Partial<DeviceFacts> = {},
): DeviceView {
  return {
    deviceId: 'dev-1',
    facts: { ...facts, ...factOverrides },
    managedBy: 'palisade',
    enrollmentCode: 1,
    identity: 'synthetic',
    directoryDeviceId: 'dir-1',
    tags: [],
    groupIds: ['g1', 'g2'],
    ...overrides,
  };
}

describe('devicePropertiesOf', () => {
  it.each([
    ['windows-client', 'Windows'],
    ['windows-server', 'Windows Server'],
    ['macos', 'macOS'],
    ['linux', 'Linux'],
  ] as const)('maps platform %s to deviceOSType %s', (platform: Platform, osType) => {
    expect(devicePropertiesOf(view({}, { platform })).deviceOSType).toBe(osType);
  });

  it.each([
    ['palisade', 'MicrosoftSense'],
    ['mdm', 'MDM'],
    ['configuration-manager', 'ConfigurationManagerClient'],
    ['none', null],
  ] as const)('maps managedBy %s to managementType %s', (managedBy: ManagedBy, type) => {
    expect(devicePropertiesOf(view({ managedBy })).managementType).toBe(type);
  });

  it('exposes the facts in the directory vocabulary', () => {
    expect(devicePropertiesOf(view())).toMatchObject({
      displayName: 'web-01',
      deviceOSVersion: '10.0.20348.2655',
      deviceId: 'dir-1',
      objectId: 'dev-1',
      memberOf: ['g1', 'g2'],
      installedSoftware: ['Citrix Workspace 2409', '7-Zip 23.01'],
      accountEnabled: true,
      isRooted: false,
      profileType: 'RegisteredDevice',
      deviceOwnership: 'Unknown',
      deviceTrustType: 'Workplace',
      systemLabels: 'MDEManaged',
      devicePhysicalIds: [],
      extensionAttribute1: null,
    });
  });

  it('derives deviceTrustType and systemLabels from the identity', () => {
    const joined = view({ identity: 'existing', managedBy: 'mdm' });
    expect(devicePropertiesOf(joined)).toMatchObject({
      deviceTrustType: 'ServerAD',
      systemLabels: null,
    });
    const cloudOnly = view({ identity: 'existing' }, { domain: null });
    expect(devicePropertiesOf(cloudOnly).deviceTrustType).toBe('AzureAD');
    expect(devicePropertiesOf(view({ managedBy: 'none' })).systemLabels).toBe('MDEJoined');
  });

  it('reads properties the agent cannot observe from name=value tags', () => {
    const tagged = view({
      tags: [
        'extensionAttribute3=Finance',
        'ExtensionAttribute15=x=y',
        'devicePhysicalIds=[OrderID]:1',
        'devicePhysicalIds=[ZTDId]:2',
        'deviceCategory=Kiosk',
        'production',
      ],
    });
    expect(devicePropertiesOf(tagged)).toMatchObject({
      extensionAttribute3: 'Finance',
      extensionAttribute15: 'x=y',
      devicePhysicalIds: ['[OrderID]:1', '[ZTDId]:2'],
      deviceCategory: 'Kiosk',
    });
  });

  it('gives a value for every device property, and nothing else', () => {
    const names = RULE_PROPERTIES.device.map((p) => p.name).sort();
    expect(Object.keys(devicePropertiesOf(view())).sort()).toEqual(names);
  });

  it('lets the documented MDE targeting rule select Palisade-managed Linux devices', () => {
    const rule = compileRuleText(
      '(device.deviceOSType -eq "Linux") -and (device.managementType -eq "MicrosoftSense")',
    );
    if (!rule.ok) throw new Error('invalid');
    expect(rule.matches(devicePropertiesOf(view({}, { platform: 'linux' })))).toBe(true);
    expect(
      rule.matches(devicePropertiesOf(view({ managedBy: 'mdm' }, { platform: 'linux' }))),
    ).toBe(false);
    expect(rule.matches(devicePropertiesOf(view()))).toBe(false);
  });
});

describe('assetPropertiesOf', () => {
  it('exposes name, domain, platform, onboarding status, tags and internet-facing', () => {
    expect(assetPropertiesOf(view({ tags: ['tier0'] }))).toEqual({
      deviceName: 'web-01',
      domain: 'corp.example',
      osPlatform: 'Windows Server',
      onboardingStatus: 'Managed',
      enrollmentStatusCode: 1,
      tags: ['tier0'],
      internetFacing: true,
    });
    expect(assetPropertiesOf(view({ enrollmentCode: 40 })).onboardingStatus).toBe('Onboarded');
  });

  it('gives a value for every asset property', () => {
    const names = RULE_PROPERTIES.asset.map((p) => p.name).sort();
    expect(Object.keys(assetPropertiesOf(view())).sort()).toEqual(names);
  });
});

describe('filterPropertiesOf', () => {
  it('exposes the assignment-filter properties', () => {
    expect(
      filterPropertiesOf(view({}, { platform: 'windows-client', osName: 'Windows 11 Pro' })),
    ).toMatchObject({
      deviceName: 'web-01',
      cpuArchitecture: 'amd64',
      operatingSystemVersion: '10.0.20348.2655',
      osVersion: '10.0.20348.2655',
      operatingSystemSKU: 'Professional',
      deviceTrustType: 'Azure AD registered',
      isRooted: 'False',
      deviceOwnership: 'unknown',
    });
    expect(
      filterPropertiesOf(view({}, { platform: 'macos', architecture: 'x86_64' })).cpuArchitecture,
    ).toBe('x64');
  });

  it('gives a value for every filter property', () => {
    const names = RULE_PROPERTIES.filter.map((p) => p.name).sort();
    expect(Object.keys(filterPropertiesOf(view())).sort()).toEqual(names);
  });
});

describe('RULE_PROPERTIES', () => {
  it.each(RULE_SCHEMA_NAMES)('every %s property can be used in a rule', (schema) => {
    for (const property of RULE_PROPERTIES[schema]) {
      const rule = property.multiValued
        ? `device.${property.name} -any (_ -eq "x")`
        : property.type === 'boolean'
          ? `device.${property.name} -eq true`
          : `device.${property.name} -eq null`;
      expect(parseRule(rule, schema).ok, rule).toBe(true);
      expect(property.description.length).toBeGreaterThan(0);
    }
  });
});

describe('rulePropertiesFrom', () => {
  it('matches names case-insensitively to their canonical spelling', () => {
    expect(
      rulePropertiesFrom('device', { deviceostype: 'Linux', 'device.isRooted': false }),
    ).toEqual({
      ok: true,
      properties: { deviceOSType: 'Linux', isRooted: false },
    });
  });

  it('refuses unknown names, bad values and non-objects, naming the field', () => {
    expect(rulePropertiesFrom('device', { hostname: 'a' })).toEqual({
      ok: false,
      error: 'device.hostname: not a property of the device schema',
    });
    expect(rulePropertiesFrom('device', { devicePhysicalIds: [1] })).toMatchObject({
      ok: false,
      error: expect.stringContaining('device.devicePhysicalIds: must be'),
    });
    expect(rulePropertiesFrom('device', [])).toMatchObject({ ok: false });
  });
});
