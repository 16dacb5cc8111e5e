/**
 * The edr profile: the endpoint detection and response sensor. Device tags and group ids on every
 * platform, sample sharing on Windows, and on Linux the supplementary sensor events and the
 * global (AV + EDR) exclusions that Microsoft files under EDR.
 */
import { BOOLEAN, enabledDisabled, keyChoice, plainKey } from '../define.js';
import type { SettingDefinition } from '../types.js';

type Entry = Omit<SettingDefinition, 'profile'>;

/** One Linux supplementary sensor switch (features.supplementarySensorConfigurations.*). */
function linuxSensor(id: string, key: string, displayName: string, help: string): Entry {
  return {
    id,
    displayName,
    help,
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: enabledDisabled(`features.supplementarySensorConfigurations.${key}`) },
  };
}

const entries: readonly Entry[] = [
  {
    id: 'edr.deviceTag',
    displayName: 'Device group tag',
    help:
      'A tag the EDR sensor reports for the device (the GROUP tag; one value per device), used ' +
      'to group devices in the security portal.',
    platforms: ['windows', 'macos', 'linux'],
    type: {
      kind: 'string',
      pattern: '^[^\\u0000-\\u001f]+$',
      maxLength: 200,
      description: 'a tag of at most 200 characters',
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection\\DeviceTagging\\Group',
        note: 'REG_SZ registry value',
      },
      mdatp: { name: 'edr.tags[key=GROUP].value', note: 'GROUP is the only supported tag key' },
      'macos-defender': {
        name: 'edr.tags[key=GROUP].value',
        note: 'GROUP is the only supported tag key; tag keys must not repeat',
      },
    },
  },
  {
    id: 'edr.groupIds',
    displayName: 'EDR group id',
    help: 'The EDR group identifier the sensor reports.',
    platforms: ['macos', 'linux'],
    type: {
      kind: 'string',
      pattern: '^[^\\u0000-\\u001f]+$',
      maxLength: 200,
      description: 'an identifier of at most 200 characters',
    },
    default: null,
    native: { mdatp: plainKey('edr.groupIds'), 'macos-defender': plainKey('edr.groupIds') },
  },
  {
    id: 'edr.sampleSharing',
    displayName: 'Sample sharing',
    help: 'Let the EDR sensor collect file samples for deep analysis.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': {
        name: 'WindowsAdvancedThreatProtection/Configuration/SampleSharing',
        values: { true: 1, false: 0 },
      },
    },
  },
  {
    id: 'edr.telemetryReportingFrequency',
    displayName: 'Expedite telemetry reporting frequency',
    help: 'Report sensor telemetry more often (for devices at high risk).',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': {
        name: 'WindowsAdvancedThreatProtection/Configuration/TelemetryReportingFrequency',
        values: { true: 2, false: 1 },
      },
    },
    refusal:
      'expedited telemetry reporting is not supported through security settings management; ' +
      'remove it from the policy.',
  },
  {
    id: 'edr.globalExclusionPaths',
    displayName: 'Global exclusions: paths',
    help:
      'Paths excluded from both antivirus and EDR. Global exclusions take no wildcards, and the ' +
      'path must exist on the device.',
    platforms: ['linux'],
    type: {
      kind: 'string-list',
      itemPattern: '^/[^*?|\\u0000-\\u001f]*$',
      itemDescription: 'an absolute path without wildcards, such as /opt/app/',
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      mdatp: {
        name: 'exclusionSettings.exclusions[$type=excludedPath]',
        note: 'scopes [global]; isDirectory = item ends with /',
      },
    },
  },
  {
    id: 'edr.globalExclusionProcesses',
    displayName: 'Global exclusions: processes',
    help: 'Processes excluded from both antivirus and EDR, by full path (no wildcards).',
    platforms: ['linux'],
    type: {
      kind: 'string-list',
      itemPattern: '^/[^*?|\\u0000-\\u001f]*[^/]$',
      itemDescription: 'the full path of an executable, such as /usr/bin/backup-agent',
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      mdatp: {
        name: 'exclusionSettings.exclusions[$type=excludedFileName]',
        note: 'scopes [global]',
      },
    },
  },
  {
    id: 'edr.globalExclusionsMergePolicy',
    displayName: 'Global exclusions merge',
    help: 'Whether local global exclusions still count (merge) or only managed ones (admin-only).',
    platforms: ['linux'],
    type: {
      kind: 'choice',
      options: [
        { value: 'merge', label: 'Merge with local exclusions' },
        { value: 'admin-only', label: 'Managed exclusions only' },
      ],
    },
    default: 'merge',
    native: {
      mdatp: keyChoice('exclusionSettings.mergePolicy', {
        merge: 'merge',
        'admin-only': 'admin_only',
      }),
    },
  },
  {
    id: 'edr.moduleLoadEvents',
    displayName: 'Module load events',
    help: 'Report kernel module loads. Needs behavior monitoring.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: enabledDisabled('features.moduleLoad') },
  },
  {
    id: 'edr.ebpfSupplementaryEventProvider',
    displayName: 'eBPF supplementary event provider',
    help: 'Collect supplementary sensor events through eBPF.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: null,
    native: { mdatp: enabledDisabled('features.ebpfSupplementaryEventProvider') },
  },
  linuxSensor(
    'edr.filePermissionEvents',
    'enableFilePermissionEvents',
    'File permission events',
    'Report file permission changes.',
  ),
  linuxSensor(
    'edr.fileOwnershipEvents',
    'enableFileOwnershipEvents',
    'File ownership events',
    'Report file ownership changes.',
  ),
  linuxSensor(
    'edr.rawSocketEvents',
    'enableRawSocketEvent',
    'Raw socket events',
    'Report raw socket creation. Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.bootLoaderCalls',
    'enableBootLoaderCalls',
    'Boot loader calls',
    'Report calls that touch the boot loader. Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.processCalls',
    'enableProcessCalls',
    'Process trace calls',
    'Report ptrace calls. Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.pseudofsCalls',
    'enablePseudofsCalls',
    'Pseudo file system calls',
    'Report calls on pseudo file systems (/proc, /sys). Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.ebpfModuleLoadEvents',
    'enableEbpfModuleLoadEvents',
    'eBPF module load events',
    'Report eBPF program loads. Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.otherFsOpenEvents',
    'enableOtherFsOpenEvents',
    'Other file system open events',
    'Report opens on further file systems. Needs behavior monitoring.',
  ),
  linuxSensor(
    'edr.ebpfSourceEnrichment',
    'enableEbpfSourceEnrichment',
    'eBPF source enrichment',
    'Enrich sensor events with eBPF source data.',
  ),
  linuxSensor(
    'edr.lowfiEvents',
    'sendLowfiEvents',
    'Low-fidelity events',
    'Send low-fidelity events to the service.',
  ),
];

export const EDR_SETTINGS: readonly SettingDefinition[] = entries.map((entry) => ({
  ...entry,
  profile: 'edr' as const,
}));
