/**
 * `firewall.rules` as nftables: one `inet palisade` table that Palisade owns whole, with an `input`
 * and an `output` base chain (policy accept: Palisade adds rules, it does not change the machine's
 * default stance). Each enabled firewall rule becomes one nft rule commented with the rule's name
 * (two when its addresses mix IPv4 and IPv6, two when its ICMP types mix types alone and
 * type:code pairs: `icmp type {…}` and `icmp type . icmp code {…}`). The Windows-only fields
 * are refused, never dropped: a rule without them would match more. Local/remote map to
 * destination/source by
 * direction. The same rules are described by `NftRule`, which is what the driver compares: the
 * rules it means to write, and the rules `nft -j list table inet palisade` shows.
 * An accept here ends this table's chain only: a drop in another table (the distribution's own
 * firewall) still applies, as nftables evaluates every base chain of a hook.
 */
import type { JsonValue } from '@palisade/core';
import { canonicalJson, NotExpressibleError } from '../driver.js';

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'palisade';

export interface NftRule {
  readonly name: string;
  readonly chain: 'input' | 'output';
  /** Address family of the address matches; null when the rule matches no address. */
  readonly family: 'ip' | 'ip6' | null;
  readonly protocol: string | null;
  readonly sport: readonly string[];
  readonly dport: readonly string[];
  readonly saddr: readonly string[];
  readonly daddr: readonly string[];
  /**
   * ICMP messages, all of one kind: types alone (`8`, every code) or `type:code` pairs (`3:4`);
   * empty means every message. A firewall rule listing both kinds becomes two nft rules.
   */
  readonly icmp: readonly string[];
  readonly verdict: 'accept' | 'drop';
}

export interface NftRuleset {
  readonly rules: readonly NftRule[];
}

type Record_ = Readonly<Record<string, JsonValue>>;

function strings(value: JsonValue | undefined, field: string, rule: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new NotExpressibleError(`firewall rule ${rule}: ${field} must be a list of strings`);
  }
  return (value as string[]).filter((item) => item !== '*');
}

/** nft prints host addresses without /32 or /128 and IPv6 in lower case; so do we. */
function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.replace(/\/32$/, lower.includes(':') ? '/32' : '').replace(/\/128$/, '');
}

const isV6 = (address: string) => address.includes(':');

/** Firewall rule fields nftables has no match for (the catalog keeps them off Linux policies). */
const WINDOWS_ONLY_FIELDS = [
  'program',
  'service',
  'interfaceTypes',
  'localUserAuthorizedList',
  'remoteAddressDynamicKeywords',
  'packageFamilyName',
  'fqbn',
  'policyAppId',
] as const;

function refuseWindowsOnlyFields(rule: Record_, name: string): void {
  for (const field of WINDOWS_ONLY_FIELDS) {
    const value = rule[field];
    const set = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
    if (set && value !== '') {
      throw new NotExpressibleError(`firewall rule ${name}: nftables cannot match a ${field}`);
    }
  }
  if (rule.edgeTraversal === true) {
    throw new NotExpressibleError(`firewall rule ${name}: nftables has no edge traversal`);
  }
}

/**
 * The rule's ICMP types and codes split by kind: `8:*` is the type alone (`icmp type 8`), `3:4`
 * a pair (`icmp type . icmp code 3 . 4`); `*` alone is no condition. Empty groups are dropped.
 */
function icmpGroups(rule: Record_, name: string, protocol: string | null): string[][] {
  const items = strings(rule.icmpTypes, 'icmpTypes', name);
  if (items.length === 0) return [[]];
  if (protocol !== 'icmp' && protocol !== 'icmpv6') {
    throw new NotExpressibleError(`firewall rule ${name}: ICMP types need protocol icmp or icmpv6`);
  }
  const types = items.filter((item) => item.endsWith(':*')).map((item) => item.slice(0, -2));
  const pairs = items.filter((item) => !item.endsWith(':*'));
  return [types.sort(), pairs.sort()].filter((group) => group.length > 0);
}

/** The nft rules for one firewall rule of the catalog's shape (none when disabled). */
export function nftRulesOf(rule: Record_): NftRule[] {
  const name = typeof rule.name === 'string' ? rule.name : '';
  if (name === '') throw new NotExpressibleError('a firewall rule has no name');
  if (Buffer.byteLength(name) > 128)
    throw new NotExpressibleError(`firewall rule ${name}: nft comments hold at most 128 bytes`);
  if (rule.enabled === false) return [];
  refuseWindowsOnlyFields(rule, name);
  const inbound = rule.direction === 'in';
  if (!inbound && rule.direction !== 'out')
    throw new NotExpressibleError(`firewall rule ${name}: direction must be in or out`);
  const protocol =
    typeof rule.protocol === 'string' && rule.protocol !== 'any' ? rule.protocol : null;
  const local = strings(rule.localAddresses, 'localAddresses', name).map(normaliseAddress);
  const remote = strings(rule.remoteAddresses, 'remoteAddresses', name).map(normaliseAddress);
  const localPorts = strings(rule.localPorts, 'localPorts', name);
  const remotePorts = strings(rule.remotePorts, 'remotePorts', name);
  const base = {
    name,
    chain: inbound ? ('input' as const) : ('output' as const),
    protocol: protocol === 'icmpv6' ? 'ipv6-icmp' : protocol,
    sport: [...(inbound ? remotePorts : localPorts)].sort(),
    dport: [...(inbound ? localPorts : remotePorts)].sort(),
    verdict: rule.action === 'block' ? ('drop' as const) : ('accept' as const),
  };
  return icmpGroups(rule, name, protocol).flatMap((icmp) =>
    addressRules({ ...base, icmp }, local, remote),
  );
}

/** One nft rule per address family the rule's addresses name (one without when it names none). */
function addressRules(
  base: Omit<NftRule, 'family' | 'saddr' | 'daddr'>,
  local: readonly string[],
  remote: readonly string[],
): NftRule[] {
  const inbound = base.chain === 'input';
  const addresses = [...local, ...remote];
  if (addresses.length === 0) return [{ ...base, family: null, saddr: [], daddr: [] }];
  const families = (['ip', 'ip6'] as const).filter((family) =>
    addresses.some((a) => isV6(a) === (family === 'ip6')),
  );
  return families.flatMap((family) => {
    const pick = (list: readonly string[]) =>
      list.filter((a) => isV6(a) === (family === 'ip6')).sort();
    const [l, r] = [pick(local), pick(remote)];
    // A side that had addresses, but none of this family, cannot match this family at all.
    if ((local.length > 0 && l.length === 0) || (remote.length > 0 && r.length === 0)) return [];
    return [{ ...base, family, saddr: inbound ? r : l, daddr: inbound ? l : r }];
  });
}

/**
 * Rule order in a chain: the first rule that matches decides. As in Windows Firewall, a block
 * rule wins over an allow rule, so drop rules come first; within each, a stable order.
 */
export function sortRules(rules: readonly NftRule[]): NftRule[] {
  const rank = (rule: NftRule) => (rule.verdict === 'drop' ? 0 : 1);
  // Canonical text (sorted keys) breaks ties, so the rules meant and the rules read back (built
  // with their keys in another order) sort alike.
  const text = (rule: NftRule) => canonicalJson(rule as unknown as JsonValue);
  return [...rules].sort(
    (a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name) || text(a).localeCompare(text(b)),
  );
}

const setOf = (items: readonly string[]) =>
  items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;

function ruleText(rule: NftRule): string {
  const parts: string[] = [];
  const portProtocol = rule.protocol === 'tcp' || rule.protocol === 'udp' ? rule.protocol : null;
  const ports = rule.sport.length + rule.dport.length > 0;
  // A port or ICMP type match implies its protocol: nft adds the dependency itself.
  if (rule.protocol && !(portProtocol && ports) && rule.icmp.length === 0)
    parts.push(`meta l4proto ${rule.protocol}`);
  if (rule.family && rule.saddr.length > 0) parts.push(`${rule.family} saddr ${setOf(rule.saddr)}`);
  if (rule.family && rule.daddr.length > 0) parts.push(`${rule.family} daddr ${setOf(rule.daddr)}`);
  if (rule.family && rule.saddr.length + rule.daddr.length === 0)
    parts.push(`meta nfproto ipv${rule.family === 'ip' ? 4 : 6}`);
  if (rule.icmp.length > 0) parts.push(icmpMatch(rule));
  if (rule.sport.length > 0) parts.push(`${portProtocol} sport ${setOf(rule.sport)}`);
  if (rule.dport.length > 0) parts.push(`${portProtocol} dport ${setOf(rule.dport)}`);
  parts.push(rule.verdict, `comment ${JSON.stringify(rule.name)}`);
  return parts.join(' ');
}

function icmpMatch(rule: NftRule): string {
  const icmp = rule.protocol === 'ipv6-icmp' ? 'icmpv6' : 'icmp';
  if (!rule.icmp[0]?.includes(':')) return `${icmp} type ${setOf(rule.icmp)}`;
  const pairs = rule.icmp.map((pair) => pair.replace(':', ' . '));
  return `${icmp} type . ${icmp} code ${setOf(pairs)}`;
}

/**
 * The nft script that replaces the table in one transaction (`nft -f`): declaring the table first
 * makes the delete valid when it does not exist yet.
 */
export function renderNftScript(ruleset: NftRuleset): string {
  const chain = (name: 'input' | 'output') => [
    `  chain ${name} {`,
    `    type filter hook ${name} priority filter; policy accept;`,
    ...ruleset.rules.filter((rule) => rule.chain === name).map((rule) => `    ${ruleText(rule)}`),
    '  }',
  ];
  return [
    '# Managed by palisade-agent: firewall.rules. Local changes are reported as drift and replaced.',
    `table ${TABLE_FAMILY} ${TABLE_NAME}`,
    `delete table ${TABLE_FAMILY} ${TABLE_NAME}`,
    `table ${TABLE_FAMILY} ${TABLE_NAME} {`,
    ...chain('input'),
    ...chain('output'),
    '}',
    '',
  ].join('\n');
}

/* ---- read-back: `nft -j list table inet palisade` ---- */

type Expr = Readonly<Record<string, unknown>>;

/** An NftRule being read from the listing. */
interface RuleDraft {
  name: string;
  chain: 'input' | 'output';
  family: 'ip' | 'ip6' | null;
  protocol: string | null;
  sport: string[];
  dport: string[];
  saddr: string[];
  daddr: string[];
  icmp: string[];
  verdict: 'accept' | 'drop';
}

/**
 * nft lists ICMP types and codes by the names of its symbol tables (`nft describe icmp type`),
 * numbers only for the values without one; these turn the names back into the numbers Palisade
 * writes. The code tables are per protocol, not per type: nft prints code 0 of any type as
 * net-unreachable.
 */
const ICMP_NAMES: Readonly<Record<'icmp' | 'icmpv6', Readonly<Record<string, number>>>> = {
  icmp: {
    'echo-reply': 0,
    'destination-unreachable': 3,
    'source-quench': 4,
    redirect: 5,
    'echo-request': 8,
    'router-advertisement': 9,
    'router-solicitation': 10,
    'time-exceeded': 11,
    'parameter-problem': 12,
    'timestamp-request': 13,
    'timestamp-reply': 14,
    'info-request': 15,
    'info-reply': 16,
    'address-mask-request': 17,
    'address-mask-reply': 18,
  },
  icmpv6: {
    'destination-unreachable': 1,
    'packet-too-big': 2,
    'time-exceeded': 3,
    'parameter-problem': 4,
    'echo-request': 128,
    'echo-reply': 129,
    'mld-listener-query': 130,
    'mld-listener-report': 131,
    'mld-listener-done': 132,
    'mld-listener-reduction': 132,
    'nd-router-solicit': 133,
    'nd-router-advert': 134,
    'nd-neighbor-solicit': 135,
    'nd-neighbor-advert': 136,
    'nd-redirect': 137,
    'router-renumbering': 138,
    'ind-neighbor-solicit': 141,
    'ind-neighbor-advert': 142,
    'mld2-listener-report': 143,
  },
};
const ICMP_CODE_NAMES: Readonly<Record<'icmp' | 'icmpv6', Readonly<Record<string, number>>>> = {
  icmp: {
    'net-unreachable': 0,
    'host-unreachable': 1,
    'prot-unreachable': 2,
    'port-unreachable': 3,
    'frag-needed': 4,
    'net-prohibited': 9,
    'host-prohibited': 10,
    'admin-prohibited': 13,
  },
  icmpv6: {
    'no-route': 0,
    'admin-prohibited': 1,
    'addr-unreachable': 3,
    'port-unreachable': 4,
    'policy-fail': 5,
    'reject-route': 6,
  },
};

/** A type or code as the number it names (an unknown name is kept, and shows as a difference). */
function icmpNumber(value: unknown, names: Readonly<Record<string, number>>): string {
  return String(typeof value === 'string' ? (names[value] ?? value) : value);
}

const elementsOf = (right: unknown): unknown[] => {
  const set = (right as Expr | null)?.set;
  return Array.isArray(set) ? set : [right];
};

/** `icmp type {…}` or `icmp type . icmp code {…}` of the listing; false for any other match. */
function applyIcmpMatch(draft: RuleDraft, left: Expr, right: unknown): boolean {
  const concat = left.concat as Expr[] | undefined;
  const payload = (concat?.[0] ?? left).payload as { protocol?: string } | undefined;
  const protocol = payload?.protocol;
  if (protocol !== 'icmp' && protocol !== 'icmpv6') return false;
  draft.protocol = protocol === 'icmpv6' ? 'ipv6-icmp' : 'icmp';
  const [types, codes] = [ICMP_NAMES[protocol], ICMP_CODE_NAMES[protocol]];
  for (const element of elementsOf(right)) {
    const pair = (element as Expr | null)?.concat;
    draft.icmp.push(
      concat && Array.isArray(pair)
        ? `${icmpNumber(pair[0], types)}:${icmpNumber(pair[1], codes)}`
        : icmpNumber(element, ICMP_NAMES[protocol]),
    );
  }
  return true;
}

function valueText(value: unknown): string[] {
  if (typeof value === 'string' || typeof value === 'number')
    return [normaliseAddress(String(value))];
  if (Array.isArray(value)) return value.flatMap(valueText);
  const object = value as Expr | null;
  if (!object) return [];
  if ('set' in object) return valueText(object.set);
  if ('prefix' in object) {
    const prefix = object.prefix as { addr: string; len: number };
    return [`${prefix.addr.toLowerCase()}/${prefix.len}`];
  }
  if ('range' in object) {
    const [start, end] = object.range as [unknown, unknown];
    return [`${String(start).toLowerCase()}-${String(end).toLowerCase()}`];
  }
  return [JSON.stringify(object)];
}

/** One rule of the JSON listing as an NftRule; expressions Palisade never writes are kept visible. */
function ruleOf(rule: Expr): NftRule {
  const draft: RuleDraft = {
    name: typeof rule.comment === 'string' ? rule.comment : '',
    chain: rule.chain === 'output' ? 'output' : 'input',
    family: null,
    protocol: null,
    sport: [],
    dport: [],
    saddr: [],
    daddr: [],
    icmp: [],
    verdict: 'accept',
  };
  for (const expr of (rule.expr as Expr[] | undefined) ?? []) {
    if ('accept' in expr) draft.verdict = 'accept';
    else if ('drop' in expr) draft.verdict = 'drop';
    else if ('match' in expr) applyMatch(draft, expr.match as Expr);
    else draft.name = `${draft.name} [unexpected ${JSON.stringify(expr)}]`;
  }
  return {
    ...draft,
    sport: draft.sport.sort(),
    dport: draft.dport.sort(),
    saddr: draft.saddr.sort(),
    daddr: draft.daddr.sort(),
    icmp: draft.icmp.sort(),
  };
}

function applyMatch(draft: RuleDraft, match: Expr): void {
  const left = match.left as Expr;
  if (applyIcmpMatch(draft, left, match.right)) return;
  const right = valueText(match.right);
  if ('meta' in left) {
    const key = (left.meta as Expr).key;
    if (key === 'l4proto') draft.protocol = right[0] ?? null;
    if (key === 'nfproto') draft.family = right[0] === 'ipv6' ? 'ip6' : 'ip';
    return;
  }
  if ('payload' in left) {
    const { protocol, field } = left.payload as { protocol: string; field: string };
    if (protocol === 'ip' || protocol === 'ip6') {
      draft.family = protocol;
      if (field === 'saddr') draft.saddr.push(...right);
      if (field === 'daddr') draft.daddr.push(...right);
    } else {
      draft.protocol = protocol;
      if (field === 'sport') draft.sport.push(...right);
      if (field === 'dport') draft.dport.push(...right);
    }
  }
}

/** The ruleset in `nft -j list table inet palisade` output (empty when the table is absent). */
export function parseNftJson(text: string): NftRuleset {
  const parsed = JSON.parse(text) as { nftables?: Expr[] };
  const rules = (parsed.nftables ?? [])
    .filter((item) => 'rule' in item)
    .map((item) => ruleOf(item.rule as Expr));
  return { rules };
}
