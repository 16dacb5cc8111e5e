/**
 * The PowerShell that brings a machine to a desired Windows state. One script, run with
 * `$ErrorActionPreference = 'Stop'`, so the first refused cmdlet stops it; the driver then runs the
 * same renderer on the state read before the change to put the machine back.
 * - Defender preferences: one Set-MpPreference with every managed value (lists replace the list).
 * - ASR rules: rules Palisade no longer wants are removed, then each rule is set with
 *   Add-MpPreference (which also updates a rule's action).
 * - Registry values (the EDR device tag): created or replaced with Set-ItemProperty.
 * - Firewall: the rules of the `Palisade` group are removed and created again with
 *   New-NetFirewallRule; rules of other groups are never touched. The Firewall CSP's rule fields
 *   map to its parameters (IcmpTypesAndCodes -IcmpType, InterfaceTypes -InterfaceType,
 *   EdgeTraversal -EdgeTraversalPolicy, LocalUserAuthorizedList -LocalUser,
 *   RemoteAddressDynamicKeywords -RemoteDynamicKeywordAddresses, App/PackageFamilyName -Package
 *   as the package SID). -PolicyAppId is a parameter of recent builds only (Windows 11 / 10 22H2
 *   with the 2023 App Control update): on an older one PowerShell refuses it, the script stops and
 *   the rule is reported failed with that error. App/Fqbn has no parameter: such a rule is refused.
 */
import type { JsonValue } from '@palisade/core';
import { ASR_ACTIONS } from './mp-preferences.js';
import { FIREWALL_GROUP, type WindowsFirewallRule, type WindowsState } from './windows-state.js';

/** A PowerShell single-quoted string ('' escapes a quote). */
export function psString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function psValue(value: JsonValue): string {
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value))
    return value.length === 0
      ? '@()'
      : `@(${value.map((item) => psValue(item as JsonValue)).join(', ')})`;
  return psString(String(value));
}

const ACTION_BY_CODE = new Map(
  Object.values(ASR_ACTIONS).map((entry) => [entry.code, entry.action]),
);
const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMPv4',
  icmpv6: 'ICMPv6',
};

function firewallRuleCommand(rule: WindowsFirewallRule): string {
  const parts = [
    'New-NetFirewallRule',
    `-Group ${psString(FIREWALL_GROUP)}`,
    `-DisplayName ${psString(rule.name)}`,
    `-Direction ${rule.direction === 'in' ? 'Inbound' : 'Outbound'}`,
    `-Action ${rule.action === 'block' ? 'Block' : 'Allow'}`,
    `-Enabled ${rule.enabled ? 'True' : 'False'}`,
  ];
  if (rule.protocol !== 'any') parts.push(`-Protocol ${PROTOCOLS[rule.protocol] ?? rule.protocol}`);
  if (rule.localPorts.length > 0)
    parts.push(`-LocalPort ${rule.localPorts.map(psString).join(', ')}`);
  if (rule.remotePorts.length > 0)
    parts.push(`-RemotePort ${rule.remotePorts.map(psString).join(', ')}`);
  if (rule.localAddresses.length > 0)
    parts.push(`-LocalAddress ${rule.localAddresses.map(psString).join(', ')}`);
  if (rule.remoteAddresses.length > 0)
    parts.push(`-RemoteAddress ${rule.remoteAddresses.map(psString).join(', ')}`);
  const profiles = rule.profiles.map((p) => p.charAt(0).toUpperCase() + p.slice(1));
  parts.push(`-Profile ${profiles.length > 0 ? profiles.join(',') : 'Any'}`);
  if (rule.program) parts.push(`-Program ${psString(rule.program)}`);
  if (rule.service) parts.push(`-Service ${psString(rule.service)}`);
  if (rule.icmpTypes.length > 0) parts.push(`-IcmpType ${rule.icmpTypes.map(psString).join(', ')}`);
  if (rule.interfaceTypes.length > 0) parts.push(`-InterfaceType ${rule.interfaceTypes.join(',')}`);
  if (rule.edgeTraversal !== 'Block') parts.push(`-EdgeTraversalPolicy ${rule.edgeTraversal}`);
  if (rule.localUser) parts.push(`-LocalUser ${psString(rule.localUser)}`);
  if (rule.remoteDynamicKeywords.length > 0)
    parts.push(
      `-RemoteDynamicKeywordAddresses ${rule.remoteDynamicKeywords.map(psString).join(', ')}`,
    );
  if (rule.package) parts.push(`-Package ${psString(rule.package)}`);
  if (rule.policyAppId) parts.push(`-PolicyAppId ${psString(rule.policyAppId)}`);
  return `${parts.join(' ')} | Out-Null`;
}

const isEmpty = (value: JsonValue | undefined) =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0);

/**
 * One Set-MpPreference with every managed value. A list to be emptied is the exception:
 * Get-MpPreference shows an empty list as null, and Set-MpPreference takes neither null nor an
 * empty list, so the items present are removed with Remove-MpPreference instead. (This is how a
 * rollback puts back the empty exclusion lists of the state read before the change.)
 */
function preferenceCommands(
  names: readonly string[],
  desired: WindowsState,
  current: WindowsState,
): string[] {
  const parameters: string[] = [];
  const removals: string[] = [];
  for (const name of names) {
    const value = desired.preferences[name];
    if (!isEmpty(value)) {
      parameters.push(`-${name} ${psValue(value as JsonValue)}`);
      continue;
    }
    const present = current.preferences[name];
    if (Array.isArray(present) && present.length > 0)
      removals.push(`Remove-MpPreference -${name} ${psValue(present)}`);
  }
  return [
    ...(parameters.length > 0 ? [`Set-MpPreference ${parameters.join(' ')}`] : []),
    ...removals,
  ];
}

/**
 * The script for a desired state. `current` is what the machine holds now: ASR rules it has that
 * the desired state does not are removed.
 */
export function renderApplyScript(desired: WindowsState, current: WindowsState): string {
  const managed = desired.managed ?? { preferences: [], registry: [], asr: false, firewall: false };
  const lines = [
    '# Managed by palisade-agent: Defender preferences, ASR rules and the Palisade firewall group.',
    "$ErrorActionPreference = 'Stop'",
  ];
  lines.push(...preferenceCommands(managed.preferences, desired, current));
  for (const key of managed.registry) {
    const [path, name] = key.split('|') as [string, string];
    const value = desired.registry[key];
    // New-Item -Force on an existing key would drop its other values: create it only if missing.
    lines.push(
      `if (-not (Test-Path ${psString(path)})) { New-Item -Path ${psString(path)} -Force | Out-Null }`,
    );
    if (value === null || value === undefined) {
      lines.push(
        `Remove-ItemProperty -Path ${psString(path)} -Name ${psString(name)} -ErrorAction SilentlyContinue`,
      );
    } else {
      lines.push(
        `Set-ItemProperty -Path ${psString(path)} -Name ${psString(name)} -Value ${psString(value)} -Type String`,
      );
    }
  }
  if (managed.asr) {
    const wanted = (desired.preferences.AttackSurfaceReductionRules_Ids ?? []) as string[];
    const actions = (desired.preferences.AttackSurfaceReductionRules_Actions ?? []) as number[];
    const present = ((current.preferences.AttackSurfaceReductionRules_Ids ?? []) as string[]).map(
      (id) => id.toLowerCase(),
    );
    const stale = present.filter((id) => !wanted.includes(id));
    if (stale.length > 0)
      lines.push(`Remove-MpPreference -AttackSurfaceReductionRules_Ids ${psValue(stale)}`);
    wanted.forEach((id, index) => {
      const action = ACTION_BY_CODE.get(actions[index] as number) ?? 'Disabled';
      lines.push(
        `Add-MpPreference -AttackSurfaceReductionRules_Ids ${psString(id)} -AttackSurfaceReductionRules_Actions ${action}`,
      );
    });
  }
  if (managed.firewall) {
    lines.push(
      `Get-NetFirewallRule -Group ${psString(FIREWALL_GROUP)} -ErrorAction SilentlyContinue | Remove-NetFirewallRule`,
    );
    for (const rule of desired.firewallRules) lines.push(firewallRuleCommand(rule));
  }
  return `${lines.join('\r\n')}\r\n`;
}
