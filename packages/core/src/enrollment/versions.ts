import type { Platform } from '../model.js';

/**
 * Compares two dotted version strings, segment by segment: "10.0.19045.4046", "101.23052.0009",
 * "22.04", "0.1.0". Numeric segments compare as numbers of any length (leading zeros ignored); a
 * numeric segment sorts before a non-numeric one; non-numeric segments compare as text. A missing
 * segment counts as "0", so "12" equals "12.0". Returns a negative number, zero or a positive
 * number, as `Array.prototype.sort` expects.
 *
 * @example compareVersions('10.0.17763', '10.0.14393') > 0 // true
 */
export function compareVersions(a: string, b: string): number {
  const left = a.trim().split('.');
  const right = b.trim().split('.');
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const order = compareSegments(left[i] ?? '0', right[i] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

const NUMERIC = /^\d+$/;

function compareSegments(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * True when a version starts with a number ("14.5", "10.0.22631"), so it can be compared.
 *
 * @example isComparableVersion('bookworm/sid') // false
 */
export function isComparableVersion(version: string): boolean {
  return /^\d+(\.|$)/.test(version.trim());
}

/**
 * The minimum Palisade agent version per platform. The agent reports its own version in
 * `DeviceFacts.agentVersion`; 0.1.0 is the first release that speaks the agent protocol.
 * (The minimums of the product Palisade replaces — Defender for Endpoint 101.23052.0009 on Linux,
 * 101.23052.0004 on macOS — are versions of Microsoft's agent, not of ours.)
 */
export const MIN_AGENT_VERSIONS: Readonly<Record<Platform, string>> = {
  'windows-client': '0.1.0',
  'windows-server': '0.1.0',
  macos: '0.1.0',
  linux: '0.1.0',
};

/**
 * The minimum operating-system version per platform, from the supported-systems list of the product
 * Palisade replaces (`enrollment-errors.json`, `windowsSupported`; the seed blog for macOS and Linux).
 *
 * - windows-client: Windows 10 21H2 (build 19044), the oldest build the security-management update
 *   (KB5023773) ships for; every Windows 11 build is newer.
 * - windows-server: Windows Server 2012 R2 (6.3.9600).
 * - macos: macOS 11 (Big Sur).
 * - linux: per distribution, see MIN_LINUX_VERSIONS.
 */
export const MIN_OS_VERSIONS: Readonly<Record<Exclude<Platform, 'linux'>, string>> = {
  'windows-client': '10.0.19044',
  'windows-server': '6.3.9600',
  macos: '11',
};

/**
 * Minimum version per Linux distribution (os-release `ID` → `VERSION_ID`). A distribution not
 * listed here is accepted: Palisade's Linux drivers (ClamAV, nftables, mdatp) do not depend on it.
 */
export const MIN_LINUX_VERSIONS: Readonly<Record<string, string>> = {
  rhel: '7.2',
  centos: '7.2',
  ol: '7.2',
  ubuntu: '16.04',
  debian: '9',
  sles: '12',
  amzn: '2',
  fedora: '33',
};

/** Windows Server 2019 (build 17763): Server Core is supported from this version on. */
export const MIN_SERVER_CORE_VERSION = '10.0.17763';
