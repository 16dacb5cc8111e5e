/**
 * The antivirus-exclusions profile: what the antivirus does not scan. Windows: the Defender
 * Policy CSP's Excluded* lists (| delimited). Linux and macOS: `antivirusEngine.exclusions`, a
 * list of typed entries ($type excludedPath / excludedFileExtension / excludedFileName).
 * Exclusions are lists, so two policies that reach one device merge them (union).
 */
import { keyChoice } from '../define.js';
import type { ItemRule, SettingDefinition } from '../types.js';

/**
 * Items are joined with `|` for the Policy CSP, so no item may contain one; control characters
 * are never part of a path or a name.
 */
export const LIST_ITEM_PATTERN = '^[^|\\u0000-\\u001f]+$';

/** A Windows path: drive letter, UNC share, or an environment variable such as %ProgramFiles%. */
export const WINDOWS_PATH: ItemRule = {
  pattern: '^([A-Za-z]:\\\\|\\\\\\\\[^\\\\]+\\\\|%[A-Za-z0-9_()]+%)',
  description: 'a full Windows path such as C:\\Data\\ or %ProgramFiles%\\App\\, or a UNC path',
};

/** A Linux or macOS path: absolute. A trailing / marks a folder (excluded recursively). */
export const UNIX_PATH: ItemRule = {
  pattern: '^/',
  description: 'an absolute path such as /var/lib/postgresql/ (a trailing / marks a folder)',
};

const UNIX_PROCESS: ItemRule = {
  pattern: '^(/.*|[^/]+)$',
  description: 'a process name such as cat or a full path such as /bin/cat',
};

const WINDOWS_PROCESS: ItemRule = {
  pattern: '^([A-Za-z]:\\\\|\\\\\\\\|%[A-Za-z0-9_()]+%|[^\\\\/:]+$)',
  description: 'a process image name such as sqlservr.exe or a full path such as C:\\App\\app.exe',
};

const EXCLUSION_NOTE =
  'one antivirusEngine.exclusions entry per item; merged with local exclusions unless ' +
  'exclusions.mergePolicy is admin-only';

export const EXCLUSION_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'exclusions.paths',
    displayName: 'Excluded files and folders',
    help:
      'Files and folders the antivirus does not scan. A trailing separator marks a folder, ' +
      'excluded with everything below it. Wildcards * and ? are allowed.',
    profile: 'antivirus-exclusions',
    platforms: ['windows', 'macos', 'linux'],
    type: {
      kind: 'string-list',
      itemPattern: LIST_ITEM_PATTERN,
      itemDescription: 'a file or folder path',
      itemRules: { windows: WINDOWS_PATH, linux: UNIX_PATH, macos: UNIX_PATH },
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ExcludedPaths',
        note: 'items joined with |; Add-MpPreference -ExclusionPath',
      },
      mdatp: {
        name: 'antivirusEngine.exclusions[$type=excludedPath]',
        note: `${EXCLUSION_NOTE}; path = the item, isDirectory = item ends with /`,
      },
      'macos-defender': {
        name: 'antivirusEngine.exclusions[$type=excludedPath]',
        note: `${EXCLUSION_NOTE}; path = the item, isDirectory = item ends with /`,
      },
      clamav: {
        name: 'ExcludePath',
        note:
          'one directive per item; clamd reads a regular expression, so the driver anchors ' +
          'and escapes the path (^/srv/cache/ for a folder). A folder without wildcards is also ' +
          'written as OnAccessExcludePath /srv/cache (a plain folder path, not a regex), which ' +
          'clamonacc needs when it passes clamd a file descriptor or stream (--fdpass, --stream); ' +
          'a file or wildcard item has no on-access form and stays scanned on access there',
      },
    },
  },
  {
    id: 'exclusions.extensions',
    displayName: 'Excluded file extensions',
    help:
      'Files with these extensions are not scanned, wherever they are. Write them with or ' +
      'without the leading dot (.log or log); drivers write each platform’s form.',
    profile: 'antivirus-exclusions',
    platforms: ['windows', 'macos', 'linux'],
    type: {
      kind: 'string-list',
      itemPattern: '^\\.?[^\\\\/|.\\s][^\\\\/|\\s]*$',
      itemDescription: 'a file extension such as .log or log, without a path',
      maxItems: 1000,
      maxItemLength: 64,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ExcludedExtensions',
        note: 'without the leading dot, items joined with |; Add-MpPreference -ExclusionExtension',
      },
      mdatp: {
        name: 'antivirusEngine.exclusions[$type=excludedFileExtension]',
        note: `${EXCLUSION_NOTE}; extension with a leading dot (.pdf)`,
      },
      'macos-defender': {
        name: 'antivirusEngine.exclusions[$type=excludedFileExtension]',
        note: `${EXCLUSION_NOTE}; extension as written`,
      },
      clamav: {
        name: 'ExcludePath',
        note: 'rendered as a regular expression matching the extension at the end (\\.log$)',
      },
    },
  },
  {
    id: 'exclusions.processes',
    displayName: 'Excluded processes',
    help:
      'Files opened by these processes are not scanned (the process image itself still is). ' +
      'Give a process name or a full path.',
    profile: 'antivirus-exclusions',
    platforms: ['windows', 'macos', 'linux'],
    type: {
      kind: 'string-list',
      itemPattern: LIST_ITEM_PATTERN,
      itemDescription: 'a process name or full path',
      itemRules: { windows: WINDOWS_PROCESS, linux: UNIX_PROCESS, macos: UNIX_PROCESS },
      maxItems: 1000,
      maxItemLength: 1024,
    },
    default: null,
    native: {
      'windows-defender': {
        name: 'ExcludedProcesses',
        note: 'items joined with |; Add-MpPreference -ExclusionProcess',
      },
      mdatp: {
        name: 'antivirusEngine.exclusions[$type=excludedFileName]',
        note: `${EXCLUSION_NOTE}; name = the item`,
      },
      'macos-defender': {
        name: 'antivirusEngine.exclusions[$type=excludedFileName]',
        note: `${EXCLUSION_NOTE}; name = the item`,
      },
    },
  },
  {
    id: 'exclusions.mergePolicy',
    displayName: 'Exclusions merge',
    help:
      'Whether exclusions made locally on the device still count (merge) or only managed ' +
      'exclusions do (admin-only). Managed exclusions can only be removed by policy.',
    profile: 'antivirus-exclusions',
    platforms: ['macos', 'linux'],
    type: {
      kind: 'choice',
      options: [
        { value: 'merge', label: 'Merge with local exclusions' },
        { value: 'admin-only', label: 'Managed exclusions only' },
      ],
    },
    default: 'merge',
    native: {
      mdatp: keyChoice('antivirusEngine.exclusionsMergePolicy', {
        merge: 'merge',
        'admin-only': 'admin_only',
      }),
      'macos-defender': keyChoice('antivirusEngine.exclusionsMergePolicy', {
        merge: 'merge',
        'admin-only': 'admin_only',
      }),
    },
  },
];
