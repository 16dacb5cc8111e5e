/**
 * Facts of a Windows machine from PowerShell and CIM, printed as one JSON object: edition and
 * version (Win32_OperatingSystem), domain role (Win32_ComputerSystem: 4 and 5 are domain
 * controllers; ProductType 1 is a client), Server Core (InstallationType in the registry), the
 * PowerShell language mode, Entra/AD join (dsregcmd), MDM enrollment and the Configuration Manager
 * client, whether the machine is a non-persistent VDI instance, and the tags set on the machine
 * itself in the registry.
 */
import type { DeviceFacts } from '@palisade/core';
import type { CommandRunner } from '../drivers/commands.js';

/** Where tags set on a Windows machine live: a REG_MULTI_SZ (or ;-separated REG_SZ) value. */
export const WINDOWS_TAGS_KEY = 'HKLM:\\SOFTWARE\\Palisade\\Agent';

/**
 * The marker Microsoft documents for a non-persistent VDI instance onboarded to Defender for
 * Endpoint ("Onboard non-persistent virtual desktop infrastructure (VDI) devices"): the REG_SZ value
 * `VDI` = `NonPersistent` under this key, set by the single-entry VDI onboarding script
 * (Onboard-NonPersistentMachine.ps1) or by hand on down-level servers. Vendor keys of Citrix, VMware
 * Horizon or Azure Virtual Desktop are not read: they say a machine is a virtual desktop, not that
 * it is reset at sign-out or restart (a pooled host can be persistent), so they would guess.
 */
export const MDE_DEVICE_TAGGING_KEY =
  'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection\\DeviceTagging';

export const WINDOWS_FACTS_SCRIPT = [
  "$ErrorActionPreference = 'SilentlyContinue'",
  '$os = Get-CimInstance Win32_OperatingSystem',
  '$cs = Get-CimInstance Win32_ComputerSystem',
  "$cv = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'",
  `$tags = (Get-ItemProperty '${WINDOWS_TAGS_KEY}').Tags`,
  `$vdi = (Get-ItemProperty '${MDE_DEVICE_TAGGING_KEY}').VDI`,
  '$dsreg = (dsregcmd /status) -join "`n"',
  "$mdm = @(Get-ChildItem 'HKLM:\\SOFTWARE\\Microsoft\\Enrollments' | Where-Object { (Get-ItemProperty $_.PSPath).ProviderID -eq 'MS DM Server' }).Count -gt 0",
  '$ccm = [bool](Get-Service -Name CcmExec)',
  '[pscustomobject]@{',
  '  ComputerName = $env:COMPUTERNAME; Domain = $cs.Domain; PartOfDomain = $cs.PartOfDomain',
  '  DomainRole = $cs.DomainRole; ProductType = $os.ProductType; Caption = $os.Caption',
  '  Version = $os.Version; UBR = $cv.UBR; OSArchitecture = $os.OSArchitecture',
  '  InstallationType = $cv.InstallationType; LanguageMode = "$($ExecutionContext.SessionState.LanguageMode)"',
  '  Dsregcmd = $dsreg; MdmEnrolled = $mdm; ConfigMgrClient = $ccm; Tags = $tags',
  '  MdeVdiTag = $vdi',
  '} | ConvertTo-Json -Compress',
].join('\n');

interface WindowsFactsJson {
  readonly ComputerName?: string;
  readonly Domain?: string;
  readonly PartOfDomain?: boolean;
  readonly DomainRole?: number;
  readonly ProductType?: number;
  readonly Caption?: string;
  readonly Version?: string;
  readonly UBR?: number;
  readonly OSArchitecture?: string;
  readonly InstallationType?: string;
  readonly LanguageMode?: string;
  readonly Dsregcmd?: string;
  readonly MdmEnrolled?: boolean;
  readonly ConfigMgrClient?: boolean;
  readonly Tags?: string | readonly string[] | null;
  /** The `VDI` value of the Defender for Endpoint DeviceTagging key; null when it is not set. */
  readonly MdeVdiTag?: string | null;
}

/** `dsregcmd /status` lines `AzureAdJoined : YES`, `TenantId : …`, `DeviceId : …`. */
function parseDsregcmd(text: string): DeviceFacts['directoryJoin'] {
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*:\\s*(\\S+)`, 'mi').exec(text)?.[1];
  if (field('AzureAdJoined')?.toUpperCase() !== 'YES') return null;
  const tenantId = field('TenantId');
  const deviceId = field('DeviceId');
  return tenantId && deviceId ? { tenantId, deviceId } : null;
}

export function parseWindowsFacts(text: string): Partial<DeviceFacts> {
  const json = JSON.parse(text) as WindowsFactsJson;
  const server = json.ProductType !== undefined && json.ProductType !== 1;
  const language = json.LanguageMode;
  const tags = typeof json.Tags === 'string' ? json.Tags.split(';') : (json.Tags ?? []);
  const version = json.Version
    ? json.UBR !== undefined
      ? `${json.Version}.${json.UBR}`
      : json.Version
    : undefined;
  const facts: Record<string, unknown> = {
    hostname: json.ComputerName,
    domain: json.PartOfDomain ? (json.Domain ?? null) : null,
    platform: server ? 'windows-server' : 'windows-client',
    osVersion: version,
    osName: json.Caption?.replace(/^Microsoft\s+/, ''),
    architecture: json.OSArchitecture,
    isDomainController: json.DomainRole === 4 || json.DomainRole === 5,
    isServerCore: json.InstallationType === 'Server Core',
    powershellLanguageMode:
      language === 'ConstrainedLanguage'
        ? 'ConstrainedLanguage'
        : language === 'FullLanguage'
          ? 'FullLanguage'
          : null,
    // Registry string values compare without case, as Windows reads them.
    nonPersistentVdi: json.MdeVdiTag?.trim().toLowerCase() === 'nonpersistent',
    directoryJoin: parseDsregcmd(json.Dsregcmd ?? ''),
    mdmManaged: json.MdmEnrolled === true,
    configMgrManaged: json.ConfigMgrClient === true,
    tags: tags.map((tag) => tag.trim()).filter((tag) => tag !== ''),
  };
  return Object.fromEntries(
    Object.entries(facts).filter(([, value]) => value !== undefined),
  ) as Partial<DeviceFacts>;
}

export async function collectWindowsFacts(run: CommandRunner): Promise<Partial<DeviceFacts>> {
  const outcome = await run('powershell.exe', [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    WINDOWS_FACTS_SCRIPT,
  ]);
  if (outcome.code !== 0)
    throw new Error(`collecting Windows facts failed: ${outcome.stderr.trim()}`);
  return parseWindowsFacts(outcome.stdout);
}
