/**
 * The attack-surface-reduction profile (Windows): the ASR rules by GUID with their modes, the
 * ASR-only exclusions, and controlled folder access (reference: asr-rules.json, defender-csp.json).
 */
import { ASR_MODES, ASR_RULES } from '../asr-rules.js';
import { cspChoice } from '../define.js';
import type { SettingDefinition } from '../types.js';
import { LIST_ITEM_PATTERN, WINDOWS_PATH } from './exclusions.js';

/** Policy CSP state codes by mode, as `values` of the native mapping. */
const ASR_MODE_CODES: Readonly<Record<string, number>> = Object.fromEntries(
  ASR_MODES.map((mode) => [mode.value, mode.code]),
);

export const ASR_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'asr.rules',
    displayName: 'Attack surface reduction rules',
    help:
      'Each ASR rule by GUID with its mode: off, block, audit or warn. Rules not listed stay ' +
      'not configured. Warn does not exist for the lsass credential-stealing rule and the ' +
      'Office code-injection rule. A rule the device’s Windows edition lacks (the webshell rule ' +
      'outside servers, the Win32 API rule on servers) is reported not applicable.',
    profile: 'attack-surface-reduction',
    platforms: ['windows'],
    type: {
      kind: 'map',
      keys: ASR_RULES.map((rule) => ({ value: rule.guid, label: rule.name })),
      values: ASR_MODES.map(({ value, label }) => ({ value, label })),
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'AttackSurfaceReductionRules',
        values: ASR_MODE_CODES,
        note:
          '<guid>=<state> pairs joined with |; Add-MpPreference -AttackSurfaceReductionRules_Ids ' +
          '<guid> -AttackSurfaceReductionRules_Actions Disabled|Enabled|AuditMode|Warn',
      },
    },
  },
  {
    id: 'asr.exclusions',
    displayName: 'ASR-only exclusions',
    help: 'Files and folders that ASR rules ignore (antivirus scanning still applies).',
    profile: 'attack-surface-reduction',
    platforms: ['windows'],
    type: {
      kind: 'string-list',
      itemPattern: LIST_ITEM_PATTERN,
      itemDescription: 'a file or folder path',
      itemRules: { windows: WINDOWS_PATH },
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'AttackSurfaceReductionOnlyExclusions',
        note: 'items joined with |; Add-MpPreference -AttackSurfaceReductionOnlyExclusions',
      },
    },
  },
  {
    id: 'asr.controlledFolderAccess',
    displayName: 'Controlled folder access',
    help:
      'Protect folders against changes by untrusted applications (ransomware): off, block, ' +
      'audit, or block / audit disk modification only.',
    profile: 'attack-surface-reduction',
    platforms: ['windows'],
    type: {
      kind: 'choice',
      options: [
        { value: 'off', label: 'Off' },
        { value: 'block', label: 'Block' },
        { value: 'audit', label: 'Audit (report only)' },
        { value: 'block-disk-modification', label: 'Block disk modification only' },
        { value: 'audit-disk-modification', label: 'Audit disk modification only' },
      ],
    },
    default: 'off',
    native: {
      'windows-defender': cspChoice(
        'EnableControlledFolderAccess',
        { off: 0, block: 1, audit: 2, 'block-disk-modification': 3, 'audit-disk-modification': 4 },
        'Set-MpPreference -EnableControlledFolderAccess Disabled|Enabled|AuditMode|' +
          'BlockDiskModificationOnly|AuditDiskModificationOnly',
      ),
    },
  },
  {
    id: 'asr.controlledFolderAccessAllowedApplications',
    displayName: 'Applications allowed in protected folders',
    help: 'Applications that may change files in protected folders.',
    profile: 'attack-surface-reduction',
    platforms: ['windows'],
    type: {
      kind: 'string-list',
      itemPattern: LIST_ITEM_PATTERN,
      itemDescription: 'the full path of an application',
      itemRules: { windows: WINDOWS_PATH },
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ControlledFolderAccessAllowedApplications',
        note: 'items joined with |; Add-MpPreference -ControlledFolderAccessAllowedApplications',
      },
    },
  },
  {
    id: 'asr.controlledFolderAccessProtectedFolders',
    displayName: 'Additional protected folders',
    help: 'Folders protected in addition to the Windows defaults (Documents, Pictures, ...).',
    profile: 'attack-surface-reduction',
    platforms: ['windows'],
    type: {
      kind: 'string-list',
      itemPattern: LIST_ITEM_PATTERN,
      itemDescription: 'a folder path',
      itemRules: { windows: WINDOWS_PATH },
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ControlledFolderAccessProtectedFolders',
        note: 'items joined with |; Add-MpPreference -ControlledFolderAccessProtectedFolders',
      },
    },
  },
];
