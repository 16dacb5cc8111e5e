/**
 * Product words for the domain's values. Each map is typed against core's unions, so a value added
 * to the model fails the build here until the portal knows how to name it.
 */
import type {
  ManagedBy,
  Platform,
  PolicyPlatform,
  Profile,
  ReportStatus,
  TagSource,
} from '@palisade/core';

export const PLATFORM_LABELS: Record<Platform, string> = {
  'windows-client': 'Windows',
  'windows-server': 'Windows Server',
  macos: 'macOS',
  linux: 'Linux',
};
export const PLATFORM_LIST = Object.keys(PLATFORM_LABELS) as Platform[];

export const POLICY_PLATFORM_LABELS: Record<PolicyPlatform, string> = {
  windows: 'Windows',
  macos: 'macOS',
  linux: 'Linux',
};
export const POLICY_PLATFORM_LIST = Object.keys(POLICY_PLATFORM_LABELS) as PolicyPlatform[];

export const PROFILE_LABELS: Record<Profile, string> = {
  antivirus: 'Antivirus',
  'antivirus-exclusions': 'Antivirus exclusions',
  edr: 'Endpoint detection and response',
  'attack-surface-reduction': 'Attack surface reduction',
  'firewall-rules': 'Firewall rules',
  'security-experience': 'Windows Security experience',
};
export const PROFILE_LIST = Object.keys(PROFILE_LABELS) as Profile[];

export const MANAGED_BY_LABELS: Record<ManagedBy, string> = {
  palisade: 'Palisade',
  mdm: 'MDM',
  'configuration-manager': 'Configuration Manager',
  none: 'Not managed',
};
export const MANAGED_BY_LIST = Object.keys(MANAGED_BY_LABELS) as ManagedBy[];

export const REPORT_STATUS_LABELS: Record<ReportStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  conflict: 'Conflict',
  'not-applicable': 'Not applicable',
  pending: 'Pending',
  drifted: 'Drifted',
};
export const REPORT_STATUS_COLORS: Record<ReportStatus, string> = {
  succeeded: 'teal',
  failed: 'red',
  conflict: 'orange',
  'not-applicable': 'gray',
  pending: 'blue',
  drifted: 'grape',
};
export const REPORT_STATUS_LIST = Object.keys(REPORT_STATUS_LABELS) as ReportStatus[];
/** The statuses of the dashboard's roll-up, in the order the issue names them. */
export const ROLLUP_STATUSES: readonly ReportStatus[] = [
  'succeeded',
  'failed',
  'conflict',
  'pending',
  'drifted',
];

export const TAG_SOURCE_LABELS: Record<TagSource, string> = {
  manual: 'Set by hand',
  device: 'On the machine',
  'asset-rule': 'Asset rule',
};

export function platformLabel(platform: string): string {
  return PLATFORM_LABELS[platform as Platform] ?? platform;
}
export function policyPlatformLabel(platform: string): string {
  return POLICY_PLATFORM_LABELS[platform as PolicyPlatform] ?? platform;
}
export function profileLabel(profile: string): string {
  return PROFILE_LABELS[profile as Profile] ?? profile;
}
export function managedByLabel(managedBy: string): string {
  return MANAGED_BY_LABELS[managedBy as ManagedBy] ?? managedBy;
}
