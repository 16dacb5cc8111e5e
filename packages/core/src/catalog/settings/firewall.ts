/**
 * The firewall-rules profile: host firewall rules, Windows Firewall (Firewall CSP
 * MdmStore/FirewallRules, reference: firewall-csp.json) and nftables on Linux. A rule has the
 * fields of the Firewall CSP that make sense on both (ICMP types and codes included: nftables
 * matches them too), plus the Windows-only ones that nftables cannot express: profiles, program,
 * service, interface types, edge traversal, authorized local users, dynamic keyword addresses,
 * Store app package, fully qualified binary name and App Control tag.
 *
 * Choices where the Firewall CSP is silent or surprising, made for the careful administrator:
 * - `direction` and `action` are required: the CSP defaults (outbound, allow) are rarely what a
 *   rule's author meant when they left the field out.
 * - `enabled` defaults to true: the CSP creates a rule disabled when Enabled is absent, which
 *   would silently drop the rule the administrator just wrote.
 */

import type { PolicyPlatform } from '../../model.js';
import type { FieldDefinition, SettingDefinition } from '../types.js';

const PORT_ITEM = '^[0-9]{1,5}(-[0-9]{1,5})?$';

/** The type of localPorts and remotePorts: the same ports or ranges on either end. */
const PORT_LIST: FieldDefinition['type'] = {
  kind: 'string-list',
  itemPattern: PORT_ITEM,
  itemDescription: 'a port such as 443 or a range such as 8000-8080',
  maxItems: 100,
};

/**
 * IcmpTypesAndCodes items: `type:code` with decimal type and code (0-255, checked below) or `*`
 * for every code of the type; `*` alone means every message. The CSP refuses `*:4` and `*:*`.
 */
const ICMP_ITEM = '^(\\*|[0-9]{1,3}:([0-9]{1,3}|\\*))$';

/** InterfaceTypes values (the CSP's Lan, Wireless, RemoteAccess, MBB, All), catalog-style. */
export const INTERFACE_TYPES = [
  'lan',
  'wireless',
  'remote-access',
  'mobile-broadband',
  'all',
] as const;

/** RemoteAddressDynamicKeywords items, as the CSP's itemRegex states them. */
const GUID_BRACED =
  '\\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\}';

/**
 * A package family name: the package name (3-50 letters, digits, . and -), `_`, and the 13
 * characters of the publisher id (Crockford base32: digits and lower-case letters but i, l, o, u).
 */
const PACKAGE_FAMILY_NAME = '^[A-Za-z0-9.-]{3,50}_[0-9a-hjkmnp-tv-z]{13}$';

/**
 * An SDDL security descriptor that carries a DACL (`D:` and at least one ACE), optionally led
 * by an owner and a group: what LocalUserAuthorizedList holds, e.g. `O:LSD:(A;;CC;;;S-1-5-21-…)`.
 */
const SDDL_PATTERN = '^(O:[A-Za-z0-9-]+)?(G:[A-Za-z0-9-]+)?D:[A-Za-z]*(\\([^()]+\\))+$';

/** Windows Firewall's remote address keywords (case-insensitive); nftables has none of them. */
export const WINDOWS_ADDRESS_KEYWORDS = [
  'Defaultgateway',
  'DHCP',
  'DNS',
  'WINS',
  'Intranet',
  'RemoteCorpNetwork',
  'Internet',
  'PlayToRenderers',
  'LocalSubnet',
] as const;

export const FIREWALL_RULE_FIELDS: readonly FieldDefinition[] = [
  {
    key: 'name',
    label: 'Name',
    help: 'Identifies the rule; unique within a policy. Two policies with a rule of the same name conflict unless the rules are equal.',
    type: {
      kind: 'string',
      pattern: '^[^|/\\u0000-\\u001f]+$',
      maxLength: 200,
      description: 'a name without / or |',
    },
    required: true,
    native: { 'windows-defender': '{FirewallRuleName} and Name', nftables: 'rule comment' },
  },
  {
    key: 'description',
    label: 'Description',
    help: 'Free text shown with the rule.',
    type: { kind: 'string', maxLength: 1024 },
    required: false,
    native: { 'windows-defender': 'Description' },
  },
  {
    key: 'direction',
    label: 'Direction',
    help: 'Inbound (traffic to the device) or outbound (traffic from it).',
    type: {
      kind: 'choice',
      options: [
        { value: 'in', label: 'Inbound' },
        { value: 'out', label: 'Outbound' },
      ],
    },
    required: true,
    native: { 'windows-defender': 'Direction (IN | OUT)', nftables: 'chain input | output' },
  },
  {
    key: 'action',
    label: 'Action',
    help: 'Allow or block the matching traffic.',
    type: {
      kind: 'choice',
      options: [
        { value: 'allow', label: 'Allow' },
        { value: 'block', label: 'Block' },
      ],
    },
    required: true,
    native: { 'windows-defender': 'Action/Type (1 allow | 0 block)', nftables: 'accept | drop' },
  },
  {
    key: 'protocol',
    label: 'Protocol',
    help: 'The IP protocol; ports need tcp or udp.',
    type: {
      kind: 'choice',
      options: [
        { value: 'any', label: 'Any' },
        { value: 'tcp', label: 'TCP' },
        { value: 'udp', label: 'UDP' },
        { value: 'icmp', label: 'ICMP' },
        { value: 'icmpv6', label: 'ICMPv6' },
      ],
    },
    required: false,
    default: 'any',
    native: {
      'windows-defender': 'Protocol (6 tcp, 17 udp, 1 icmp, 58 icmpv6; absent for any)',
      nftables: 'meta l4proto',
    },
  },
  {
    key: 'localPorts',
    label: 'Local ports',
    help: 'Ports on the device: single ports or ranges. Empty or absent means all.',
    type: PORT_LIST,
    required: false,
    native: {
      'windows-defender': 'LocalPortRanges (joined with ,)',
      nftables: 'th dport (inbound) | th sport (outbound)',
    },
  },
  {
    key: 'remotePorts',
    label: 'Remote ports',
    help: 'Ports on the other end: single ports or ranges. Empty or absent means all.',
    type: PORT_LIST,
    required: false,
    native: {
      'windows-defender': 'RemotePortRanges (joined with ,)',
      nftables: 'th sport (inbound) | th dport (outbound)',
    },
  },
  {
    key: 'localAddresses',
    label: 'Local addresses',
    help: 'Addresses of the device: IPv4 or IPv6 addresses, prefixes (10.0.0.0/8) or ranges (a-b).',
    type: {
      kind: 'string-list',
      itemDescription:
        'an IP address, a prefix such as 10.0.0.0/8, or a range such as 10.0.0.1-10.0.0.9',
      maxItems: 1000,
      maxItemLength: 100,
    },
    required: false,
    native: {
      'windows-defender': 'LocalAddressRanges (joined with ,)',
      nftables: 'ip/ip6 daddr (inbound) | saddr (outbound)',
    },
  },
  {
    key: 'remoteAddresses',
    label: 'Remote addresses',
    help:
      'Addresses of the other end: IPv4 or IPv6 addresses, prefixes or ranges; on Windows also ' +
      'the keywords LocalSubnet, Internet, Intranet, DNS, DHCP, WINS, Defaultgateway, ' +
      'RemoteCorpNetwork, PlayToRenderers.',
    type: {
      kind: 'string-list',
      itemDescription: 'an IP address, a prefix, a range, or (Windows) an address keyword',
      maxItems: 1000,
      maxItemLength: 100,
    },
    required: false,
    native: {
      'windows-defender': 'RemoteAddressRanges (joined with ,)',
      nftables: 'ip/ip6 saddr (inbound) | daddr (outbound)',
    },
  },
  {
    key: 'enabled',
    label: 'Enabled',
    help: 'A disabled rule is delivered but has no effect.',
    type: { kind: 'boolean' },
    required: false,
    default: true,
    native: { 'windows-defender': 'Enabled', nftables: 'rule present or absent' },
  },
  {
    key: 'profiles',
    label: 'Network profiles',
    help: 'Windows network profiles the rule applies in; absent means all.',
    type: {
      kind: 'string-list',
      itemPattern: '^(domain|private|public)$',
      itemDescription: 'domain, private or public',
      maxItems: 3,
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'Profiles (bitmask: domain 1, private 2, public 4)' },
  },
  {
    key: 'program',
    label: 'Program',
    help: 'The full path of the program the rule applies to (Windows only).',
    type: {
      kind: 'string',
      pattern: '^([A-Za-z]:\\\\|%[A-Za-z0-9_()]+%)',
      maxLength: 1024,
      description: 'a full path such as C:\\Program Files\\App\\app.exe',
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'App/FilePath' },
  },
  {
    key: 'service',
    label: 'Service',
    help: 'The Windows service the rule applies to (Windows only).',
    type: { kind: 'string', pattern: '^[^\\\\/|\\u0000-\\u001f]+$', maxLength: 256 },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'App/ServiceName' },
  },
  {
    key: 'icmpTypes',
    label: 'ICMP types and codes',
    help:
      'ICMP messages the rule matches, as type:code pairs (3:4) or a type with every code (8:*); ' +
      '* alone means all. Needs protocol icmp or icmpv6.',
    type: {
      kind: 'string-list',
      itemPattern: ICMP_ITEM,
      itemDescription: 'a type:code pair such as 3:4, a type with every code such as 8:*, or *',
      maxItems: 100,
    },
    required: false,
    platforms: ['windows', 'linux'],
    native: {
      'windows-defender': 'IcmpTypesAndCodes (joined with ,)',
      nftables: 'icmp type | icmp type . icmp code (icmpv6 for protocol icmpv6)',
    },
  },
  {
    key: 'interfaceTypes',
    label: 'Interface types',
    help:
      'Kinds of network interface the rule applies to (Windows only): lan, wireless, ' +
      'remote-access, mobile-broadband, or all. Absent means all.',
    type: {
      kind: 'string-list',
      itemPattern: `^(${INTERFACE_TYPES.join('|')})$`,
      itemDescription: INTERFACE_TYPES.join(', '),
      maxItems: INTERFACE_TYPES.length,
    },
    required: false,
    platforms: ['windows'],
    native: {
      'windows-defender': 'InterfaceTypes (Lan, Wireless, RemoteAccess, MBB, All; joined with ,)',
    },
  },
  {
    key: 'edgeTraversal',
    label: 'Edge traversal',
    help:
      'Let inbound traffic that crossed a NAT device or edge router (Teredo) match the rule ' +
      '(Windows only, inbound rules only). Off by default.',
    type: { kind: 'boolean' },
    required: false,
    default: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'EdgeTraversal (1 on | 0 off)' },
  },
  {
    key: 'localUserAuthorizedList',
    label: 'Authorized local users',
    help:
      'The local users or groups whose traffic the rule matches, as an SDDL security descriptor ' +
      '(Windows only), e.g. D:(A;;CC;;;S-1-5-32-544) for the Administrators group.',
    type: {
      kind: 'string',
      pattern: SDDL_PATTERN,
      maxLength: 4096,
      description: 'an SDDL security descriptor with a DACL, such as D:(A;;CC;;;S-1-5-32-544)',
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'LocalUserAuthorizedList' },
  },
  {
    key: 'remoteAddressDynamicKeywords',
    label: 'Remote dynamic keyword addresses',
    help:
      'Ids of dynamic keyword addresses (MdmStore/DynamicKeywords/Addresses) the other end must ' +
      'be in, as braced GUIDs (Windows only; Windows 10 20H2 with KB5013942, Windows 11).',
    type: {
      kind: 'string-list',
      itemPattern: `^${GUID_BRACED}$`,
      itemDescription: 'a braced GUID such as {01234567-89ab-cdef-0123-456789abcdef}',
      maxItems: 1000,
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'RemoteAddressDynamicKeywords (joined with ,)' },
  },
  {
    key: 'packageFamilyName',
    label: 'Store app package family name',
    help:
      'The Microsoft Store app the rule applies to, by package family name such as ' +
      'Microsoft.WindowsCalculator_8wekyb3d8bbwe (Windows only).',
    type: {
      kind: 'string',
      pattern: PACKAGE_FAMILY_NAME,
      maxLength: 64,
      description: 'a package family name such as Microsoft.WindowsCalculator_8wekyb3d8bbwe',
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'App/PackageFamilyName' },
  },
  {
    key: 'fqbn',
    label: 'Fully qualified binary name',
    help:
      'The signed binary the rule applies to, by fully qualified binary name (publisher, ' +
      'product, file name, version), e.g. ' +
      'O=CONTOSO, L=REDMOND, S=WA, C=US\\CONTOSO APP\\APP.EXE\\* ' +
      '(Windows only).',
    type: { kind: 'string', pattern: '^[^|\\u0000-\\u001f]+$', maxLength: 1024 },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'App/Fqbn' },
  },
  {
    key: 'policyAppId',
    label: 'App Control tag',
    help:
      'One App Control for Business tag (PolicyAppId): the rule applies to the processes the ' +
      'App Control policy tags with it (Windows only; not with service).',
    type: {
      kind: 'string',
      pattern: '^[A-Za-z0-9_.:/]+$',
      maxLength: 256,
      description: 'a tag of letters, digits and _ . : /',
    },
    required: false,
    platforms: ['windows'],
    native: { 'windows-defender': 'PolicyAppId' },
  },
];

export const FIREWALL_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'firewall.rules',
    displayName: 'Firewall rules',
    help:
      'Host firewall rules. Rules are ORed; within a rule every condition must match. Rules of ' +
      'several policies reaching one device are combined by name.',
    profile: 'firewall-rules',
    platforms: ['windows', 'linux'],
    type: {
      kind: 'structured-list',
      itemKey: 'name',
      fields: FIREWALL_RULE_FIELDS,
      maxItems: 1000,
    },
    default: null,
    native: {
      'windows-defender': {
        name: './Vendor/MSFT/Firewall/MdmStore/FirewallRules/{FirewallRuleName}',
        note:
          'one node per rule, sent in one SyncML Atomic block; New-NetFirewallRule when ' +
          'rendered as PowerShell',
      },
      nftables: {
        name: 'table inet palisade',
        note: 'chains input and output; one rule per firewall rule, commented with its name',
      },
    },
  },
];

/* ---- checks the field types alone cannot express ---- */

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 && parts.every((part) => /^[0-9]{1,3}$/.test(part) && Number(part) <= 255)
  );
}

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  let count = 0;
  for (const [index, group] of groups.entries()) {
    if (group.includes('.')) {
      // An embedded IPv4 address (::ffff:10.0.0.1) is allowed as the last group only.
      if (index !== groups.length - 1 || !isIpv4(group)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** Whether the text is an address, a prefix or a range of one IP family. */
export function isAddressToken(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const address = text.slice(0, slash);
    const prefix = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(prefix)) return false;
    if (isIpv4(address)) return Number(prefix) <= 32;
    return isIpv6(address) && Number(prefix) <= 128;
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const start = text.slice(0, dash);
    const end = text.slice(dash + 1);
    return (isIpv4(start) && isIpv4(end)) || (isIpv6(start) && isIpv6(end));
  }
  return isIpv4(text) || isIpv6(text);
}

/** Checks a port or range already known to match PORT_ITEM. */
function portProblem(item: string): string | null {
  const [start, end] = item.split('-').map(Number) as [number, number | undefined];
  const last = end ?? start;
  if (start < 1 || start > 65535 || last < 1 || last > 65535) {
    return `${item} is not a port: ports run from 1 to 65535`;
  }
  if (last < start) return `${item} is not a range: it ends before it starts`;
  return null;
}

function checkAddresses(
  rule: Readonly<Record<string, unknown>>,
  key: 'localAddresses' | 'remoteAddresses',
  platform: PolicyPlatform,
  at: (field: string, index: number, message: string) => void,
): void {
  const list = rule[key];
  if (!Array.isArray(list)) return;
  list.forEach((item: unknown, index) => {
    if (typeof item !== 'string') return;
    if (item === '*') {
      if (list.length > 1) at(key, index, '* means every address and must stand alone');
      return;
    }
    if (isAddressToken(item)) return;
    const keyword = WINDOWS_ADDRESS_KEYWORDS.find((k) => k.toLowerCase() === item.toLowerCase());
    if (keyword && key === 'remoteAddresses') {
      if (platform !== 'windows') {
        at(key, index, `${item} is a Windows Firewall keyword; nftables rules need addresses`);
      }
      return;
    }
    at(key, index, `${JSON.stringify(item)} is not an IP address, prefix or range`);
  });
}

function checkIcmpTypes(
  rule: Readonly<Record<string, unknown>>,
  protocol: string,
  report: (path: readonly (string | number)[], message: string) => void,
): void {
  const list = rule.icmpTypes;
  if (!Array.isArray(list) || list.length === 0) return;
  if (protocol !== 'icmp' && protocol !== 'icmpv6') {
    report(['icmpTypes'], `ICMP types need protocol icmp or icmpv6, not ${protocol}`);
  }
  list.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !new RegExp(ICMP_ITEM).test(item)) return;
    if (item === '*') {
      if (list.length > 1)
        report(['icmpTypes', index], '* means every ICMP message and must stand alone');
      return;
    }
    const [type, code] = item.split(':') as [string, string];
    if (Number(type) > 255 || (code !== '*' && Number(code) > 255)) {
      report(['icmpTypes', index], `${item} is not an ICMP type and code: both run from 0 to 255`);
    }
  });
}

/** Checks between the Windows-only fields (the CSP's own constraints). */
function checkWindowsFields(
  rule: Readonly<Record<string, unknown>>,
  report: (path: readonly (string | number)[], message: string) => void,
): void {
  const interfaces = rule.interfaceTypes;
  if (Array.isArray(interfaces) && interfaces.length > 1 && interfaces.includes('all')) {
    report(['interfaceTypes'], 'all means every interface type and must stand alone');
  }
  if (rule.edgeTraversal === true && rule.direction === 'out') {
    report(['edgeTraversal'], 'edge traversal applies to inbound rules only; set direction to in');
  }
  if (typeof rule.policyAppId === 'string' && typeof rule.service === 'string') {
    report(['policyAppId'], 'an App Control tag cannot be combined with a service; remove one');
  }
}

/**
 * Problems of one firewall rule beyond its field types: ports need tcp or udp and ICMP types
 * icmp or icmpv6, port numbers, ranges and ICMP types must make sense, addresses must parse
 * (keywords only on Windows), and the Windows-only fields keep the CSP's constraints.
 */
export function checkFirewallRule(
  rule: Readonly<Record<string, unknown>>,
  platform: PolicyPlatform,
  report: (path: readonly (string | number)[], message: string) => void,
): void {
  const at = (field: string, index: number, message: string) => report([field, index], message);
  const protocol = typeof rule.protocol === 'string' ? rule.protocol : 'any';
  for (const key of ['localPorts', 'remotePorts'] as const) {
    const list = rule[key];
    if (!Array.isArray(list) || list.length === 0) continue;
    if (protocol !== 'tcp' && protocol !== 'udp') {
      report([key], `ports need protocol tcp or udp, not ${protocol}`);
    }
    list.forEach((item: unknown, index) => {
      if (typeof item !== 'string' || !new RegExp(PORT_ITEM).test(item)) return;
      const problem = portProblem(item);
      if (problem) at(key, index, problem);
    });
  }
  checkAddresses(rule, 'localAddresses', platform, at);
  checkAddresses(rule, 'remoteAddresses', platform, at);
  checkIcmpTypes(rule, protocol, report);
  // Elsewhere the fields themselves are already refused as Windows-only.
  if (platform === 'windows') checkWindowsFields(rule, report);
}

/** Convenience for tests and callers that want the problems as a list. */
export function firewallRuleProblems(
  rule: Readonly<Record<string, unknown>>,
  platform: PolicyPlatform,
): { path: readonly (string | number)[]; message: string }[] {
  const problems: { path: readonly (string | number)[]; message: string }[] = [];
  checkFirewallRule(rule, platform, (path, message) => problems.push({ path, message }));
  return problems;
}
