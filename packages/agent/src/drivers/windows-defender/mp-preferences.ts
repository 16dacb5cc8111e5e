/**
 * The Windows side of the catalog: which Defender preference (Set-MpPreference parameter and
 * Get-MpPreference property; same name) carries each Palisade setting, and the value it holds.
 * Get-MpPreference | ConvertTo-Json prints enumerations as their integers (MAPSReporting 2,
 * PUAProtection 1), so the expected read-back value is the integer and the script passes the same
 * integer, which Set-MpPreference accepts for every enumeration.
 */
import type { JsonValue } from '@palisade/core';
import { type NativeMappingLookup, translateValue } from '../catalog.js';

export interface MpPreference {
  /** Set-MpPreference parameter and Get-MpPreference property. */
  readonly name: string;
  readonly kind: 'bool' | 'int' | 'string' | 'list';
  /** The value Get-MpPreference shows for the setting value (also what the script sets). */
  readonly toNative: (value: JsonValue) => JsonValue;
}

const inverted = (name: string): MpPreference => ({
  name,
  kind: 'bool',
  toNative: (value) => value !== true,
});
const integer = (name: string): MpPreference => ({ name, kind: 'int', toNative: (value) => value });
const plain = (name: string): MpPreference => ({
  name,
  kind: 'bool',
  toNative: (value) => value === true,
});
const text = (name: string): MpPreference => ({
  name,
  kind: 'string',
  toNative: (value) => String(value),
});
/** A list Defender keeps as one string, items joined with | (update sources). */
const joined = (name: string): MpPreference => ({
  name,
  kind: 'string',
  toNative: (value) => (Array.isArray(value) ? value.join('|') : String(value)),
});
const list = (name: string, item: (value: string) => string = (value) => value): MpPreference => ({
  name,
  kind: 'list',
  toNative: (value) => (Array.isArray(value) ? (value as string[]).map(item).sort() : []),
});

/** Setting id → preference, for the settings Set-MpPreference can express directly. */
const PREFERENCES: Readonly<Record<string, MpPreference>> = {
  'antivirus.realTimeProtection': inverted('DisableRealtimeMonitoring'),
  'antivirus.behaviorMonitoring': inverted('DisableBehaviorMonitoring'),
  'antivirus.scanArchives': inverted('DisableArchiveScanning'),
  'antivirus.emailScanning': inverted('DisableEmailScanning'),
  'antivirus.scriptScanning': inverted('DisableScriptScanning'),
  'antivirus.downloadScanning': inverted('DisableIOAVProtection'),
  'antivirus.intrusionPreventionSystem': inverted('DisableIntrusionPreventionSystem'),
  'antivirus.scanRemovableDrives': inverted('DisableRemovableDriveScanning'),
  'antivirus.scanNetworkFiles': inverted('DisableScanningNetworkFiles'),
  'antivirus.scanMappedNetworkDrives': inverted('DisableScanningMappedNetworkDrivesForFullScan'),
  'antivirus.catchupFullScan': inverted('DisableCatchupFullScan'),
  'antivirus.catchupQuickScan': inverted('DisableCatchupQuickScan'),
  'antivirus.userUiAccess': inverted('UILockdown'),
  'antivirus.checkSignaturesBeforeScan': plain('CheckForSignaturesBeforeRunningScan'),
  'antivirus.lowCpuPriority': plain('EnableLowCpuPriority'),
  'antivirus.securityIntelligenceLocation': text('SharedSignaturesPath'),
  'antivirus.signatureUpdateFallbackOrder': joined('SignatureFallbackOrder'),
  'antivirus.signatureUpdateFileShares': joined('SignatureDefinitionUpdateFileSharesSources'),
  // MAPS membership: Advanced (2) when cloud protection is on, Disabled (0) when off.
  'antivirus.cloudProtection': {
    name: 'MAPSReporting',
    kind: 'int',
    toNative: (value) => (value === true ? 2 : 0),
  },
  'antivirus.puaProtection': {
    name: 'PUAProtection',
    kind: 'int',
    toNative: (value) => ({ off: 0, block: 1, audit: 2 })[String(value)] ?? null,
  },
  'antivirus.cloudExtendedTimeout': integer('CloudExtendedTimeout'),
  'antivirus.signatureUpdateInterval': integer('SignatureUpdateInterval'),
  'antivirus.scanCpuLoadFactor': integer('ScanAvgCPULoadFactor'),
  'antivirus.daysToRetainCleanedMalware': integer('QuarantinePurgeItemsAfterDelay'),
  'exclusions.paths': list('ExclusionPath'),
  'exclusions.extensions': list('ExclusionExtension', (value) => value.replace(/^\./, '')),
  'exclusions.processes': list('ExclusionProcess'),
  'asr.exclusions': list('AttackSurfaceReductionOnlyExclusions'),
  'asr.controlledFolderAccessAllowedApplications': list(
    'ControlledFolderAccessAllowedApplications',
  ),
  'asr.controlledFolderAccessProtectedFolders': list('ControlledFolderAccessProtectedFolders'),
};

/**
 * Settings whose Policy CSP integers (the catalog's value translations) are also the
 * Set-MpPreference enumeration integers.
 */
const CSP_INTEGER_PREFERENCES: Readonly<Record<string, string>> = {
  'antivirus.cloudBlockLevel': 'CloudBlockLevel',
  'antivirus.sampleSubmission': 'SubmitSamplesConsent',
  'antivirus.realTimeScanDirection': 'RealTimeScanDirection',
  'antivirus.scanType': 'ScanParameters',
  'antivirus.scanDay': 'ScanScheduleDay',
  'asr.controlledFolderAccess': 'EnableControlledFolderAccess',
  'antivirus.networkProtection': 'EnableNetworkProtection',
};

export function mpPreferenceOf(
  settingId: string,
  lookup: NativeMappingLookup,
): MpPreference | undefined {
  const known = PREFERENCES[settingId];
  if (known) return known;
  const name = CSP_INTEGER_PREFERENCES[settingId];
  const mapping = lookup(settingId, 'windows-defender');
  if (!name || !mapping?.values) return undefined;
  return { name, kind: 'int', toNative: (value) => translateValue(mapping, value) };
}

/** ASR modes as Add-MpPreference actions and as the integers Get-MpPreference shows. */
export const ASR_ACTIONS: Readonly<
  Record<string, { readonly action: string; readonly code: number }>
> = {
  off: { action: 'Disabled', code: 0 },
  block: { action: 'Enabled', code: 1 },
  audit: { action: 'AuditMode', code: 2 },
  warn: { action: 'Warn', code: 6 },
};

/** A setting kept in a registry value (REG_SZ) rather than a Defender preference. */
export interface RegistryValue {
  readonly path: string;
  readonly name: string;
}

/** The registry values Palisade sets, by setting id. */
export const REGISTRY_VALUES: Readonly<Record<string, RegistryValue>> = {
  // The device tag the Defender portal shows (one value, GROUP in the mdatp/wdav vocabulary).
  'edr.deviceTag': {
    path: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection\\DeviceTagging',
    name: 'Group',
  },
};

/** How a registry value is keyed in the read-back: `<path>|<name>`. */
export const registryKey = (value: RegistryValue): string => `${value.path}|${value.name}`;
