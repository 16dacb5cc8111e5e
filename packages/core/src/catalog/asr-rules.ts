/**
 * The attack surface reduction rules of Microsoft Defender, by GUID (reference: asr-rules.json,
 * Microsoft Learn "Attack surface reduction rules reference"). Windows only.
 */

/** The modes a policy can give an ASR rule, and the Policy CSP state code of each. */
export const ASR_MODES = [
  { value: 'off', label: 'Off (disabled)', code: 0 },
  { value: 'block', label: 'Block', code: 1 },
  { value: 'audit', label: 'Audit', code: 2 },
  { value: 'warn', label: 'Warn (the user may bypass the block for 24 hours)', code: 6 },
] as const;
export type AsrMode = (typeof ASR_MODES)[number]['value'];

export interface AsrRule {
  /** Lower-case GUID, as the Policy CSP and Add-MpPreference take it. */
  readonly guid: string;
  readonly name: string;
  /** Warn mode exists for this rule (two rules only block or audit). */
  readonly warnSupported: boolean;
  /** The rule runs on Windows 10/11 clients. */
  readonly windowsClient: boolean;
  /** The rule runs on Windows Server (the webshell rule only with the Exchange role). */
  readonly windowsServer: boolean;
  /** Part of Microsoft's "standard protection" set recommended for every device. */
  readonly standardProtection: boolean;
}

export const ASR_RULES: readonly AsrRule[] = [
  {
    guid: '56a863a9-875e-4185-98a7-b882c64b5ce5',
    name: 'Block abuse of exploited vulnerable signed drivers',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: true,
  },
  {
    guid: '7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c',
    name: 'Block Adobe Reader from creating child processes',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'd4f940ab-401b-4efc-aadc-ad5f3c50688a',
    name: 'Block all Office applications from creating child processes',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2',
    name: 'Block credential stealing from the Windows local security authority subsystem (lsass.exe)',
    warnSupported: false,
    windowsClient: true,
    windowsServer: true,
    standardProtection: true,
  },
  {
    guid: 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550',
    name: 'Block executable content from email client and webmail',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '01443614-cd74-433a-b99e-2ecdc07bfc25',
    name: 'Block executable files from running unless they meet a prevalence, age, or trusted list criterion',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '5beb7efe-fd9a-4556-801d-275e5ffc04cc',
    name: 'Block execution of potentially obfuscated scripts',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'd3e037e1-3eb8-44c8-a917-57927947596d',
    name: 'Block JavaScript or VBScript from launching downloaded executable content',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '3b576869-a4ec-4529-8536-b80a7769e899',
    name: 'Block Office applications from creating executable content',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84',
    name: 'Block Office applications from injecting code into other processes',
    warnSupported: false,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '26190899-1602-49e8-8b27-eb1d0a1ce869',
    name: 'Block Office communication application from creating child processes',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'e6db77e5-3df2-4cf1-b95a-636979351e5b',
    name: 'Block persistence through WMI event subscription',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: true,
  },
  {
    guid: 'd1e49aac-8f56-4280-b9ba-993a6d77406c',
    name: 'Block process creations originating from PSExec and WMI commands',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '33ddedf1-c6e0-47cb-833e-de6133960387',
    name: 'Block rebooting machine in Safe Mode (preview)',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4',
    name: 'Block untrusted and unsigned processes that run from USB',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb',
    name: 'Block use of copied or impersonated system tools (preview)',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: 'a8f5898e-1dc8-49a9-9878-85004b8a61e6',
    name: 'Block Webshell creation for Servers',
    warnSupported: true,
    windowsClient: false,
    windowsServer: true,
    standardProtection: false,
  },
  {
    guid: '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b',
    name: 'Block Win32 API calls from Office macros',
    warnSupported: true,
    windowsClient: true,
    windowsServer: false,
    standardProtection: false,
  },
  {
    guid: 'c1db55ab-c21a-4637-bb3f-a12568109d35',
    name: 'Use advanced protection against ransomware',
    warnSupported: true,
    windowsClient: true,
    windowsServer: true,
    standardProtection: false,
  },
];

/** The rule with this GUID (case-insensitive), if any. */
export function getAsrRule(guid: string): AsrRule | undefined {
  const wanted = guid.toLowerCase();
  return ASR_RULES.find((rule) => rule.guid === wanted);
}
