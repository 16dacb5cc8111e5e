/**
 * Microsoft Intune settings-catalog policies → Palisade Policy documents. The input is a Graph
 * `deviceManagementConfigurationPolicy` (name, description, platforms, templateReference,
 * settings[].settingInstance, assignments) for the endpoint-security antivirus, exclusions, EDR,
 * attack surface reduction and firewall templates.
 *
 * The mapping is derived from the catalog, not kept twice: a Defender Policy CSP setting
 * `Foo` is the settings-catalog id `device_vendor_msft_policy_config_defender_foo`, the EDR CSP
 * node `WindowsAdvancedThreatProtection/Configuration/Bar` is
 * `device_vendor_msft_windowsadvancedthreatprotection_configuration_bar`, and a choice option
 * id is the setting id followed by `_<native value>`; the native value is turned back into the
 * catalog's value through the catalog's own native mapping. Defender for Linux policies work the
 * same way through the catalog's mdatp keys (`antivirusEngine.scanArchives` is
 * `linux_mdatp_managed_antivirusengine_scanarchives`). ASR rules, firewall rules and Linux
 * exclusions are collections and have their own small readers; macOS is not mapped yet. Every
 * setting that cannot be mapped is reported, with its id and why; nothing is dropped silently.
 */
import {
  ASR_RULES,
  type JsonValue,
  listSettings,
  type Profile,
  type SettingDefinition,
} from '@palisade/core';

const DEFENDER = 'device_vendor_msft_policy_config_defender_';
const ASR_RULES_ID = `${DEFENDER}attacksurfacereductionrules`;
const FIREWALL_RULES_ID = 'vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}';

/**
 * The settings-catalog id suffix of each ASR rule (after `…attacksurfacereductionrules_`), from
 * reference/asr-rules.json: seven of them are not the rule's name run together.
 */
const ASR_CATALOG_NAMES: Readonly<Record<string, string>> = {
  '56a863a9-875e-4185-98a7-b882c64b5ce5': 'blockabuseofexploitedvulnerablesigneddrivers',
  '7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c': 'blockadobereaderfromcreatingchildprocesses',
  'd4f940ab-401b-4efc-aadc-ad5f3c50688a': 'blockallofficeapplicationsfromcreatingchildprocesses',
  '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2':
    'blockcredentialstealingfromwindowslocalsecurityauthoritysubsystem',
  'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550': 'blockexecutablecontentfromemailclientandwebmail',
  '01443614-cd74-433a-b99e-2ecdc07bfc25':
    'blockexecutablefilesrunningunlesstheymeetprevalenceagetrustedlistcriterion',
  '5beb7efe-fd9a-4556-801d-275e5ffc04cc': 'blockexecutionofpotentiallyobfuscatedscripts',
  'd3e037e1-3eb8-44c8-a917-57927947596d':
    'blockjavascriptorvbscriptfromlaunchingdownloadedexecutablecontent',
  '3b576869-a4ec-4529-8536-b80a7769e899': 'blockofficeapplicationsfromcreatingexecutablecontent',
  '75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84':
    'blockofficeapplicationsfrominjectingcodeintootherprocesses',
  '26190899-1602-49e8-8b27-eb1d0a1ce869': 'blockofficecommunicationappfromcreatingchildprocesses',
  'e6db77e5-3df2-4cf1-b95a-636979351e5b': 'blockpersistencethroughwmieventsubscription',
  'd1e49aac-8f56-4280-b9ba-993a6d77406c': 'blockprocesscreationsfrompsexecandwmicommands',
  '33ddedf1-c6e0-47cb-833e-de6133960387': 'blockrebootingmachineinsafemode',
  'b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4': 'blockuntrustedunsignedprocessesthatrunfromusb',
  'c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb': 'blockuseofcopiedorimpersonatedsystemtools',
  'a8f5898e-1dc8-49a9-9878-85004b8a61e6': 'blockwebshellcreationforservers',
  '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b': 'blockwin32apicallsfromofficemacros',
  'c1db55ab-c21a-4637-bb3f-a12568109d35': 'useadvancedprotectionagainstransomware',
};

/** A setting instance as Graph returns it (only the parts read here). */
interface SettingInstance {
  readonly '@odata.type'?: string;
  readonly settingDefinitionId?: string;
  readonly choiceSettingValue?: { readonly value?: string; readonly children?: SettingInstance[] };
  readonly choiceSettingCollectionValue?: readonly { readonly value?: string }[];
  readonly simpleSettingValue?: { readonly value?: unknown };
  readonly simpleSettingCollectionValue?: readonly { readonly value?: unknown }[];
  readonly groupSettingCollectionValue?: readonly { readonly children?: SettingInstance[] }[];
}

export interface IntuneImport {
  /** Palisade Policy documents, one per profile the Intune policy's settings belong to. */
  readonly documents: readonly Record<string, JsonValue>[];
  /** Every setting or assignment that could not be carried over, as a sentence. */
  readonly unmapped: readonly string[];
}

interface CatalogEntry {
  readonly setting: SettingDefinition;
  readonly values: Readonly<Record<string, JsonValue>> | undefined;
}

/** settings-catalog id → the Palisade setting with the Windows native mapping behind it. */
function windowsIndex(): Map<string, CatalogEntry> {
  const index = new Map<string, CatalogEntry>();
  for (const setting of listSettings({ platform: 'windows' })) {
    const native = setting.native['windows-defender'];
    if (!native) continue;
    const name = native.name;
    let id: string | null = null;
    if (/^[A-Za-z0-9]+$/.test(name)) id = `${DEFENDER}${name.toLowerCase()}`;
    else if (/^[A-Za-z0-9]+(\/[A-Za-z0-9]+)+$/.test(name)) {
      id = `device_vendor_msft_${name.toLowerCase().replaceAll('/', '_')}`;
    }
    if (id) index.set(id, { setting, values: native.values });
  }
  return index;
}

const LINUX = 'linux_mdatp_managed_';
const LINUX_EXCLUSIONS_ID = `${LINUX}antivirusengine_exclusions`;

/**
 * settings-catalog id → the Palisade settings behind a Defender-for-Linux managed key: the key
 * `antivirusEngine.scanArchives` is `linux_mdatp_managed_antivirusengine_scanarchives`, and an
 * option id ends in the key's value (`…_cloudservice_enabled_true`,
 * `…_enforcementlevel_real_time`).
 * One key may carry two settings (enforcementLevel: real-time protection and passive mode).
 */
function linuxIndex(): Map<string, CatalogEntry[]> {
  const index = new Map<string, CatalogEntry[]>();
  for (const setting of listSettings({ platform: 'linux' })) {
    const native = setting.native.mdatp;
    if (!native || !/^[A-Za-z]+(\.[A-Za-z]+)+$/.test(native.name)) continue;
    const id = `${LINUX}${native.name.toLowerCase().replaceAll('.', '_')}`;
    index.set(id, [...(index.get(id) ?? []), { setting, values: native.values }]);
  }
  return index;
}

/** Every setting instance below one (choice children included), depth first. */
function descendants(instance: SettingInstance): SettingInstance[] {
  const children = [
    ...(instance.choiceSettingValue?.children ?? []),
    ...(instance.groupSettingCollectionValue ?? []).flatMap((group) => group.children ?? []),
  ];
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * Linux antivirus exclusions: one group per exclusion, `…_item_$type` 0 (a path, with
 * `…_item_path` and `…_item_isdirectory`), 1 (`…_item_extension`) or 2 (`…_item_name`, a process).
 */
function readLinuxExclusions(
  instance: SettingInstance,
  unmapped: string[],
): Record<'exclusions.paths' | 'exclusions.extensions' | 'exclusions.processes', string[]> {
  const out = {
    'exclusions.paths': [] as string[],
    'exclusions.extensions': [] as string[],
    'exclusions.processes': [] as string[],
  };
  const item = `${LINUX_EXCLUSIONS_ID}_item_`;
  for (const group of instance.groupSettingCollectionValue ?? []) {
    const found = new Map<string, SettingInstance>();
    for (const child of (group.children ?? []).flatMap((c) => [c, ...descendants(c)])) {
      found.set((child.settingDefinitionId ?? '').slice(item.length), child);
    }
    const type = suffixOf(found.get('$type')?.choiceSettingValue?.value, `${item}$type`);
    const text = (key: string) => found.get(key)?.simpleSettingValue?.value;
    if (type === '0' && typeof text('path') === 'string') {
      const path = String(text('path'));
      const directory =
        suffixOf(found.get('isdirectory')?.choiceSettingValue?.value, `${item}isdirectory`) ===
        'true';
      out['exclusions.paths'].push(directory && !path.endsWith('/') ? `${path}/` : path);
    } else if (type === '1' && typeof text('extension') === 'string') {
      out['exclusions.extensions'].push(String(text('extension')));
    } else if (type === '2' && typeof text('name') === 'string') {
      out['exclusions.processes'].push(String(text('name')));
    } else {
      unmapped.push(
        `${LINUX_EXCLUSIONS_ID}: an exclusion of type ${type ?? '(none)'} without its value`,
      );
    }
  }
  return out;
}

/** The catalog value whose native value is `native` (as text), parsed to the setting's type. */
function catalogValue(entry: CatalogEntry, native: string): JsonValue | undefined {
  const type = entry.setting.type;
  if (entry.values) {
    const key = Object.keys(entry.values).find(
      (k) => String(entry.values?.[k]).toLowerCase() === native.toLowerCase(),
    );
    if (key === undefined) return undefined;
    if (type.kind === 'boolean') return key === 'true';
    if (type.kind === 'integer') return Number(key);
    return key;
  }
  if (type.kind === 'integer') return Number.isFinite(Number(native)) ? Number(native) : undefined;
  if (type.kind === 'boolean') return native === '1' || native === 'true';
  return native;
}

function suffixOf(optionId: string | undefined, settingId: string): string | undefined {
  if (!optionId?.startsWith(`${settingId}_`)) return undefined;
  return optionId.slice(settingId.length + 1);
}

type Read = { readonly value: JsonValue } | { readonly problem: string };

function readScalarSetting(entry: CatalogEntry, instance: SettingInstance, id: string): Read {
  if (instance.choiceSettingValue) {
    const native = suffixOf(instance.choiceSettingValue.value, id);
    const value = native === undefined ? undefined : catalogValue(entry, native);
    return value === undefined
      ? {
          problem: `${id}: the option ${instance.choiceSettingValue.value ?? '(none)'} has no Palisade value`,
        }
      : { value };
  }
  if (instance.simpleSettingCollectionValue) {
    return { value: instance.simpleSettingCollectionValue.map((item) => String(item.value ?? '')) };
  }
  if (instance.simpleSettingValue) {
    const raw = instance.simpleSettingValue.value;
    if (entry.setting.type.kind === 'string-list' && typeof raw === 'string') {
      return { value: raw.split('|').filter((item) => item !== '') };
    }
    const value = catalogValue(entry, String(raw));
    return value === undefined
      ? { problem: `${id}: the value ${String(raw)} has no Palisade value` }
      : { value };
  }
  return {
    problem: `${id}: a ${instance['@odata.type'] ?? 'setting'} of a shape this import does not read`,
  };
}

/** ASR rules: one choice child per rule (`…_<rule>_block|audit|warn|off`). */
function readAsrRules(
  instance: SettingInstance,
  unmapped: string[],
): Record<string, string> | null {
  const byCatalogId = new Map(
    ASR_RULES.map((rule) => [`${ASR_RULES_ID}_${ASR_CATALOG_NAMES[rule.guid] ?? ''}`, rule.guid]),
  );
  const rules: Record<string, string> = {};
  for (const group of instance.groupSettingCollectionValue ?? []) {
    for (const child of group.children ?? []) {
      const id = child.settingDefinitionId ?? '(no id)';
      const guid = byCatalogId.get(id);
      const mode = suffixOf(child.choiceSettingValue?.value, id);
      if (!guid || !mode) {
        unmapped.push(`${id}: not an ASR rule this catalog knows`);
        continue;
      }
      if (!['off', 'block', 'audit', 'warn'].includes(mode)) {
        unmapped.push(`${id}: mode ${mode} is not off, block, audit or warn`);
        continue;
      }
      rules[guid] = mode;
    }
  }
  return Object.keys(rules).length > 0 ? rules : null;
}

const PROTOCOLS: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};
const PROFILE_BITS: Readonly<Record<string, string>> = {
  '1': 'domain',
  '2': 'private',
  '4': 'public',
};

/**
 * InterfaceTypes options (`…_interfacetypes_lan`) → the catalog's values. The CSP names mobile
 * broadband MBB; both spellings are read.
 */
const INTERFACE_OPTIONS: Readonly<Record<string, string>> = {
  lan: 'lan',
  wireless: 'wireless',
  remoteaccess: 'remote-access',
  mbb: 'mobile-broadband',
  mobilebroadband: 'mobile-broadband',
  all: 'all',
};

/** The items of a list field: a collection, or one text holding the CSP's comma-separated list. */
function listOf(child: SettingInstance): string[] {
  if (child.simpleSettingCollectionValue) {
    return child.simpleSettingCollectionValue.map((item) => String(item.value ?? ''));
  }
  const text = child.simpleSettingValue?.value;
  return typeof text === 'string' ? text.split(',').filter((item) => item !== '') : [];
}

/**
 * The Firewall CSP fields Palisade added to firewall rules later (IcmpTypesAndCodes,
 * InterfaceTypes, EdgeTraversal, LocalUserAuthorizedList, RemoteAddressDynamicKeywords,
 * App/PackageFamilyName, App/Fqbn, PolicyAppId). False when the field is none of them.
 */
function readWindowsRuleField(
  field: string,
  child: SettingInstance,
  id: string,
  rule: Record<string, JsonValue>,
  unmapped: string[],
): boolean {
  const simple = child.simpleSettingValue?.value;
  switch (field) {
    case 'icmptypesandcodes':
      rule.icmpTypes = listOf(child);
      return true;
    case 'interfacetypes': {
      const options = (child.choiceSettingCollectionValue ?? []).map(
        (item) => suffixOf(item.value, id) ?? '',
      );
      const unknown = options.filter((option) => INTERFACE_OPTIONS[option] === undefined);
      if (unknown.length > 0)
        unmapped.push(`${id}: interface type ${unknown.join(', ')} is unknown`);
      rule.interfaceTypes = options.flatMap((option) => INTERFACE_OPTIONS[option] ?? []);
      return true;
    }
    case 'edgetraversal': {
      // A choice (`…_edgetraversal_1`) in the settings catalog; older exports hold the value.
      const value = suffixOf(child.choiceSettingValue?.value, id) ?? String(simple ?? '');
      if (value === '1' || value === 'true') rule.edgeTraversal = true;
      else if (value === '0' || value === 'false') rule.edgeTraversal = false;
      else unmapped.push(`${id}: edge traversal ${value || '(none)'} is not 0 or 1`);
      return true;
    }
    case 'localuserauthorizedlist':
      rule.localUserAuthorizedList = String(simple ?? '');
      return true;
    case 'remoteaddressdynamickeywords':
      rule.remoteAddressDynamicKeywords = listOf(child);
      return true;
    case 'app_packagefamilyname':
      rule.packageFamilyName = String(simple ?? '');
      return true;
    case 'app_fqbn':
      rule.fqbn = String(simple ?? '');
      return true;
    case 'policyappid':
      rule.policyAppId = String(simple ?? '');
      return true;
    default:
      return false;
  }
}

/** Firewall rules: one group of children per rule (`…_{firewallrulename}_<field>`). */
function readFirewallRules(instance: SettingInstance, unmapped: string[]): JsonValue[] {
  const rules: JsonValue[] = [];
  for (const group of instance.groupSettingCollectionValue ?? []) {
    const rule: Record<string, JsonValue> = {};
    for (const child of group.children ?? []) {
      const id = child.settingDefinitionId ?? '(no id)';
      const field = id.startsWith(`${FIREWALL_RULES_ID}_`)
        ? id.slice(FIREWALL_RULES_ID.length + 1)
        : '';
      const simple = child.simpleSettingValue?.value;
      const list = (child.simpleSettingCollectionValue ?? []).map((item) =>
        String(item.value ?? ''),
      );
      const option = suffixOf(child.choiceSettingValue?.value, id);
      switch (field) {
        case 'name':
          rule.name = String(simple ?? '');
          break;
        case 'firewallrulename':
          // The rule's node id in the CSP: it names the rule only when Name is not given.
          if (rule.name === undefined) rule.name = String(simple ?? '');
          break;
        case 'description':
          rule.description = String(simple ?? '');
          break;
        case 'direction':
          if (option === 'in' || option === 'out') rule.direction = option;
          else unmapped.push(`${id}: direction ${option ?? '(none)'} is not in or out`);
          break;
        case 'action_type':
          if (option === '0' || option === '1') rule.action = option === '1' ? 'allow' : 'block';
          else unmapped.push(`${id}: action ${option ?? '(none)'} is not 0 (block) or 1 (allow)`);
          break;
        case 'protocol': {
          const protocol = PROTOCOLS[String(simple)];
          if (protocol) rule.protocol = protocol;
          else unmapped.push(`${id}: protocol ${String(simple)} is not tcp, udp, icmp or icmpv6`);
          break;
        }
        case 'localportranges':
          rule.localPorts = list;
          break;
        case 'remoteportranges':
          rule.remotePorts = list;
          break;
        case 'localaddressranges':
          rule.localAddresses = list;
          break;
        case 'remoteaddressranges':
          rule.remoteAddresses = list;
          break;
        case 'enabled':
          rule.enabled = option === '1';
          break;
        case 'profiles':
          rule.profiles = (child.choiceSettingCollectionValue ?? [])
            .map((item) => PROFILE_BITS[suffixOf(item.value, id) ?? ''])
            .filter((p): p is string => p !== undefined);
          break;
        case 'app_filepath':
          rule.program = String(simple ?? '');
          break;
        case 'app_servicename':
          rule.service = String(simple ?? '');
          break;
        default:
          if (!readWindowsRuleField(field, child, id, rule, unmapped))
            unmapped.push(`${id}: a firewall rule field this import does not map`);
      }
    }
    if (typeof rule.name === 'string' && rule.name !== '') rules.push(rule);
    else unmapped.push(`${FIREWALL_RULES_ID}: a rule without a name is skipped`);
  }
  return rules;
}

/** One Linux setting: the exclusions collection, or a managed key through the catalog. */
function readLinuxSetting(
  instance: SettingInstance,
  id: string,
  index: ReadonlyMap<string, readonly CatalogEntry[]>,
  put: (profile: Profile, id: string, value: JsonValue) => void,
  unmapped: string[],
): void {
  if (id === LINUX_EXCLUSIONS_ID) {
    for (const [settingId, items] of Object.entries(readLinuxExclusions(instance, unmapped))) {
      if (items.length > 0) put('antivirus-exclusions', settingId, items);
    }
    return;
  }
  const entries = index.get(id) ?? [];
  if (entries.length === 0) {
    unmapped.push(`${id}: no Palisade setting corresponds`);
    return;
  }
  const problems: string[] = [];
  for (const entry of entries) {
    const read = readScalarSetting(entry, instance, id);
    if ('value' in read) {
      put(entry.setting.profile, entry.setting.id, read.value);
      return;
    }
    problems.push(read.problem);
  }
  unmapped.push(problems[0] ?? `${id}: not mapped`);
}

/** Graph platforms → Palisade policy platform. */
function platformOf(platforms: unknown): 'windows' | 'macos' | 'linux' | null {
  const text = String(platforms ?? '').toLowerCase();
  if (text.includes('windows')) return 'windows';
  if (text.includes('macos')) return 'macos';
  if (text.includes('linux')) return 'linux';
  return null;
}

/** A Palisade name from an Intune name: letters, digits, space, dot, dash, underscore. */
export function palisadeName(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9 ._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 120)
    .trim();
  return cleaned === '' ? 'imported-policy' : cleaned;
}

interface Assignments {
  include: string[];
  exclude: string[];
}

function readAssignments(value: unknown, unmapped: string[]): Assignments {
  const out: Assignments = { include: [], exclude: [] };
  for (const assignment of Array.isArray(value) ? value : []) {
    const target = (assignment as { target?: Record<string, unknown> }).target ?? {};
    const type = String(target['@odata.type'] ?? '');
    const groupId = typeof target.groupId === 'string' ? target.groupId : null;
    if (type.endsWith('exclusionGroupAssignmentTarget') && groupId) out.exclude.push(groupId);
    else if (type.endsWith('groupAssignmentTarget') && groupId) out.include.push(groupId);
    else {
      unmapped.push(
        `assignment ${type || '(no type)'}: only Entra groups carry over; add a Palisade group for it`,
      );
    }
  }
  if (out.include.length + out.exclude.length > 0) {
    unmapped.push(
      `assignments name Entra group ids (${[...out.include, ...out.exclude].join(', ')}): create Palisade groups with those names, or rename them in the documents`,
    );
  }
  return out;
}

/** Converts one Graph policy (already parsed JSON). `source` names it in the report. */
export function convertIntunePolicy(policy: unknown, source: string): IntuneImport {
  const unmapped: string[] = [];
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    return {
      documents: [],
      unmapped: [`${source}: not a deviceManagementConfigurationPolicy object`],
    };
  }
  const record = policy as Record<string, unknown>;
  const platform = platformOf(record.platforms);
  const name = palisadeName(String(record.name ?? 'imported-policy'));
  if (platform === null) {
    return {
      documents: [],
      unmapped: [`${source}: platforms ${String(record.platforms)} is not windows, macOS or linux`],
    };
  }
  const index = windowsIndex();
  const linux = linuxIndex();
  const byProfile = new Map<Profile, Record<string, JsonValue>>();
  const put = (profile: Profile, id: string, value: JsonValue) => {
    const settings = byProfile.get(profile) ?? {};
    settings[id] = value;
    byProfile.set(profile, settings);
  };
  const settings = Array.isArray(record.settings) ? record.settings : [];
  for (const item of settings) {
    const instance = (item as { settingInstance?: SettingInstance }).settingInstance;
    const id = instance?.settingDefinitionId;
    if (!instance || !id) {
      unmapped.push(`${source}: a setting without settingInstance.settingDefinitionId`);
      continue;
    }
    if (platform === 'linux') {
      readLinuxSetting(instance, id, linux, put, unmapped);
      continue;
    }
    if (platform !== 'windows') {
      unmapped.push(`${id}: ${platform} settings-catalog settings are not mapped yet`);
      continue;
    }
    if (id === ASR_RULES_ID) {
      const rules = readAsrRules(instance, unmapped);
      if (rules) put('attack-surface-reduction', 'asr.rules', rules);
      continue;
    }
    if (id === FIREWALL_RULES_ID) {
      const rules = readFirewallRules(instance, unmapped);
      if (rules.length > 0) put('firewall-rules', 'firewall.rules', rules);
      continue;
    }
    const entry = index.get(id);
    if (!entry) {
      unmapped.push(`${id}: no Palisade setting corresponds`);
      continue;
    }
    const read = readScalarSetting(entry, instance, id);
    if ('problem' in read) unmapped.push(read.problem);
    else put(entry.setting.profile, entry.setting.id, read.value);
  }
  const assignments = readAssignments(record.assignments, unmapped);
  const description = typeof record.description === 'string' ? record.description : '';
  const documents = [...byProfile.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([profile, values], _index, all) => ({
      kind: 'Policy',
      name: all.length === 1 ? name : `${name} ${profile}`,
      ...(description ? { description: description.slice(0, 1024) } : {}),
      platform,
      profile,
      settings: Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1))),
      assignments: {
        include: assignments.include,
        ...(assignments.exclude.length > 0 ? { exclude: assignments.exclude } : {}),
      },
    }));
  if (documents.length === 0) unmapped.push(`${source}: no setting could be mapped`);
  return { documents, unmapped };
}
