import {
  assertNever,
  type DeviceFacts,
  type EnforcementScope,
  type EnrollmentDecision,
  type IdentityAction,
  type Platform,
  PROFILES,
  type Profile,
  type TenantSettings,
} from '../model.js';
import {
  type EnrollmentStatusDefinition,
  type EnrollmentStatusName,
  enrollmentStatusNamed,
} from './statuses.js';
import {
  compareVersions,
  isComparableVersion,
  MIN_AGENT_VERSIONS,
  MIN_LINUX_VERSIONS,
  MIN_OS_VERSIONS,
  MIN_SERVER_CORE_VERSION,
} from './versions.js';

/** What the enrollment decision knows about the device besides its facts. */
export interface EnrollmentContext {
  /** The tenant the device enrolls into (the onboarding token's tenant). */
  readonly tenantId: string;
  /** The device's full current tag set (manual + device + asset-rule). */
  readonly tags: readonly string[];
}

/**
 * A new tenant: security settings management on, every platform in scope for all devices,
 * Configuration Manager not the authority, cloud-connector devices managed, domain controllers not
 * opted in, a 90-minute fallback check-in.
 *
 * @example defaultTenantSettings('t1').enforcementScope.linux // { mode: 'all' }
 */
export function defaultTenantSettings(tenantId: string): TenantSettings {
  return {
    tenantId,
    securitySettingsManagement: true,
    enforcementScope: {
      'windows-client': { mode: 'all' },
      'windows-server': { mode: 'all' },
      macos: { mode: 'all' },
      linux: { mode: 'all' },
    },
    configMgrAuthority: false,
    cloudConnector: true,
    domainControllers: false,
    checkInIntervalMinutes: 90,
  };
}

/**
 * Decides whether Palisade manages a device, who manages it otherwise, and what to do with its
 * directory identity. Pure: the same facts and settings give the same decision.
 *
 * The checks run in this order and the first that applies wins. First "who is meant to manage the
 * device" (the tenant's intent and other management authorities), then "can Palisade manage it"
 * (what the device itself is). An administrator who did not target a device is not shown its
 * incompatibilities, and a device in scope shows the one problem to fix first.
 *
 * 1. 45 security-settings-management-off — the tenant's master switch is off.
 * 2. 54 managed-by-mdm — an MDM service manages the device (it stays in charge, as in the
 *    original product, where Intune-managed devices follow the Intune flow).
 * 3. 4 managed-by-configuration-manager — Configuration Manager manages it and is the authority.
 * 4. 55 cloud-connector-off — it came through a cloud connector and those are not managed.
 * 5. 46 platform-scope-off / 47 out-of-scope-not-tagged — the platform's enforcement scope.
 * 6. 50 domain-controller-not-opted-in — a domain controller while they are not opted in.
 * 7. 48 unsupported-os — platform minimum OS version, 32-bit Windows, Windows Home.
 * 8. 49 unsupported-agent-version — the Palisade agent is older than the platform's minimum.
 * 9. 51 server-core-unsupported — Windows Server Core 2016 or earlier.
 * 10. 52 powershell-constrained-language — Windows PowerShell in ConstrainedLanguage mode.
 * 11. 53 non-persistent-vdi — a non-persistent virtual desktop.
 * 12. 15 tenant-mismatch — joined to another tenant's directory.
 * 13. 1 managed.
 *
 * The identity action does not depend on the status: a join to another tenant is
 * `reject-foreign-tenant`, a join to this tenant `use-existing`, no join `create-synthetic`. Devices
 * that are not managed still get an identity, so dynamic groups built on OS attributes include them
 * and a policy reaches them the moment they become managed.
 *
 * Withheld profiles: a managed device never gets `security-experience` (this channel refuses it, as
 * the original does), and an opted-in domain controller never gets `firewall-rules` (firewall rules
 * on domain controllers are not supported). A device that is not managed has every profile withheld.
 *
 * @example decideEnrollment(facts, defaultTenantSettings('t1'), { tenantId: 't1', tags: [] }).code // 1
 */
export function decideEnrollment(
  facts: DeviceFacts,
  tenant: TenantSettings,
  context: EnrollmentContext,
): EnrollmentDecision {
  if (tenant.tenantId !== context.tenantId) {
    throw new Error(
      `decideEnrollment: tenant settings of ${tenant.tenantId} passed for a device of ${context.tenantId}`,
    );
  }
  const identity = identityActionOf(facts, context.tenantId);
  const failure =
    intentFailure(facts, tenant, context) ??
    supportFailure(facts) ??
    identityFailure(facts, identity);
  if (failure) {
    const status = enrollmentStatusNamed(failure.name);
    return decision(status, identity, PROFILES, failure.fix ?? status.fix);
  }
  const withheld: Profile[] = ['security-experience'];
  if (facts.isDomainController) withheld.push('firewall-rules');
  const managed = enrollmentStatusNamed('managed');
  return decision(managed, identity, withheld, null);
}

/**
 * Why the device is not managed. `fix` replaces the status's general fix when the decision knows
 * the specifics (the minimum version and what the device reports, the tag to add, the platform).
 */
interface Failure {
  readonly name: EnrollmentStatusName;
  readonly fix?: string;
}

function decision(
  status: EnrollmentStatusDefinition,
  identity: IdentityAction,
  withheldProfiles: readonly Profile[],
  fix: string | null,
): EnrollmentDecision {
  return {
    code: status.code,
    name: status.name,
    managedBy: status.managedBy,
    identity,
    meaning: status.meaning,
    fix,
    withheldProfiles: PROFILES.filter((profile) => withheldProfiles.includes(profile)),
  };
}

/**
 * What to do with the device's directory identity (see decideEnrollment).
 *
 * @example identityActionOf({ ...facts, directoryJoin: null }, 't1') // 'create-synthetic'
 */
export function identityActionOf(facts: DeviceFacts, tenantId: string): IdentityAction {
  if (facts.directoryJoin === null) return 'create-synthetic';
  return facts.directoryJoin.tenantId === tenantId ? 'use-existing' : 'reject-foreign-tenant';
}

/** Checks 1–6: is the device meant to be managed by Palisade? */
function intentFailure(
  facts: DeviceFacts,
  tenant: TenantSettings,
  context: EnrollmentContext,
): Failure | null {
  if (!tenant.securitySettingsManagement) return { name: 'security-settings-management-off' };
  if (facts.mdmManaged) return { name: 'managed-by-mdm' };
  if (facts.configMgrManaged && tenant.configMgrAuthority) {
    return { name: 'managed-by-configuration-manager' };
  }
  if (facts.cloudConnector === true && !tenant.cloudConnector)
    return { name: 'cloud-connector-off' };
  const scope = scopeFailure(facts.platform, tenant.enforcementScope[facts.platform], context.tags);
  if (scope) return scope;
  if (facts.isDomainController && !tenant.domainControllers) {
    return { name: 'domain-controller-not-opted-in' };
  }
  return null;
}

/**
 * The enforcement scope of the device's platform. Tags compare without regard to case or
 * surrounding spaces ("MDE-Management" and "mde-management " are one tag), as an administrator
 * typing a tag in three places would expect.
 */
function scopeFailure(
  platform: Platform,
  scope: EnforcementScope,
  tags: readonly string[],
): Failure | null {
  switch (scope.mode) {
    case 'off':
      return {
        name: 'platform-scope-off',
        fix:
          `Set the ${platform} enforcement scope to "all devices", or to "tagged devices" and tag ` +
          'the device.',
      };
    case 'all':
      return null;
    case 'tagged': {
      const wanted = normalizeTag(scope.tag);
      if (tags.some((tag) => normalizeTag(tag) === wanted)) return null;
      return {
        name: 'out-of-scope-not-tagged',
        fix:
          `Add the tag "${scope.tag}" to the device (in the console, on the machine, or with an ` +
          `asset rule), or set the ${platform} scope to "all devices".`,
      };
    }
    default:
      return assertNever(scope, 'enforcement scope');
  }
}

function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/** Checks 7–11: can Palisade manage what the device is? */
function supportFailure(facts: DeviceFacts): Failure | null {
  const osProblem = unsupportedOsFix(facts);
  if (osProblem) return { name: 'unsupported-os', fix: osProblem };
  const minAgent = MIN_AGENT_VERSIONS[facts.platform];
  if (
    !isComparableVersion(facts.agentVersion) ||
    compareVersions(facts.agentVersion, minAgent) < 0
  ) {
    return {
      name: 'unsupported-agent-version',
      fix:
        `Update the Palisade agent to ${minAgent} or later (the device reports ` +
        `"${facts.agentVersion}").`,
    };
  }
  const windows = isWindows(facts.platform);
  if (
    windows &&
    facts.isServerCore &&
    compareVersions(facts.osVersion, MIN_SERVER_CORE_VERSION) < 0
  ) {
    return { name: 'server-core-unsupported' };
  }
  if (windows && facts.powershellLanguageMode === 'ConstrainedLanguage') {
    return { name: 'powershell-constrained-language' };
  }
  if (facts.nonPersistentVdi) return { name: 'non-persistent-vdi' };
  return null;
}

function identityFailure(facts: DeviceFacts, identity: IdentityAction): Failure | null {
  if (identity !== 'reject-foreign-tenant') return null;
  return {
    name: 'tenant-mismatch',
    fix:
      `The device is joined to the directory of tenant ${facts.directoryJoin?.tenantId}. Leave ` +
      'that directory on the device (or onboard it into that tenant); it enrolls at its next ' +
      'check-in.',
  };
}

function isWindows(platform: Platform): boolean {
  return platform === 'windows-client' || platform === 'windows-server';
}

const WINDOWS_32_BIT = new Set(['x86', 'i386', 'i686', 'arm', 'arm32']);

const OS_NAMES: Readonly<Record<Exclude<Platform, 'linux'>, string>> = {
  'windows-client': 'Windows 10 21H2 (10.0.19044)',
  'windows-server': 'Windows Server 2012 R2 (6.3.9600)',
  macos: 'macOS 11',
};

/**
 * Null when the OS is supported, else the administrator's fix naming what is wrong. Checks the
 * platform's minimum OS version, plus the Windows editions the original does not manage: 32-bit
 * Windows and Windows Home (Pro and Enterprise only). On Linux only a listed distribution with a
 * readable VERSION_ID is checked. An unreadable version on Windows or macOS is unsupported:
 * Palisade cannot tell whether the system is supported, and the administrator is told to look.
 */
function unsupportedOsFix(facts: DeviceFacts): string | null {
  const { platform, osVersion } = facts;
  switch (platform) {
    case 'linux': {
      const distro = facts.distro?.toLowerCase();
      const minimum = distro === undefined ? undefined : MIN_LINUX_VERSIONS[distro];
      if (minimum === undefined || !isComparableVersion(osVersion)) return null;
      if (compareVersions(osVersion, minimum) >= 0) return null;
      return `Update ${distro} to ${minimum} or later (the device reports ${osVersion}).`;
    }
    case 'windows-client':
    case 'windows-server':
    case 'macos': {
      const minimum = MIN_OS_VERSIONS[platform];
      if (!isComparableVersion(osVersion)) {
        return `The OS version "${osVersion}" could not be read; check the agent's facts.`;
      }
      if (compareVersions(osVersion, minimum) < 0) {
        return `Update to ${OS_NAMES[platform]} or later (the device reports ${osVersion}).`;
      }
      if (platform === 'macos') return null;
      const architecture = facts.architecture?.toLowerCase();
      if (architecture !== undefined && WINDOWS_32_BIT.has(architecture)) {
        return 'Reinstall the device with 64-bit Windows: 32-bit Windows is not supported.';
      }
      if (/\bhome\b/i.test(facts.osName ?? '')) {
        return `Upgrade ${facts.osName} to Pro or Enterprise: Windows Home is not supported.`;
      }
      return null;
    }
    default:
      return assertNever(platform, 'platform');
  }
}
