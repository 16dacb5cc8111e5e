/**
 * Windows Defender, ASR and Windows Firewall as one native state: the Defender preferences
 * (Get-MpPreference) and the firewall rules of the `Palisade` group. The codec turns settings into
 * the values the read-back shows; `renderApplyScript` turns a desired state into the PowerShell
 * that makes it so; `parseReadBack` reads the JSON the read-back script prints.
 */
import type { EffectiveSetting, JsonValue } from '@palisade/core';
import type { NativeMappingLookup } from '../catalog.js';
import { canonicalJson, type NativeCodec, NotExpressibleError } from '../driver.js';
import { isObject, type JsonObject } from '../json-tree.js';
import { ASR_ACTIONS, mpPreferenceOf, REGISTRY_VALUES, registryKey } from './mp-preferences.js';
import { packageSidOf } from './package-sid.js';

export const FIREWALL_GROUP = 'Palisade';
const ASR_RULES = 'asr.rules';
const FIREWALL_RULES = 'firewall.rules';

export interface WindowsFirewallRule {
  readonly name: string;
  readonly direction: 'in' | 'out';
  readonly action: 'allow' | 'block';
  readonly enabled: boolean;
  readonly protocol: string;
  readonly localPorts: readonly string[];
  readonly remotePorts: readonly string[];
  readonly localAddresses: readonly string[];
  readonly remoteAddresses: readonly string[];
  /** Empty means every profile. */
  readonly profiles: readonly string[];
  readonly program: string | null;
  readonly service: string | null;
  /** -IcmpType items: `8` (every code of type 8) or `3:4`; empty means every message. */
  readonly icmpTypes: readonly string[];
  /** -InterfaceType flags (Wired, Wireless, RemoteAccess); empty means any. */
  readonly interfaceTypes: readonly string[];
  /** -EdgeTraversalPolicy: Block or Allow from a policy; DeferToUser / DeferToApp by hand. */
  readonly edgeTraversal: string;
  /** -LocalUser: the SDDL of the authorized local users, or null for any. */
  readonly localUser: string | null;
  /** -RemoteDynamicKeywordAddresses: braced dynamic keyword address ids, lower case. */
  readonly remoteDynamicKeywords: readonly string[];
  /** -Package: the Store app's package SID (derived from its package family name). */
  readonly package: string | null;
  /** -PolicyAppId: the App Control tag. */
  readonly policyAppId: string | null;
}

export interface WindowsState {
  /** Get-MpPreference properties (those Palisade reads; integers for enumerations). */
  readonly preferences: Readonly<Record<string, JsonValue>>;
  readonly firewallRules: readonly WindowsFirewallRule[];
  /** Registry values Palisade reads and sets, by `<path>|<name>` (null: absent). */
  readonly registry: Readonly<Record<string, string | null>>;
  /** In a desired state: the preferences, registry values and parts Palisade sets. */
  readonly managed?: {
    readonly preferences: readonly string[];
    readonly registry: readonly string[];
    readonly asr: boolean;
    readonly firewall: boolean;
  };
  /** In a desired state: the state it replaces, to put back if the script fails. */
  readonly previous?: WindowsState;
}

const sorted = (items: readonly string[]) => [...items].sort();
const stringsOf = (value: JsonValue | undefined): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** `guid=code` pairs, lower-case GUIDs, sorted: how ASR rules are compared. */
function asrPairs(preferences: Readonly<Record<string, JsonValue>>): string[] {
  const ids = stringsOf(preferences.AttackSurfaceReductionRules_Ids as JsonValue);
  const actions = (preferences.AttackSurfaceReductionRules_Actions ?? []) as JsonValue[];
  return sorted(
    ids.map(
      (id, index) => `${id.toLowerCase()}=${String(Array.isArray(actions) ? actions[index] : '')}`,
    ),
  );
}

/** The catalog's interface types as -InterfaceType flags; `all` is the absence of the condition. */
const INTERFACE_FLAGS: Readonly<Record<string, string | null>> = {
  lan: 'Wired',
  wireless: 'Wireless',
  'remote-access': 'RemoteAccess',
  all: null,
};

/** `8:*` is written as -IcmpType 8 (a type alone matches all its codes); `*` is no condition. */
const icmpTypesOf = (items: readonly string[]) =>
  sorted(items.filter((item) => item !== '*').map((item) => item.replace(/:\*$/, '')));

function interfaceFlagsOf(name: string, items: readonly string[]): string[] {
  return sorted(
    items.flatMap((item) => {
      const flag = INTERFACE_FLAGS[item];
      if (flag === undefined) {
        throw new NotExpressibleError(
          `firewall rule ${name}: New-NetFirewallRule has no interface type for ${item} ` +
            '(it takes Wired, Wireless and RemoteAccess)',
        );
      }
      return flag === null ? [] : [flag];
    }),
  );
}

const textOf = (value: JsonValue | undefined) =>
  typeof value === 'string' && value !== '' ? value : null;

export function firewallRuleOf(rule: Readonly<Record<string, JsonValue>>): WindowsFirewallRule {
  const name = typeof rule.name === 'string' ? rule.name : '';
  if (name === '') throw new NotExpressibleError('a firewall rule has no name');
  // Refused rather than applied wider than the administrator wrote it.
  if (textOf(rule.fqbn)) {
    throw new NotExpressibleError(
      `firewall rule ${name}: New-NetFirewallRule cannot match a fully qualified binary ` +
        'name (fqbn)',
    );
  }
  const packageFamilyName = textOf(rule.packageFamilyName);
  return {
    name,
    direction: rule.direction === 'in' ? 'in' : 'out',
    action: rule.action === 'block' ? 'block' : 'allow',
    enabled: rule.enabled !== false,
    protocol: typeof rule.protocol === 'string' ? rule.protocol : 'any',
    localPorts: sorted(stringsOf(rule.localPorts)),
    remotePorts: sorted(stringsOf(rule.remotePorts)),
    localAddresses: sorted(stringsOf(rule.localAddresses).filter((a) => a !== '*')),
    remoteAddresses: sorted(stringsOf(rule.remoteAddresses).filter((a) => a !== '*')),
    profiles: sorted(stringsOf(rule.profiles)).length === 3 ? [] : sorted(stringsOf(rule.profiles)),
    program: textOf(rule.program),
    service: textOf(rule.service),
    icmpTypes: icmpTypesOf(stringsOf(rule.icmpTypes)),
    interfaceTypes: interfaceFlagsOf(name, stringsOf(rule.interfaceTypes)),
    edgeTraversal: rule.edgeTraversal === true ? 'Allow' : 'Block',
    localUser: textOf(rule.localUserAuthorizedList),
    remoteDynamicKeywords: sorted(
      stringsOf(rule.remoteAddressDynamicKeywords).map((id) => id.toLowerCase()),
    ),
    package: packageFamilyName === null ? null : packageSidOf(packageFamilyName),
    policyAppId: textOf(rule.policyAppId),
  };
}

const byName = (a: WindowsFirewallRule, b: WindowsFirewallRule) => a.name.localeCompare(b.name);

export class WindowsCodec implements NativeCodec<WindowsState> {
  constructor(private readonly lookup: NativeMappingLookup) {}

  expresses(settingId: string): boolean {
    return (
      settingId === ASR_RULES ||
      settingId === FIREWALL_RULES ||
      settingId in REGISTRY_VALUES ||
      mpPreferenceOf(settingId, this.lookup) !== undefined
    );
  }

  fragment(setting: EffectiveSetting): JsonValue {
    if (setting.id === ASR_RULES) {
      if (!isObject(setting.value))
        throw new NotExpressibleError('asr.rules must map rule GUIDs to modes');
      return sorted(
        Object.entries(setting.value).map(([guid, mode]) => {
          const action = ASR_ACTIONS[String(mode)];
          if (!action)
            throw new NotExpressibleError(`asr.rules: ${String(mode)} is not an ASR mode`);
          return `${guid.toLowerCase()}=${action.code}`;
        }),
      );
    }
    if (setting.id === FIREWALL_RULES) {
      if (!Array.isArray(setting.value))
        throw new NotExpressibleError('firewall.rules must be a list');
      return (setting.value as JsonValue[])
        .map((rule) => firewallRuleOf(rule as Readonly<Record<string, JsonValue>>))
        .sort(byName) as unknown as JsonValue;
    }
    if (setting.id in REGISTRY_VALUES) return String(setting.value);
    const preference = mpPreferenceOf(setting.id, this.lookup);
    if (!preference) throw new NotExpressibleError(`${setting.id} has no Defender preference`);
    const native = preference.toNative(setting.value);
    if (native === null || native === undefined) {
      throw new NotExpressibleError(
        `${setting.id}: ${canonicalJson(setting.value)} has no ${preference.name} value`,
      );
    }
    return native;
  }

  observe(state: WindowsState, settingId: string): JsonValue | undefined {
    if (settingId === ASR_RULES) return asrPairs(state.preferences);
    if (settingId === FIREWALL_RULES)
      return [...state.firewallRules].sort(byName) as unknown as JsonValue;
    const registry = REGISTRY_VALUES[settingId];
    if (registry) return state.registry[registryKey(registry)] ?? undefined;
    const preference = mpPreferenceOf(settingId, this.lookup);
    if (!preference) return undefined;
    const value = state.preferences[preference.name];
    if (preference.kind === 'list') return sorted(stringsOf(value));
    return value;
  }

  render(
    wanted: ReadonlyMap<string, JsonValue>,
    current: WindowsState,
    previouslyManaged: readonly string[] = [],
  ): WindowsState {
    const fragments = new Map(wanted);
    for (const id of previouslyManaged) {
      const cleared = fragments.has(id) ? undefined : this.cleared(id);
      if (cleared !== undefined) fragments.set(id, cleared);
    }
    const preferences: Record<string, JsonValue> = { ...current.preferences };
    const registry: Record<string, string | null> = { ...current.registry };
    const managed: string[] = [];
    const managedRegistry: string[] = [];
    for (const [id, fragment] of fragments) {
      if (id === ASR_RULES || id === FIREWALL_RULES) continue;
      const value = REGISTRY_VALUES[id];
      if (value) {
        registry[registryKey(value)] = fragment === null ? null : String(fragment);
        managedRegistry.push(registryKey(value));
        continue;
      }
      const name = (mpPreferenceOf(id, this.lookup) as { name: string }).name;
      preferences[name] = fragment;
      managed.push(name);
    }
    const asr = fragments.get(ASR_RULES) as string[] | undefined;
    if (asr) {
      preferences.AttackSurfaceReductionRules_Ids = asr.map((pair) => pair.split('=')[0] as string);
      preferences.AttackSurfaceReductionRules_Actions = asr.map((pair) =>
        Number(pair.split('=')[1]),
      );
    }
    const firewall = fragments.get(FIREWALL_RULES) as unknown as WindowsFirewallRule[] | undefined;
    return {
      preferences,
      firewallRules: firewall ?? current.firewallRules,
      registry,
      managed: {
        preferences: managed.sort(),
        registry: managedRegistry.sort(),
        asr: asr !== undefined,
        firewall: firewall !== undefined,
      },
      previous: current,
    };
  }

  /**
   * What a setting Palisade applied before and the configuration no longer holds leaves behind:
   * lists (exclusions, ASR rules, the Palisade firewall group) are emptied and the registry value
   * removed, as on the other targets. A single preference keeps its value: Set-MpPreference has no
   * "not configured", and Palisade does not guess Defender's default.
   */
  private cleared(settingId: string): JsonValue | undefined {
    if (settingId === ASR_RULES || settingId === FIREWALL_RULES) return [];
    if (settingId in REGISTRY_VALUES) return null;
    return mpPreferenceOf(settingId, this.lookup)?.kind === 'list' ? [] : undefined;
  }
}

/* ---- read-back ---- */

/** What the read-back script prints: Defender preferences and the Palisade firewall rules. */
export const READ_BACK_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  // The CIM plumbing (CimClass…) would drown the values and nest past any depth.
  '$preferences = Get-MpPreference | Select-Object -Property * -ExcludeProperty Cim*, PSComputerName',
  `$rules = @(Get-NetFirewallRule -Group '${FIREWALL_GROUP}' -ErrorAction SilentlyContinue | ForEach-Object {`,
  '  $port = $_ | Get-NetFirewallPortFilter',
  '  $address = $_ | Get-NetFirewallAddressFilter',
  '  $application = $_ | Get-NetFirewallApplicationFilter',
  '  $service = $_ | Get-NetFirewallServiceFilter',
  '  $interface = $_ | Get-NetFirewallInterfaceTypeFilter',
  '  $security = $_ | Get-NetFirewallSecurityFilter',
  '  [pscustomobject]@{',
  '    DisplayName = $_.DisplayName; Direction = "$($_.Direction)"; Action = "$($_.Action)"',
  '    Enabled = "$($_.Enabled)"; Profile = "$($_.Profile)"; Protocol = "$($port.Protocol)"',
  '    LocalPort = @($port.LocalPort); RemotePort = @($port.RemotePort)',
  '    LocalAddress = @($address.LocalAddress); RemoteAddress = @($address.RemoteAddress)',
  '    Program = "$($application.Program)"; Service = "$($service.Service)"',
  '    IcmpType = @($port.IcmpType); InterfaceType = "$($interface.InterfaceType)"',
  '    EdgeTraversalPolicy = "$($_.EdgeTraversalPolicy)"; LocalUser = "$($security.LocalUser)"',
  // Rule properties of recent Windows builds only: absent elsewhere, read as empty.
  '    RemoteDynamicKeywordAddresses = @($_.RemoteDynamicKeywordAddresses | Where-Object { $_ })',
  '    Package = "$($application.Package)"; PolicyAppId = "$($_.PolicyAppId)"',
  '  }',
  '})',
  '$registry = @{}',
  ...Object.values(REGISTRY_VALUES).map(
    (value) =>
      `$registry['${registryKey(value)}'] = (Get-ItemProperty -Path '${value.path}' -Name '${value.name}' -ErrorAction SilentlyContinue).'${value.name}'`,
  ),
  '[pscustomobject]@{ preferences = $preferences; firewallRules = $rules; registry = $registry } | ConvertTo-Json -Depth 4 -Compress',
].join('\n');

const any = (value: JsonValue | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value])
    .map(String)
    .filter((item) => item.toLowerCase() !== 'any' && item !== '*');

/** Windows prints IPv4 prefixes with a mask (10.0.0.0/255.0.0.0); policies use a length. */
export function prefixLength(address: string): string {
  const match = /^([0-9.]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (!match) return address;
  const bits = (match[2] as string)
    .split('.')
    .map((octet) => Number(octet).toString(2).replace(/0/g, '').length)
    .reduce((sum, count) => sum + count, 0);
  return `${match[1]}/${bits}`;
}

function ruleFromReadBack(rule: JsonObject): WindowsFirewallRule {
  const profile = String(rule.Profile ?? 'Any');
  const text = (value: JsonValue | undefined) =>
    typeof value === 'string' && value !== '' && value.toLowerCase() !== 'any' ? value : null;
  return {
    name: String(rule.DisplayName ?? ''),
    direction: String(rule.Direction) === 'Inbound' ? 'in' : 'out',
    action: String(rule.Action) === 'Block' ? 'block' : 'allow',
    enabled: String(rule.Enabled) === 'True',
    protocol: String(rule.Protocol ?? 'Any').toLowerCase(),
    localPorts: sorted(any(rule.LocalPort)),
    remotePorts: sorted(any(rule.RemotePort)),
    localAddresses: sorted(any(rule.LocalAddress).map(prefixLength)),
    remoteAddresses: sorted(any(rule.RemoteAddress).map(prefixLength)),
    profiles:
      profile === 'Any' ? [] : sorted(profile.split(',').map((p) => p.trim().toLowerCase())),
    program: text(rule.Program),
    service: text(rule.Service),
    icmpTypes: icmpTypesOf(any(rule.IcmpType)),
    interfaceTypes: sorted(
      String(rule.InterfaceType ?? '')
        .split(',')
        .map((flag) => flag.trim())
        .filter((flag) => flag !== '' && flag.toLowerCase() !== 'any'),
    ),
    edgeTraversal: text(rule.EdgeTraversalPolicy) ?? 'Block',
    localUser: text(rule.LocalUser),
    remoteDynamicKeywords: sorted(
      stringsOf(rule.RemoteDynamicKeywordAddresses).map((id) => id.toLowerCase()),
    ),
    package: text(rule.Package),
    policyAppId: text(rule.PolicyAppId),
  };
}

/** Parses the read-back script's JSON (PowerShell prints a one-item array as the item). */
export function parseReadBack(text: string): WindowsState {
  const parsed = JSON.parse(text) as JsonValue;
  if (!isObject(parsed) || !isObject(parsed.preferences)) {
    throw new Error(
      'the read-back has no Defender preferences (is Defender installed and running?)',
    );
  }
  const rules = parsed.firewallRules;
  const list = Array.isArray(rules) ? rules : isObject(rules) ? [rules] : [];
  const registry: Record<string, string | null> = {};
  if (isObject(parsed.registry)) {
    for (const [key, value] of Object.entries(parsed.registry))
      registry[key] = typeof value === 'string' ? value : null;
  }
  return {
    preferences: parsed.preferences,
    firewallRules: list.filter(isObject).map(ruleFromReadBack).sort(byName),
    registry,
  };
}
