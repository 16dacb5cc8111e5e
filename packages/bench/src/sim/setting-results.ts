/**
 * What a simulated machine reports after applying a configuration: per setting `succeeded`, a
 * configured share `failed` with the native error its driver would give, `conflict` for conflicts,
 * `not-applicable` where no installed driver can express the setting, and later a configured share
 * `drifted` (changed behind the agent's back, with the value found on the machine).
 *
 * Which settings fail or drift is a stable function of (machine, setting[, revision]): a machine
 * whose Defender rejects a setting keeps rejecting it, as real broken machines do, while drift is
 * a fresh event per revision.
 */
import type { EnforcementTarget, JsonValue, Platform, SettingResult } from '@palisade/core';
import type { ConfigurationDocument } from '@palisade/protocol';
import { unitHash } from './random.js';

export interface ResultShares {
  /** Share of settings a machine fails to apply, 0..1. */
  readonly failureRate: number;
  /** Share of applied settings that drift after the apply, 0..1. */
  readonly driftRate: number;
}

export interface SimulatedApply {
  /** The report right after applying. */
  readonly applied: SettingResult[];
  /** The report after the drift the agent detects on a later read-back; null when nothing drifts. */
  readonly drifted: SettingResult[] | null;
}

/** Settings ClamAV can express (clamd.conf directives); the rest are not applicable to it. */
const CLAMAV_SETTINGS = new Set([
  'exclusions.paths',
  'antivirus.scanArchives',
  'antivirus.puaProtection',
  'antivirus.realTimeProtection',
]);

const NATIVE_ERRORS: Readonly<Record<EnforcementTarget, readonly string[]>> = {
  'windows-defender': [
    '0x80070005: Access is denied. (Set-MpPreference)',
    '0x800106ba: The Microsoft Defender Antivirus service is not running',
    'Tamper protection blocked the change (0x80070490)',
  ],
  mdatp: [
    'mdatp_managed.json rejected: value is locked by a higher-priority managed configuration',
    'mdatp health: license expired; managed settings are not enforced',
  ],
  clamav: [
    'clamd: ERROR: Parse error at line 42: Unknown option',
    'clamd RELOAD failed: connect /run/clamav/clamd.ctl: connection refused',
  ],
  nftables: [
    'nft: Error: Could not process rule: No such file or directory',
    'nft: Error: syntax error, unexpected string',
  ],
  'macos-defender': [
    'com.microsoft.wdav: managed preferences were not delivered (profile install failed)',
    'wdavdaemon: invalid value for managed key',
  ],
};

/** The driver that enforces `settingId` on this machine, or null when none can. */
export function targetFor(
  platform: Platform,
  installedTargets: readonly EnforcementTarget[],
  settingId: string,
): EnforcementTarget | null {
  switch (platform) {
    case 'windows-client':
    case 'windows-server':
      return 'windows-defender';
    case 'macos':
      return 'macos-defender';
    case 'linux':
      if (settingId.startsWith('firewall.')) {
        return installedTargets.includes('nftables') ? 'nftables' : null;
      }
      if (installedTargets.includes('mdatp')) return 'mdatp';
      if (installedTargets.includes('clamav') && CLAMAV_SETTINGS.has(settingId)) return 'clamav';
      return null;
  }
}

/** The value a drifted setting is found at: what a local administrator or script changed it to. */
export function driftedValue(value: unknown): JsonValue {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value === 0 ? 1 : 0;
  if (typeof value === 'string') return value === 'off' ? 'audit' : 'off';
  if (Array.isArray(value)) return value.slice(0, -1) as JsonValue;
  if (value !== null && typeof value === 'object') return {};
  return true;
}

export interface MachineView {
  readonly machineId: string;
  readonly platform: Platform;
  readonly installedTargets: readonly EnforcementTarget[];
}

export function simulateApply(
  machine: MachineView,
  document: ConfigurationDocument,
  shares: ResultShares,
): SimulatedApply {
  const applied: SettingResult[] = [];
  const driftedIds = new Set<string>();
  for (const setting of document.configuration.settings) {
    const target = targetFor(machine.platform, machine.installedTargets, setting.id);
    if (target === null) {
      applied.push({ id: setting.id, status: 'not-applicable' });
      continue;
    }
    const failure = unitHash(`${machine.machineId}|fail|${setting.id}`);
    if (failure < shares.failureRate) {
      const errors = NATIVE_ERRORS[target];
      const error = errors[Math.floor(failure * 7919) % errors.length] ?? 'apply failed';
      applied.push({ id: setting.id, status: 'failed', target, error });
      continue;
    }
    applied.push({ id: setting.id, status: 'succeeded', target });
    if (
      unitHash(`${machine.machineId}|drift|${setting.id}|${document.revision}`) < shares.driftRate
    ) {
      driftedIds.add(setting.id);
    }
  }
  for (const conflict of document.configuration.conflicts) {
    applied.push({ id: conflict.id, status: 'conflict' });
  }
  if (driftedIds.size === 0) return { applied, drifted: null };
  const values = new Map(document.configuration.settings.map((s) => [s.id, s.value]));
  const drifted = applied.map(
    (result): SettingResult =>
      driftedIds.has(result.id)
        ? { ...result, status: 'drifted', observed: driftedValue(values.get(result.id)) }
        : result,
  );
  return { applied, drifted };
}
