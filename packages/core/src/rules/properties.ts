/**
 * The property vocabularies rules are written in, and the one mapping from a Palisade device to
 * what rules see.
 *
 * Three schemas share one engine:
 * - `device`: the directory's device properties (dynamic-rules.json `deviceProperties`), so that
 *   dynamic group rules written for the product Palisade replaces keep working unchanged, plus one
 *   extension, `installedSoftware`.
 * - `asset`: the conditions of asset rules (device name, domain, platform, onboarding status, tags,
 *   internet-facing), named in the directory's camelCase style.
 * - `filter`: the managed-device properties of assignment filters (assignment-filters.json).
 *
 * Properties the agent cannot observe (an Autopilot physical id, an extension attribute, a device
 * category, ...) are set by tagging the device `<propertyName>=<value>` (in the console, through
 * the API, on the machine itself, or by an asset rule): the tag `extensionAttribute3=Finance` makes
 * `device.extensionAttribute3 -eq "Finance"` true. Multi-valued properties collect every such tag.
 */
import type { DeviceFacts, ManagedBy, Platform } from '../model.js';
import type { ComparisonOperator } from './ast.js';

export type RuleSchemaName = 'device' | 'asset' | 'filter';
export const RULE_SCHEMA_NAMES: readonly RuleSchemaName[] = ['device', 'asset', 'filter'];

/** A value a rule reads. Multi-valued properties are string arrays; unknown is null. */
export type PropertyValue = string | number | boolean | null | readonly string[];
/** Keyed by canonical property name, without "device.". A missing key reads as null. */
export type RuleProperties = Readonly<Record<string, PropertyValue>>;

/**
 * - `string`: compared case-insensitively.
 * - `boolean`: true/false (quoted "true"/"false" is accepted too).
 * - `number`: ordered comparisons allowed.
 * - `version`: dotted numeric version (10.0.22631.3235), compared segment by segment.
 */
export type PropertyType = 'string' | 'boolean' | 'number' | 'version';

export interface PropertyDefinition {
  readonly name: string;
  readonly type: PropertyType;
  /** Multi-valued (a string collection): read only through -any/-all with `_`. */
  readonly multiValued: boolean;
  readonly description: string;
  /** Operators allowed on this property; when absent, every operator its type supports. */
  readonly operators?: readonly ComparisonOperator[];
  /** The values Palisade produces (or the documented values), for the portal's hints. */
  readonly values?: readonly string[];
}

/** Operators each type supports (an operator outside the list is "Operator isn't supported"). */
export const OPERATORS_BY_TYPE: Readonly<Record<PropertyType, readonly ComparisonOperator[]>> = {
  string: [
    'eq',
    'ne',
    'startsWith',
    'notStartsWith',
    'endsWith',
    'notEndsWith',
    'contains',
    'notContains',
    'match',
    'notMatch',
    'in',
    'notIn',
  ],
  boolean: ['eq', 'ne'],
  number: ['eq', 'ne', 'in', 'notIn', 'gt', 'ge', 'lt', 'le'],
  version: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
};

/** The operators allowed on one property. */
export function operatorsOf(definition: PropertyDefinition): readonly ComparisonOperator[] {
  return definition.operators ?? OPERATORS_BY_TYPE[definition.type];
}

const OS_TYPES = ['Windows', 'Windows Server', 'macOS', 'Linux'] as const;

function text(name: string, description: string, values?: readonly string[]): PropertyDefinition {
  return values === undefined
    ? { name, type: 'string', multiValued: false, description }
    : { name, type: 'string', multiValued: false, description, values };
}

function collection(name: string, description: string): PropertyDefinition {
  return { name, type: 'string', multiValued: true, description };
}

function flag(name: string, description: string): PropertyDefinition {
  return { name, type: 'boolean', multiValued: false, description, values: ['true', 'false'] };
}

const EXTENSION_ATTRIBUTES: readonly PropertyDefinition[] = Array.from({ length: 15 }, (_, i) =>
  text(
    `extensionAttribute${i + 1}`,
    `Free text; set by tagging the device "extensionAttribute${i + 1}=<value>".`,
  ),
);

const DEVICE_PROPERTIES: readonly PropertyDefinition[] = [
  flag('accountEnabled', 'Always true: a device Palisade knows is enabled.'),
  text('deviceCategory', 'Set by tagging the device "deviceCategory=<name>"; otherwise null.'),
  text('deviceId', "The device's directory id: the existing join's id, or the synthetic one."),
  text(
    'deviceManagementAppId',
    'MDM application id: 54b943f8-d761-4f8d-951e-9cea1846db5a when Configuration Manager manages the device; otherwise null.',
  ),
  text(
    'deviceManufacturer',
    'Set by tagging the device "deviceManufacturer=<name>"; otherwise null.',
  ),
  text('deviceModel', 'Set by tagging the device "deviceModel=<name>"; otherwise null.'),
  text('displayName', 'The host name the agent reports.'),
  text('deviceOSType', 'The platform, in the directory vocabulary.', OS_TYPES),
  text('deviceOSVersion', 'The OS version the agent reports, e.g. 10.0.22631.4037, 14.5, 12.'),
  text('deviceOwnership', 'Set by tagging "deviceOwnership=Company|Personal"; otherwise Unknown.', [
    'Company',
    'Personal',
    'Unknown',
  ]),
  collection(
    'devicePhysicalIds',
    'Physical ids such as "[OrderID]:1234"; each tag "devicePhysicalIds=<id>" adds one.',
  ),
  text(
    'deviceTrustType',
    'AzureAD: joined to this directory without an AD domain; ServerAD: joined and in an AD domain (hybrid); Workplace: a synthetic identity created by Palisade.',
    ['AzureAD', 'ServerAD', 'Workplace'],
  ),
  text('enrollmentProfileName', 'Set by tagging "enrollmentProfileName=<name>"; otherwise null.'),
  ...EXTENSION_ATTRIBUTES,
  flag('isRooted', 'Always false: the agent runs on desktops and servers only.'),
  text(
    'managementType',
    'MicrosoftSense when Palisade manages the security settings, MDM when an MDM does, ConfigurationManagerClient when Configuration Manager does, null when nothing does.',
    ['MicrosoftSense', 'MDM', 'ConfigurationManagerClient'],
  ),
  collection('memberOf', 'The ids of the groups the device is a member of.'),
  text('objectId', "Palisade's id of the device object."),
  text('profileType', 'Always RegisteredDevice.', ['RegisteredDevice']),
  text(
    'systemLabels',
    'MDEManaged when Palisade manages the device, MDEJoined when its identity is synthetic, otherwise null (the labels rules for the replaced product test).',
    ['MDEManaged', 'MDEJoined'],
  ),
  collection(
    'installedSoftware',
    'Palisade extension: the software the agent found, as "name version" strings.',
  ),
];

const ASSET_PROPERTIES: readonly PropertyDefinition[] = [
  text('deviceName', 'The host name the agent reports.'),
  text('domain', 'The DNS / AD domain, or null when the machine has none.'),
  text('osPlatform', 'The platform, in the directory vocabulary.', OS_TYPES),
  text(
    'onboardingStatus',
    'Managed when Palisade enrolled and manages the device (enrollment status 1); Onboarded when the agent reports but Palisade does not enforce (see enrollmentStatusCode).',
    ['Managed', 'Onboarded'],
  ),
  {
    name: 'enrollmentStatusCode',
    type: 'number',
    multiValued: false,
    description: 'The enrollment status code; 1 means enrolled and managed.',
  },
  collection('tags', 'The tags on the device, from every source.'),
  flag('internetFacing', 'The agent found the device reachable from the internet.'),
];

const FILTER_STRING = ['eq', 'ne', 'in', 'notIn', 'startsWith', 'contains', 'notContains'] as const;
const FILTER_CHOICE = ['eq', 'ne', 'in', 'notIn'] as const;
const FILTER_EQUALITY = ['eq', 'ne'] as const;

function filterText(
  name: string,
  operators: readonly ComparisonOperator[],
  description: string,
  values?: readonly string[],
): PropertyDefinition {
  return { ...text(name, description, values), operators };
}

const FILTER_PROPERTIES: readonly PropertyDefinition[] = [
  filterText('cpuArchitecture', FILTER_CHOICE, 'CPU architecture.', [
    'amd64',
    'x86',
    'arm64',
    'x64',
    'unknown',
  ]),
  filterText('deviceCategory', FILTER_STRING, 'Set by tagging "deviceCategory=<name>".'),
  filterText('deviceManagementType', FILTER_EQUALITY, 'Android only in the original; always null.'),
  filterText('deviceName', FILTER_STRING, 'The host name the agent reports.'),
  filterText(
    'deviceOwnership',
    FILTER_EQUALITY,
    'Set by tagging "deviceOwnership=Corporate|Personal".',
    ['Personal', 'Corporate', 'unknown'],
  ),
  filterText('deviceTrustType', FILTER_CHOICE, 'Directory join type.', [
    'Azure AD joined',
    'Azure AD registered',
    'Hybrid Azure AD joined',
    'Unknown',
  ]),
  filterText(
    'enrollmentProfileName',
    FILTER_STRING,
    'Set by tagging "enrollmentProfileName=<name>".',
  ),
  filterText('isRooted', FILTER_EQUALITY, 'Always False on the platforms Palisade manages.', [
    'True',
    'False',
    'unknown',
  ]),
  filterText('manufacturer', FILTER_STRING, 'Set by tagging "manufacturer=<name>".'),
  filterText('model', FILTER_STRING, 'Set by tagging "model=<name>".'),
  {
    name: 'operatingSystemVersion',
    type: 'version',
    multiValued: false,
    description: 'The OS version, compared as a version: -gt 10.0.22000.1000.',
  },
  filterText('osVersion', FILTER_STRING, 'The OS version as text (deprecated in the original).'),
  filterText(
    'operatingSystemSKU',
    FILTER_STRING,
    'Windows edition from the OS name, e.g. Enterprise, Professional, Education.',
  ),
];

/** Every property of every schema: the portal lists them, the parser checks rules against them. */
export const RULE_PROPERTIES: Readonly<Record<RuleSchemaName, readonly PropertyDefinition[]>> = {
  device: DEVICE_PROPERTIES,
  asset: ASSET_PROPERTIES,
  filter: FILTER_PROPERTIES,
};

const LOOKUP: Readonly<Record<RuleSchemaName, ReadonlyMap<string, PropertyDefinition>>> = {
  device: new Map(DEVICE_PROPERTIES.map((p) => [p.name.toLowerCase(), p])),
  asset: new Map(ASSET_PROPERTIES.map((p) => [p.name.toLowerCase(), p])),
  filter: new Map(FILTER_PROPERTIES.map((p) => [p.name.toLowerCase(), p])),
};

/**
 * The definition of a property, found case-insensitively: the documentation calls names case
 * sensitive but its own examples spell `devicePhysicalIDs` and `devicePhysicalIds`, so the service
 * evidently tolerates either.
 */
export function findProperty(schema: RuleSchemaName, name: string): PropertyDefinition | undefined {
  return LOOKUP[schema].get(name.toLowerCase());
}

/** The one view of a device that rules read. */
export interface DeviceView {
  readonly deviceId: string;
  readonly facts: DeviceFacts;
  readonly managedBy: ManagedBy;
  /** The enrollment status code; 1 means enrolled and managed. */
  readonly enrollmentCode: number;
  readonly identity: 'synthetic' | 'existing';
  readonly directoryDeviceId: string;
  /** Every tag on the device (manual, from the machine, from asset rules). */
  readonly tags: readonly string[];
  readonly groupIds: readonly string[];
  readonly enrolledAt?: string;
}

const OS_TYPE_OF: Readonly<Record<Platform, string>> = {
  'windows-client': 'Windows',
  'windows-server': 'Windows Server',
  macos: 'macOS',
  linux: 'Linux',
};

const MANAGEMENT_TYPE_OF: Readonly<Record<ManagedBy, string | null>> = {
  palisade: 'MicrosoftSense',
  mdm: 'MDM',
  'configuration-manager': 'ConfigurationManagerClient',
  none: null,
};

const CONFIGURATION_MANAGER_APP_ID = '54b943f8-d761-4f8d-951e-9cea1846db5a';

/** Values of tags "<name>=<value>" (name compared case-insensitively), in tag order. */
/**
 * The values of `name=value` tags, by lower-cased name, in tag order: one pass over the tags
 * instead of one per property that reads them (a device view has 20 such properties).
 */
function tagValuesByName(tags: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const tag of tags) {
    const equals = tag.indexOf('=');
    if (equals <= 0 || equals === tag.length - 1) continue;
    const name = tag.slice(0, equals).toLowerCase();
    const value = tag.slice(equals + 1);
    const values = byName.get(name);
    if (values) values.push(value);
    else byName.set(name, [value]);
  }
  return byName;
}

/** The last value of a `name=value` tag (`name` lower-cased), or null. */
function lastValue(byName: ReadonlyMap<string, readonly string[]>, name: string): string | null {
  const values = byName.get(name);
  return values === undefined ? null : (values[values.length - 1] ?? null);
}

function deviceTrustTypeOf(view: DeviceView): string {
  if (view.identity === 'synthetic') return 'Workplace';
  return view.facts.domain === null ? 'AzureAD' : 'ServerAD';
}

function systemLabelsOf(view: DeviceView): string | null {
  if (view.managedBy === 'palisade') return 'MDEManaged';
  return view.identity === 'synthetic' ? 'MDEJoined' : null;
}

/**
 * The directory properties of a device ('device' schema), e.g.
 * `devicePropertiesOf(view).deviceOSType === 'Windows Server'` for a windows-server device.
 */
export function devicePropertiesOf(view: DeviceView): RuleProperties {
  const { facts } = view;
  const tagged = tagValuesByName(view.tags);
  const properties: Record<string, PropertyValue> = {
    accountEnabled: true,
    deviceCategory: lastValue(tagged, 'devicecategory'),
    deviceId: view.directoryDeviceId,
    deviceManagementAppId:
      view.managedBy === 'configuration-manager' ? CONFIGURATION_MANAGER_APP_ID : null,
    deviceManufacturer: lastValue(tagged, 'devicemanufacturer'),
    deviceModel: lastValue(tagged, 'devicemodel'),
    displayName: facts.hostname,
    deviceOSType: OS_TYPE_OF[facts.platform],
    deviceOSVersion: facts.osVersion,
    deviceOwnership: lastValue(tagged, 'deviceownership') ?? 'Unknown',
    devicePhysicalIds: [...(tagged.get('devicephysicalids') ?? [])],
    deviceTrustType: deviceTrustTypeOf(view),
    enrollmentProfileName: lastValue(tagged, 'enrollmentprofilename'),
    isRooted: false,
    managementType: MANAGEMENT_TYPE_OF[view.managedBy],
    memberOf: view.groupIds,
    objectId: view.deviceId,
    profileType: 'RegisteredDevice',
    systemLabels: systemLabelsOf(view),
    installedSoftware: facts.installedSoftware ?? [],
    // Spelled out rather than added in a loop: an object given this many properties one key at a
    // time turns into a hash table (~1 KB, slower lookups); one literal keeps a shared shape.
    extensionAttribute1: lastValue(tagged, 'extensionattribute1'),
    extensionAttribute2: lastValue(tagged, 'extensionattribute2'),
    extensionAttribute3: lastValue(tagged, 'extensionattribute3'),
    extensionAttribute4: lastValue(tagged, 'extensionattribute4'),
    extensionAttribute5: lastValue(tagged, 'extensionattribute5'),
    extensionAttribute6: lastValue(tagged, 'extensionattribute6'),
    extensionAttribute7: lastValue(tagged, 'extensionattribute7'),
    extensionAttribute8: lastValue(tagged, 'extensionattribute8'),
    extensionAttribute9: lastValue(tagged, 'extensionattribute9'),
    extensionAttribute10: lastValue(tagged, 'extensionattribute10'),
    extensionAttribute11: lastValue(tagged, 'extensionattribute11'),
    extensionAttribute12: lastValue(tagged, 'extensionattribute12'),
    extensionAttribute13: lastValue(tagged, 'extensionattribute13'),
    extensionAttribute14: lastValue(tagged, 'extensionattribute14'),
    extensionAttribute15: lastValue(tagged, 'extensionattribute15'),
  };
  return properties;
}

/**
 * The asset-rule properties of a device ('asset' schema), e.g.
 * `assetPropertiesOf(view).onboardingStatus === 'Managed'` when the enrollment code is 1.
 */
export function assetPropertiesOf(view: DeviceView): RuleProperties {
  return {
    deviceName: view.facts.hostname,
    domain: view.facts.domain,
    osPlatform: OS_TYPE_OF[view.facts.platform],
    onboardingStatus: view.enrollmentCode === 1 ? 'Managed' : 'Onboarded',
    enrollmentStatusCode: view.enrollmentCode,
    tags: view.tags,
    internetFacing: view.facts.internetFacing ?? null,
  };
}

const FILTER_TRUST_TYPE: Readonly<Record<string, string>> = {
  AzureAD: 'Azure AD joined',
  ServerAD: 'Hybrid Azure AD joined',
  Workplace: 'Azure AD registered',
};

/** amd64/x86/arm64 on Windows, x64/arm64 on macOS (the filter documentation's values). */
function cpuArchitectureOf(facts: DeviceFacts): string {
  const arch = (facts.architecture ?? '').toLowerCase();
  if (arch === 'arm64' || arch === 'aarch64') return 'arm64';
  if (arch === 'x86_64' || arch === 'amd64' || arch === 'x64') {
    return facts.platform === 'macos' ? 'x64' : 'amd64';
  }
  if (arch === 'x86' || arch === 'i386' || arch === 'i686') return 'x86';
  return 'unknown';
}

/** Windows edition from the OS name ("Windows 11 Enterprise" → Enterprise), or null. */
function operatingSystemSkuOf(facts: DeviceFacts): string | null {
  if (facts.platform !== 'windows-client' || facts.osName === undefined) return null;
  const editions = ['Enterprise', 'Education', 'Professional', 'Pro', 'Home'] as const;
  for (const edition of editions) {
    if (new RegExp(`\\b${edition}\\b`, 'i').test(facts.osName)) {
      if (edition === 'Pro') return 'Professional';
      if (edition === 'Home') return 'Core';
      return edition;
    }
  }
  return null;
}

/**
 * The assignment-filter properties of a device ('filter' schema), e.g.
 * `filterPropertiesOf(view).operatingSystemVersion === '10.0.22631.4037'`.
 */
export function filterPropertiesOf(view: DeviceView): RuleProperties {
  const { facts } = view;
  const tagged = tagValuesByName(view.tags);
  return {
    cpuArchitecture: cpuArchitectureOf(facts),
    deviceCategory: lastValue(tagged, 'devicecategory'),
    deviceManagementType: null,
    deviceName: facts.hostname,
    deviceOwnership: lastValue(tagged, 'deviceownership') ?? 'unknown',
    deviceTrustType: FILTER_TRUST_TYPE[deviceTrustTypeOf(view)] ?? 'Unknown',
    enrollmentProfileName: lastValue(tagged, 'enrollmentprofilename'),
    isRooted: 'False',
    manufacturer: lastValue(tagged, 'manufacturer'),
    model: lastValue(tagged, 'model'),
    operatingSystemVersion: facts.osVersion,
    osVersion: facts.osVersion,
    operatingSystemSKU: operatingSystemSkuOf(facts),
  };
}

/** The properties of a device in the given schema. */
export function propertiesOf(schema: RuleSchemaName, view: DeviceView): RuleProperties {
  if (schema === 'asset') return assetPropertiesOf(view);
  if (schema === 'filter') return filterPropertiesOf(view);
  return devicePropertiesOf(view);
}

export type PropertiesInputResult =
  | { readonly ok: true; readonly properties: RuleProperties }
  | { readonly ok: false; readonly error: string };

/**
 * Reads hand-written rule properties (a JSON object keyed by property name, as `palisade rule eval`
 * and the API's rule preview take them): names are matched case-insensitively to their canonical
 * spelling, values must be strings, numbers, booleans, null or arrays of strings. Names the schema
 * does not know are refused, so a typo does not silently read as null.
 *
 * @example
 * rulePropertiesFrom('device', { deviceostype: 'Linux' }); // { ok: true, properties: { deviceOSType: 'Linux' } }
 */
export function rulePropertiesFrom(schema: RuleSchemaName, input: unknown): PropertiesInputResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'device must be a JSON object of properties' };
  }
  const properties: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = key.startsWith('device.') ? key.slice('device.'.length) : key;
    const definition = findProperty(schema, name);
    if (definition === undefined) {
      return { ok: false, error: `device.${name}: not a property of the ${schema} schema` };
    }
    if (!isPropertyValue(value)) {
      return {
        ok: false,
        error: `device.${name}: must be a string, number, boolean, null or an array of strings`,
      };
    }
    properties[definition.name] = value;
  }
  return { ok: true, properties };
}

function isPropertyValue(value: unknown): value is PropertyValue {
  if (value === null) return true;
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
