/**
 * The antivirus profile. Windows settings come from the Defender Policy CSP
 * (reference: defender-csp.json); Linux and macOS settings from the Defender managed
 * configuration (mdatp-linux-managed.json, mdatp-macos.json). One id covers a setting on every
 * platform that has it, with the native name per enforcement target.
 */
import {
  BOOLEAN,
  choice,
  clamdYesNo,
  cspChoice,
  cspInteger,
  cspInvertedSwitch,
  cspSwitch,
  enabledDisabled,
  integer,
  keyChoice,
  options,
  plainBoolean,
  plainKey,
} from '../define.js';
import type { SettingDefinition } from '../types.js';

const ALL = ['windows', 'macos', 'linux'] as const;
const UNIX = ['macos', 'linux'] as const;

/** The profile-level fields, so each entry below lists only what is its own. */
type Entry = Omit<SettingDefinition, 'profile'>;

const windowsSettings: readonly Entry[] = [
  {
    id: 'antivirus.emailScanning',
    displayName: 'Scan email',
    help: 'Scan mailbox and mail files (PST, DBX, MIME) during full scans.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspSwitch('AllowEmailScanning', 'DisableEmailScanning (inverted)'),
    },
  },
  {
    id: 'antivirus.scanMappedNetworkDrives',
    displayName: 'Scan mapped network drives during full scans',
    help: 'Include mapped network drives when a full scan runs.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspSwitch(
        'AllowFullScanOnMappedNetworkDrives',
        'DisableScanningMappedNetworkDrivesForFullScan (inverted)',
      ),
    },
  },
  {
    id: 'antivirus.scanRemovableDrives',
    displayName: 'Scan removable drives during full scans',
    help:
      'Include removable drives (USB sticks) when a full scan runs. Microsoft documented the ' +
      'default as on in 2019 and as off since 2024; the catalog follows the current page (off).',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspSwitch(
        'AllowFullScanRemovableDriveScanning',
        'DisableRemovableDriveScanning (inverted)',
      ),
    },
  },
  {
    id: 'antivirus.intrusionPreventionSystem',
    displayName: 'Network inspection (intrusion prevention)',
    help: 'Deprecated by Microsoft; kept so that imported policies are recognised.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': cspSwitch(
        'AllowIntrusionPreventionSystem',
        'DisableIntrusionPreventionSystem (inverted)',
      ),
    },
    refusal:
      'AllowIntrusionPreventionSystem is deprecated by Microsoft and is not delivered through ' +
      'security settings management; remove it from the policy (network protection is ' +
      'antivirus.networkProtection).',
  },
  {
    id: 'antivirus.downloadScanning',
    displayName: 'Scan downloaded files and attachments',
    help: 'IOAV protection: scan files downloaded from the internet and email attachments.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': cspSwitch('AllowIOAVProtection', 'DisableIOAVProtection (inverted)'),
    },
  },
  {
    id: 'antivirus.onAccessProtection',
    displayName: 'On-access protection',
    help: 'Scan files when they are opened or run.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: { 'windows-defender': cspSwitch('AllowOnAccessProtection') },
  },
  {
    id: 'antivirus.scanNetworkFiles',
    displayName: 'Scan network files',
    help: 'Scan files opened from network shares.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspSwitch(
        'AllowScanningNetworkFiles',
        'DisableScanningNetworkFiles (inverted)',
      ),
    },
  },
  {
    id: 'antivirus.scriptScanning',
    displayName: 'Scan scripts',
    help: 'Scan scripts (PowerShell, JavaScript, VBScript) through AMSI.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': cspSwitch('AllowScriptScanning', 'DisableScriptScanning (inverted)'),
    },
  },
  {
    id: 'antivirus.userUiAccess',
    displayName: 'Users can open the antivirus interface',
    help: 'When off, users cannot see or use the Defender antivirus interface.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: { 'windows-defender': cspSwitch('AllowUserUIAccess', 'UILockdown (inverted)') },
  },
  {
    id: 'antivirus.scanCpuLoadFactor',
    displayName: 'Average CPU load during scans',
    help:
      'Maximum average CPU use of a scheduled scan, in percent; 0 turns throttling off. Ignored ' +
      'when scans run only when idle and CPU throttling on idle scans is off.',
    platforms: ['windows'],
    type: integer(0, 100, 'percent'),
    default: 50,
    native: { 'windows-defender': cspInteger('AvgCPULoadFactor', 'ScanAvgCPULoadFactor') },
  },
  {
    id: 'antivirus.checkSignaturesBeforeScan',
    displayName: 'Check for security intelligence before scheduled scans',
    help: 'Look for new security intelligence before each scheduled scan runs.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspSwitch(
        'CheckForSignaturesBeforeRunningScan',
        'CheckForSignaturesBeforeRunningScan',
      ),
    },
  },
  {
    id: 'antivirus.cloudExtendedTimeout',
    displayName: 'Extended cloud check',
    help:
      'Extra seconds (on top of about 10) that a suspicious file is held while the cloud ' +
      'protection service looks at it. Needs cloud protection.',
    platforms: ['windows'],
    type: integer(0, 50, 'seconds'),
    default: 0,
    native: { 'windows-defender': cspInteger('CloudExtendedTimeout', 'CloudExtendedTimeout') },
  },
  {
    id: 'antivirus.daysToRetainCleanedMalware',
    displayName: 'Days to keep quarantined malware',
    help: 'How long quarantined items are kept before removal; 0 keeps them indefinitely.',
    platforms: ['windows'],
    type: integer(0, 90, 'days'),
    default: 0,
    native: {
      'windows-defender': cspInteger(
        'DaysToRetainCleanedMalware',
        'QuarantinePurgeItemsAfterDelay',
      ),
    },
  },
  {
    id: 'antivirus.catchupFullScan',
    displayName: 'Catch-up full scan',
    help: 'Run a missed scheduled full scan at the next opportunity.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspInvertedSwitch('DisableCatchupFullScan', 'DisableCatchupFullScan'),
    },
  },
  {
    id: 'antivirus.catchupQuickScan',
    displayName: 'Catch-up quick scan',
    help: 'Run a missed scheduled quick scan at the next opportunity.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: {
      'windows-defender': cspInvertedSwitch('DisableCatchupQuickScan', 'DisableCatchupQuickScan'),
    },
  },
  {
    id: 'antivirus.lowCpuPriority',
    displayName: 'Low CPU priority for scheduled scans',
    help: 'Run scheduled scans at low CPU priority.',
    platforms: ['windows'],
    type: BOOLEAN,
    default: false,
    native: { 'windows-defender': cspSwitch('EnableLowCPUPriority', 'EnableLowCpuPriority') },
  },
  {
    id: 'antivirus.realTimeScanDirection',
    displayName: 'Real-time scan direction',
    help: 'Which file activity real-time protection monitors (honoured on NTFS volumes only).',
    platforms: ['windows'],
    type: choice(
      ['both', 'Monitor all files (bi-directional)'],
      ['incoming', 'Monitor incoming files'],
      ['outgoing', 'Monitor outgoing files'],
    ),
    default: 'both',
    native: {
      'windows-defender': cspChoice(
        'RealTimeScanDirection',
        { both: 0, incoming: 1, outgoing: 2 },
        'Set-MpPreference -RealTimeScanDirection Both|Incoming|Outgoing',
      ),
    },
  },
  {
    id: 'antivirus.scanType',
    displayName: 'Scheduled scan type',
    help: 'Whether the scheduled scan is a quick scan or a full scan.',
    platforms: ['windows'],
    type: choice(['quick', 'Quick scan'], ['full', 'Full scan']),
    default: 'quick',
    native: {
      'windows-defender': cspChoice(
        'ScanParameter',
        { quick: 1, full: 2 },
        'Set-MpPreference -ScanParameters QuickScan|FullScan',
      ),
    },
  },
  {
    id: 'antivirus.quickScanTime',
    displayName: 'Daily quick scan time',
    help: 'Minutes past local midnight for the daily quick scan (120 = 02:00).',
    platforms: ['windows'],
    type: integer(0, 1380, 'minutes past midnight'),
    default: 120,
    native: {
      'windows-defender': cspInteger(
        'ScheduleQuickScanTime',
        'ScanScheduleQuickScanTime (a time of day)',
      ),
    },
  },
  {
    id: 'antivirus.scanDay',
    displayName: 'Scheduled scan day',
    help: 'The day the scheduled scan runs, every day, or never.',
    platforms: ['windows'],
    type: choice(
      ['everyday', 'Every day'],
      ['sunday', 'Sunday'],
      ['monday', 'Monday'],
      ['tuesday', 'Tuesday'],
      ['wednesday', 'Wednesday'],
      ['thursday', 'Thursday'],
      ['friday', 'Friday'],
      ['saturday', 'Saturday'],
      ['never', 'No scheduled scan'],
    ),
    default: 'everyday',
    native: {
      'windows-defender': cspChoice(
        'ScheduleScanDay',
        {
          everyday: 0,
          sunday: 1,
          monday: 2,
          tuesday: 3,
          wednesday: 4,
          thursday: 5,
          friday: 6,
          saturday: 7,
          never: 8,
        },
        'Set-MpPreference -ScanScheduleDay (same numbers)',
      ),
    },
  },
  {
    id: 'antivirus.scanTime',
    displayName: 'Scheduled scan time',
    help: 'Minutes past local midnight for the scheduled scan (120 = 02:00).',
    platforms: ['windows'],
    type: integer(0, 1380, 'minutes past midnight'),
    default: 120,
    native: {
      'windows-defender': cspInteger('ScheduleScanTime', 'ScanScheduleTime (a time of day)'),
    },
  },
  {
    id: 'antivirus.securityIntelligenceLocation',
    displayName: 'Shared security intelligence location',
    help: 'A file share (UNC path) from which virtual machines read security intelligence.',
    platforms: ['windows'],
    type: {
      kind: 'string',
      pattern: '^\\\\\\\\[^\\\\|]+\\\\[^|]*$',
      maxLength: 260,
      description: 'a UNC path such as \\\\fileserver\\definitions',
    },
    default: null,
    native: {
      'windows-defender': cspInteger('SecurityIntelligenceLocation', 'SharedSignaturesPath'),
    },
  },
  {
    id: 'antivirus.signatureUpdateFallbackOrder',
    displayName: 'Security intelligence update sources, in order',
    help:
      'The sources Defender tries for updates, first to last. The order matters, so two ' +
      'policies with different orders conflict instead of merging.',
    platforms: ['windows'],
    type: {
      kind: 'string-list',
      itemPattern: '^(InternalDefinitionUpdateServer|MicrosoftUpdateServer|MMPC|FileShares)$',
      itemDescription:
        'one of InternalDefinitionUpdateServer, MicrosoftUpdateServer, MMPC, FileShares',
      maxItems: 4,
    },
    default: null,
    merge: 'single',
    native: {
      'windows-defender': {
        name: 'SignatureUpdateFallbackOrder',
        note: 'items joined with |; Set-MpPreference -SignatureFallbackOrder',
      },
    },
  },
  {
    id: 'antivirus.signatureUpdateFileShares',
    displayName: 'File shares for security intelligence updates',
    help: 'UNC paths Defender downloads updates from when FileShares is an update source.',
    platforms: ['windows'],
    type: {
      kind: 'string-list',
      itemPattern: '^\\\\\\\\[^\\\\|]+\\\\[^|]*$',
      itemDescription: 'a UNC path such as \\\\fileserver\\updates',
      maxItems: 50,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'SignatureUpdateFileSharesSources',
        note: 'items joined with |; Set-MpPreference -SignatureDefinitionUpdateFileSharesSources',
      },
    },
  },
  {
    id: 'antivirus.signatureUpdateInterval',
    displayName: 'Security intelligence update interval',
    help: 'Hours between checks for new security intelligence; 0 leaves the interval unset.',
    platforms: ['windows'],
    type: integer(0, 24, 'hours'),
    default: 8,
    native: {
      'windows-defender': cspInteger('SignatureUpdateInterval', 'SignatureUpdateInterval'),
    },
  },
  {
    id: 'antivirus.threatDefaultActions',
    displayName: 'Default action per threat severity',
    help:
      'What Defender does with a detected threat of each severity: quarantine, remove or ignore. ' +
      'Severities not listed keep Defender’s own default.',
    platforms: ['windows'],
    type: {
      kind: 'map',
      keys: options(
        ['low', 'Low severity'],
        ['moderate', 'Moderate severity'],
        ['high', 'High severity'],
        ['severe', 'Severe threats'],
      ),
      values: options(['quarantine', 'Quarantine'], ['remove', 'Remove'], ['ignore', 'Ignore']),
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ThreatSeverityDefaultAction',
        values: { low: 1, moderate: 2, high: 4, severe: 5, quarantine: 2, remove: 3, ignore: 6 },
        note:
          '<severity code>=<action code> pairs joined with |; Set-MpPreference ' +
          '-LowThreatDefaultAction / -ModerateThreatDefaultAction / -HighThreatDefaultAction / ' +
          '-SevereThreatDefaultAction',
      },
    },
  },
];

const crossPlatformSettings: readonly Entry[] = [
  {
    id: 'antivirus.realTimeProtection',
    displayName: 'Real-time protection',
    help:
      'Scan files as they are accessed. On Linux and macOS this is the antivirus enforcement ' +
      'level: real time when on, on demand when off (antivirus.passiveMode overrides both).',
    platforms: ALL,
    type: BOOLEAN,
    default: true,
    platformDefaults: { linux: false },
    native: {
      'windows-defender': cspSwitch(
        'AllowRealtimeMonitoring',
        'DisableRealtimeMonitoring (inverted)',
      ),
      mdatp: keyChoice(
        'antivirusEngine.enforcementLevel',
        { true: 'real_time', false: 'on_demand' },
        'passive when antivirus.passiveMode is true; Defender for Linux starts passive',
      ),
      'macos-defender': keyChoice(
        'antivirusEngine.enforcementLevel',
        { true: 'real_time', false: 'on_demand' },
        'passive when antivirus.passiveMode is true',
      ),
      clamav: clamdYesNo(
        'OnAccessPrevention',
        'on-access scanning by clamonacc; also needs OnAccessIncludePath',
      ),
    },
  },
  {
    id: 'antivirus.behaviorMonitoring',
    displayName: 'Behavior monitoring',
    help: 'Watch process behaviour for malicious patterns. On Linux and macOS it needs real-time protection.',
    platforms: ALL,
    type: BOOLEAN,
    default: true,
    platformDefaults: { linux: false },
    native: {
      'windows-defender': cspSwitch(
        'AllowBehaviorMonitoring',
        'DisableBehaviorMonitoring (inverted)',
      ),
      mdatp: enabledDisabled('antivirusEngine.behaviorMonitoring'),
      'macos-defender': enabledDisabled(
        'features.behaviorMonitoring',
        'older Defender for Mac versions read it under antivirusEngine',
      ),
    },
  },
  {
    id: 'antivirus.cloudProtection',
    displayName: 'Cloud-delivered protection',
    help: 'Ask Microsoft’s cloud protection service about suspicious files (MAPS).',
    platforms: ALL,
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': cspSwitch(
        'AllowCloudProtection',
        'MAPSReporting (Advanced when on, Disabled when off)',
      ),
      mdatp: plainBoolean('cloudService.enabled'),
      'macos-defender': plainBoolean('cloudService.enabled'),
    },
  },
  {
    id: 'antivirus.scanArchives',
    displayName: 'Scan archives',
    help:
      'Scan inside archive files (ZIP, CAB, tar). On Linux and macOS this applies to on-demand ' +
      'scans only; real-time protection never opens archives.',
    platforms: ALL,
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': cspSwitch('AllowArchiveScanning', 'DisableArchiveScanning (inverted)'),
      mdatp: plainBoolean('antivirusEngine.scanArchives'),
      'macos-defender': plainBoolean('antivirusEngine.scanArchives'),
      clamav: clamdYesNo('ScanArchive'),
    },
  },
  {
    id: 'antivirus.puaProtection',
    displayName: 'Potentially unwanted applications',
    help: 'Detect adware, bundleware and other potentially unwanted applications: off, audit or block.',
    platforms: ALL,
    type: choice(['off', 'Off'], ['audit', 'Audit (report only)'], ['block', 'Block']),
    default: 'off',
    platformDefaults: { linux: 'audit', macos: 'audit' },
    native: {
      'windows-defender': cspChoice(
        'PUAProtection',
        { off: 0, block: 1, audit: 2 },
        'Set-MpPreference -PUAProtection Disabled|Enabled|AuditMode',
      ),
      mdatp: keyChoice(
        'antivirusEngine.threatTypeSettings[key=potentially_unwanted_application].value',
        { off: 'off', audit: 'audit', block: 'block' },
      ),
      'macos-defender': keyChoice(
        'antivirusEngine.threatTypeSettings[key=potentially_unwanted_application].value',
        { off: 'off', audit: 'audit', block: 'block' },
      ),
      clamav: keyChoice(
        'DetectPUA',
        { off: 'no', audit: 'yes', block: 'yes' },
        'clamd only reports detections, so audit and block both turn detection on',
      ),
    },
  },
  {
    id: 'antivirus.cloudBlockLevel',
    displayName: 'Cloud block level',
    help:
      'How aggressively cloud protection blocks suspicious files. Needs cloud protection. ' +
      'Moderate is documented for Group Policy but not in the Policy CSP table.',
    platforms: ALL,
    type: choice(
      ['default', 'Default'],
      ['moderate', 'Moderate'],
      ['high', 'High'],
      ['high-plus', 'High plus'],
      ['zero-tolerance', 'Zero tolerance'],
    ),
    default: 'default',
    native: {
      'windows-defender': cspChoice(
        'CloudBlockLevel',
        { default: 0, moderate: 1, high: 2, 'high-plus': 4, 'zero-tolerance': 6 },
        'Set-MpPreference -CloudBlockLevel Default|Moderate|High|HighPlus|ZeroTolerance',
      ),
      mdatp: keyChoice('cloudService.cloudBlockLevel', {
        default: 'normal',
        moderate: 'moderate',
        high: 'high',
        'high-plus': 'high_plus',
        'zero-tolerance': 'zero_tolerance',
      }),
      'macos-defender': keyChoice('cloudService.cloudBlockLevel', {
        default: 'normal',
        moderate: 'moderate',
        high: 'high',
        'high-plus': 'high_plus',
        'zero-tolerance': 'zero_tolerance',
      }),
    },
  },
  {
    id: 'antivirus.sampleSubmission',
    displayName: 'Automatic sample submission',
    help: 'Which suspicious files are sent to Microsoft for analysis. Always prompt exists on Windows only.',
    platforms: ALL,
    type: {
      kind: 'choice',
      options: [
        { value: 'always-prompt', label: 'Always prompt', platforms: ['windows'] },
        { value: 'safe', label: 'Send safe samples automatically' },
        { value: 'none', label: 'Never send' },
        { value: 'all', label: 'Send all samples automatically' },
      ],
    },
    default: 'safe',
    native: {
      'windows-defender': cspChoice(
        'SubmitSamplesConsent',
        { 'always-prompt': 0, safe: 1, none: 2, all: 3 },
        'Set-MpPreference -SubmitSamplesConsent (same numbers)',
      ),
      mdatp: keyChoice('cloudService.automaticSampleSubmissionConsent', {
        safe: 'safe',
        none: 'none',
        all: 'all',
      }),
      'macos-defender': keyChoice('cloudService.automaticSampleSubmissionConsent', {
        safe: 'safe',
        none: 'none',
        all: 'all',
      }),
    },
  },
  {
    id: 'antivirus.networkProtection',
    displayName: 'Network protection',
    help:
      'Block (or audit) connections to dangerous domains and addresses. On Linux it is a ' +
      'preview feature.',
    platforms: ['windows', 'linux'],
    type: choice(['off', 'Off'], ['audit', 'Audit (report only)'], ['block', 'Block']),
    default: 'off',
    native: {
      'windows-defender': cspChoice(
        'EnableNetworkProtection',
        { off: 0, block: 1, audit: 2 },
        'Set-MpPreference -EnableNetworkProtection Disabled|Enabled|AuditMode',
      ),
      mdatp: keyChoice('networkProtection.enforcementLevel', {
        off: 'disabled',
        audit: 'audit',
        block: 'block',
      }),
    },
  },
];

const unixSettings: readonly Entry[] = [
  {
    id: 'antivirus.passiveMode',
    displayName: 'Passive mode',
    help:
      'Run Defender beside another antivirus: it scans but does not remediate. When on it ' +
      'overrides antivirus.realTimeProtection. Defender for Linux starts in passive mode.',
    platforms: UNIX,
    type: BOOLEAN,
    default: false,
    platformDefaults: { linux: true },
    native: {
      mdatp: keyChoice(
        'antivirusEngine.enforcementLevel',
        { true: 'passive' },
        'when false, antivirus.realTimeProtection decides',
      ),
      'macos-defender': keyChoice(
        'antivirusEngine.enforcementLevel',
        { true: 'passive' },
        'also hides the status menu icon',
      ),
    },
  },
  {
    id: 'antivirus.scanAfterDefinitionUpdate',
    displayName: 'Scan after security intelligence updates',
    help: 'Start a process scan after each update. Needs real-time protection.',
    platforms: UNIX,
    type: BOOLEAN,
    default: true,
    native: {
      mdatp: plainBoolean('antivirusEngine.scanAfterDefinitionUpdate'),
      'macos-defender': plainBoolean('antivirusEngine.scanAfterDefinitionUpdate'),
    },
  },
  {
    id: 'antivirus.onDemandScanThreads',
    displayName: 'On-demand scan threads',
    help: 'Maximum number of threads an on-demand scan uses.',
    platforms: UNIX,
    type: integer(1, 64, 'threads'),
    default: 2,
    native: {
      mdatp: plainKey('antivirusEngine.maximumOnDemandScanThreads'),
      'macos-defender': plainKey('antivirusEngine.maximumOnDemandScanThreads'),
    },
  },
  {
    id: 'antivirus.fileHashComputation',
    displayName: 'File hash computation',
    help: 'Compute hashes of scanned files, so file indicators (IOCs) can match them.',
    platforms: UNIX,
    type: BOOLEAN,
    default: false,
    native: {
      mdatp: plainBoolean('antivirusEngine.enableFileHashComputation'),
      'macos-defender': plainBoolean('antivirusEngine.enableFileHashComputation'),
    },
  },
  {
    id: 'antivirus.muteNonExecMounts',
    displayName: 'Skip real-time scans on noexec mounts',
    help: 'Do not scan files on file systems mounted noexec in real time.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: {
      mdatp: keyChoice('antivirusEngine.nonExecMountPolicy', { true: 'mute', false: 'unmute' }),
    },
  },
  {
    id: 'antivirus.unmonitoredFilesystems',
    displayName: 'Unmonitored file systems',
    help:
      'File system types real-time protection skips. Defender skips NFS and FUSE by default; ' +
      'an empty list monitors them too. Only types on Microsoft’s permitted list take effect.',
    platforms: ['linux'],
    type: {
      kind: 'string-list',
      itemPattern: '^[A-Za-z0-9_.-]+$',
      itemDescription: 'a file system type such as nfs or fuse',
      maxItems: 64,
    },
    default: ['nfs', 'fuse'],
    native: { mdatp: plainKey('antivirusEngine.unmonitoredFilesystems') },
  },
  {
    id: 'antivirus.onAccessPaths',
    displayName: 'On-access scanning paths',
    help:
      'Folders whose files ClamAV scans when they are opened (clamonacc; real-time protection ' +
      'turns it on). Defender for Endpoint watches every file system and needs no list.',
    platforms: ['linux'],
    type: {
      kind: 'string-list',
      itemPattern: '^/[^\\u0000-\\u001f]*$',
      itemDescription: 'an absolute folder path such as /home or /srv/uploads',
      maxItems: 256,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      clamav: {
        name: 'OnAccessIncludePath',
        note:
          'one directive per folder; clamonacc watches each recursively. Without an ' +
          'OnAccessExcludeUID/Uname/RootUID line of its own, clamd.conf also gets ' +
          'OnAccessExcludeUname with clamd’s User (clamav if unset): clamonacc requires one',
      },
    },
  },
  {
    id: 'antivirus.allowedThreats',
    displayName: 'Allowed threats',
    help: 'Threat names Defender does not block, e.g. EICAR-Test-File (not a virus).',
    platforms: UNIX,
    type: {
      kind: 'string-list',
      itemPattern: '^[^\\u0000-\\u001f]+$',
      itemDescription: 'a threat name such as EICAR-Test-File (not a virus)',
      maxItems: 500,
      maxItemLength: 256,
    },
    default: null,
    native: {
      mdatp: plainKey('antivirusEngine.allowedThreats'),
      'macos-defender': plainKey('antivirusEngine.allowedThreats'),
    },
  },
  {
    id: 'antivirus.disallowedThreatActions',
    displayName: 'Actions users may not take on threats',
    help: 'Forbid users to allow or restore detected threats.',
    platforms: UNIX,
    type: {
      kind: 'string-list',
      itemPattern: '^(allow|restore)$',
      itemDescription: 'allow or restore',
      maxItems: 2,
    },
    default: null,
    native: {
      mdatp: plainKey('antivirusEngine.disallowedThreatActions'),
      'macos-defender': plainKey('antivirusEngine.disallowedThreatActions'),
    },
  },
  {
    id: 'antivirus.archiveBombProtection',
    displayName: 'Archive bombs',
    help: 'What Defender does with archive bombs: off, audit or block.',
    platforms: UNIX,
    type: choice(['off', 'Off'], ['audit', 'Audit (report only)'], ['block', 'Block']),
    default: 'audit',
    native: {
      mdatp: keyChoice('antivirusEngine.threatTypeSettings[key=archive_bomb].value', {
        off: 'off',
        audit: 'audit',
        block: 'block',
      }),
      'macos-defender': keyChoice('antivirusEngine.threatTypeSettings[key=archive_bomb].value', {
        off: 'off',
        audit: 'audit',
        block: 'block',
      }),
    },
  },
  {
    id: 'antivirus.threatTypeSettingsMergePolicy',
    displayName: 'Threat type settings merge',
    help: 'Whether local threat type settings merge with the managed ones, or only the managed ones count.',
    platforms: UNIX,
    type: choice(['merge', 'Merge with local settings'], ['admin-only', 'Managed settings only']),
    default: 'merge',
    native: {
      mdatp: keyChoice('antivirusEngine.threatTypeSettingsMergePolicy', {
        merge: 'merge',
        'admin-only': 'admin_only',
      }),
      'macos-defender': keyChoice('antivirusEngine.threatTypeSettingsMergePolicy', {
        merge: 'merge',
        'admin-only': 'admin_only',
      }),
    },
  },
  {
    id: 'antivirus.scanResultsRetentionDays',
    displayName: 'Scan results retention',
    help: 'Days scan results are kept on the device.',
    platforms: UNIX,
    type: integer(1, 180, 'days'),
    default: 90,
    native: {
      mdatp: plainKey(
        'antivirusEngine.scanResultsRetentionDays',
        'documented as a string; the documentation’s examples write a JSON number',
      ),
      'macos-defender': plainKey('antivirusEngine.scanResultsRetentionDays'),
    },
  },
  {
    id: 'antivirus.scanHistoryMaximumItems',
    displayName: 'Scan history size',
    help: 'Maximum number of entries kept in the scan history.',
    platforms: UNIX,
    type: integer(5000, 15000, 'entries'),
    default: 10000,
    native: {
      mdatp: plainKey(
        'antivirusEngine.scanHistoryMaximumItems',
        'documented as a string; the documentation’s examples write a JSON number',
      ),
      'macos-defender': plainKey('antivirusEngine.scanHistoryMaximumItems'),
    },
  },
  {
    id: 'antivirus.scanFileModifyPermissions',
    displayName: 'Scan on file permission changes',
    help: 'Scan files whose permissions change. Needs edr.filePermissionEvents.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: plainBoolean('antivirusEngine.scanFileModifyPermissions') },
  },
  {
    id: 'antivirus.scanFileModifyOwnership',
    displayName: 'Scan on file ownership changes',
    help: 'Scan files whose owner changes. Needs edr.fileOwnershipEvents.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: plainBoolean('antivirusEngine.scanFileModifyOwnership') },
  },
  {
    id: 'antivirus.scanNetworkSocketEvents',
    displayName: 'Scan on raw network socket events',
    help: 'Scan on raw socket events. Needs behavior monitoring and edr.rawSocketEvents.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: plainBoolean('antivirusEngine.scanNetworkSocketEvent') },
  },
  {
    id: 'antivirus.cloudDiagnosticLevel',
    displayName: 'Diagnostic data level',
    help: 'How much diagnostic data Defender sends to Microsoft. Changing it restarts the service.',
    platforms: UNIX,
    type: choice(['required', 'Required'], ['optional', 'Optional']),
    default: 'required',
    platformDefaults: { macos: 'optional' },
    native: {
      mdatp: plainKey('cloudService.diagnosticLevel'),
      'macos-defender': plainKey('cloudService.diagnosticLevel'),
    },
  },
  {
    id: 'antivirus.automaticDefinitionUpdates',
    displayName: 'Automatic security intelligence updates',
    help:
      'Update security intelligence automatically: periodically with real-time protection, ' +
      'before every scan in passive or on-demand mode.',
    platforms: UNIX,
    type: BOOLEAN,
    default: true,
    native: {
      mdatp: plainBoolean('cloudService.automaticDefinitionUpdateEnabled'),
      'macos-defender': plainBoolean('cloudService.automaticDefinitionUpdateEnabled'),
    },
  },
  {
    id: 'antivirus.definitionUpdatesInterval',
    displayName: 'Security intelligence update interval',
    help: 'Seconds between checks for new security intelligence.',
    platforms: UNIX,
    type: integer(60, 86400, 'seconds'),
    default: 28800,
    native: {
      mdatp: plainKey('cloudService.definitionUpdatesInterval'),
      'macos-defender': plainKey('cloudService.definitionUpdatesInterval'),
    },
  },
  {
    id: 'antivirus.definitionUpdateDue',
    displayName: 'Security intelligence age warning',
    help: 'Days after which security intelligence counts as out of date.',
    platforms: ['macos'],
    type: integer(1, 30, 'days'),
    default: 7,
    native: { 'macos-defender': plainKey('cloudService.definitionUpdateDue') },
  },
  {
    id: 'antivirus.cloudProxy',
    displayName: 'Proxy for cloud connections',
    help: 'The proxy Defender uses to reach Microsoft, e.g. http://proxy.example:8080/. By default none (Linux) or the system proxy (macOS).',
    platforms: UNIX,
    type: {
      kind: 'string',
      pattern: '^https?://[^\\s/]+(:[0-9]{1,5})?/?$',
      maxLength: 512,
      description: 'a proxy URL such as http://proxy.example:8080/',
    },
    default: null,
    native: {
      mdatp: plainKey('cloudService.proxy'),
      'macos-defender': plainKey('cloudService.proxy'),
    },
  },
  {
    id: 'antivirus.icmpInspection',
    displayName: 'Inspect ICMP traffic (network protection)',
    help: 'Let network protection inspect ICMP traffic.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: {
      mdatp: {
        name: 'networkProtection.disableIcmpInspection',
        values: { true: false, false: true },
      },
    },
  },
  {
    id: 'antivirus.tamperProtection',
    displayName: 'Tamper protection',
    help: 'Protect Defender for Mac against being changed or stopped: off, audit or block.',
    platforms: ['macos'],
    type: choice(['off', 'Off'], ['audit', 'Audit (report only)'], ['block', 'Block']),
    default: 'block',
    native: {
      'macos-defender': keyChoice('tamperProtection.enforcementLevel', {
        off: 'disabled',
        audit: 'audit',
        block: 'block',
      }),
    },
  },
  {
    id: 'antivirus.tamperProtectionExclusions',
    displayName: 'Tamper protection exclusions',
    help:
      'Processes allowed to change Defender for Mac despite tamper protection (management ' +
      'agents such as Jamf or Intune), identified by executable path and optionally Apple team ' +
      'id, signing id and exact arguments. For a script, the path is the interpreter (/bin/zsh).',
    platforms: ['macos'],
    type: {
      kind: 'structured-list',
      itemKey: 'path',
      maxItems: 100,
      fields: [
        {
          key: 'path',
          label: 'Executable path',
          help: 'The exact path of the executable; no wildcards.',
          type: {
            kind: 'string',
            pattern: '^/[^*?\\u0000-\\u001f]*$',
            maxLength: 1024,
            description: 'an absolute path without wildcards, such as /usr/local/jamf/bin/jamf',
          },
          required: true,
          native: { 'macos-defender': 'path' },
        },
        {
          key: 'teamId',
          label: 'Apple team id',
          help: 'The signing team, e.g. UBF8T346G9 (Microsoft).',
          type: {
            kind: 'string',
            pattern: '^[A-Z0-9]{10}$',
            description: 'a 10-character Apple team id such as UBF8T346G9',
          },
          required: false,
          native: { 'macos-defender': 'teamId' },
        },
        {
          key: 'signingId',
          label: 'Signing id',
          help: 'The code signing identifier, e.g. com.jamfsoftware.jamf.',
          type: { kind: 'string', maxLength: 256 },
          required: false,
          native: { 'macos-defender': 'signingId' },
        },
        {
          key: 'args',
          label: 'Arguments',
          help: 'Arguments that must match exactly (case-sensitive).',
          type: { kind: 'string-list', maxItems: 50 },
          required: false,
          native: { 'macos-defender': 'args' },
        },
      ],
    },
    default: null,
    native: {
      'macos-defender': plainKey(
        'tamperProtection.exclusions',
        'one dictionary per item with the fields as keys',
      ),
    },
  },
  {
    id: 'antivirus.offlineDefinitionUpdate',
    displayName: 'Offline security intelligence updates',
    help:
      'Download security intelligence from a local mirror instead of the cloud. Documented ' +
      'only in Microsoft’s full configuration example.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: { mdatp: enabledDisabled('antivirusEngine.offlineDefinitionUpdate') },
  },
  {
    id: 'antivirus.offlineDefinitionUpdateUrl',
    displayName: 'Offline security intelligence mirror',
    help: 'The URL of the local mirror used when offline updates are on.',
    platforms: ['linux'],
    type: {
      kind: 'string',
      pattern: '^https?://\\S+$',
      maxLength: 1024,
      description: 'an http or https URL',
    },
    default: null,
    native: { mdatp: plainKey('antivirusEngine.offlineDefinitionUpdateUrl') },
  },
  {
    id: 'antivirus.offlineDefinitionUpdateFallbackToCloud',
    displayName: 'Fall back to the cloud for updates',
    help: 'Use the cloud when the offline mirror cannot be reached.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: null,
    native: {
      mdatp: plainBoolean(
        'antivirusEngine.offlineDefintionUpdateFallbackToCloud',
        'the key is spelled “Defintion”, exactly as in Microsoft’s example',
      ),
    },
  },
  {
    id: 'antivirus.offlineDefinitionUpdateVerifySignature',
    displayName: 'Verify offline update signatures',
    help: 'Check the signature of security intelligence taken from the offline mirror.',
    platforms: ['linux'],
    type: BOOLEAN,
    default: null,
    native: { mdatp: enabledDisabled('features.offlineDefinitionUpdateVerifySig') },
  },
  {
    id: 'antivirus.engineCache',
    displayName: 'Antivirus engine cache',
    help:
      'Keep the antivirus engine’s scan results cached, so files already found clean are not ' +
      'scanned again (Defender for Linux 101.24072.0001 and later).',
    platforms: ['linux'],
    type: BOOLEAN,
    default: false,
    native: {
      mdatp: enabledDisabled(
        'features.enableAntivirusEngineCache',
        'documented under the advanced optional features; placed beside the other features keys',
      ),
    },
  },
  {
    id: 'antivirus.hideStatusMenuIcon',
    displayName: 'Hide the status menu icon',
    help: 'Hide Defender’s icon in the macOS menu bar.',
    platforms: ['macos'],
    type: BOOLEAN,
    default: false,
    native: { 'macos-defender': plainBoolean('userInterface.hideStatusMenuIcon') },
  },
  {
    id: 'antivirus.userInitiatedFeedback',
    displayName: 'Users can send feedback',
    help: 'Let users send feedback to Microsoft from the Defender app.',
    platforms: ['macos'],
    type: BOOLEAN,
    default: true,
    native: { 'macos-defender': enabledDisabled('userInterface.userInitiatedFeedback') },
  },
  {
    id: 'antivirus.consumerExperience',
    displayName: 'Consumer experience',
    help: 'Show the consumer Defender experience to users who also have a personal subscription.',
    platforms: ['macos'],
    type: BOOLEAN,
    default: true,
    native: { 'macos-defender': enabledDisabled('userInterface.consumerExperience') },
  },
];

export const ANTIVIRUS_SETTINGS: readonly SettingDefinition[] = [
  ...crossPlatformSettings,
  ...windowsSettings,
  ...unixSettings,
].map((entry) => ({ ...entry, profile: 'antivirus' as const }));
