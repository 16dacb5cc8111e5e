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
    intentFailure(facts, tenant, context) ?? supportFailure(facts) ?? identityFailure(identity);
  if (failure) return decision(enrollmentStatusNamed(failure), identity, PROFILES);
  const withheld: Profile[] = ['security-experience'];
  if (facts.isDomainController) withheld.push('firewall-rules');
  return decision(enrollmentStatusNamed('managed'), identity, withheld);
}

function decision(
  status: EnrollmentStatusDefinition,
  identity: IdentityAction,
  withheldProfiles: readonly Profile[],
): EnrollmentDecision {
  return {
    code: status.code,
    name: status.name,
    managedBy: status.managedBy,
    identity,
    meaning: status.meaning,
    fix: status.fix,
    withheldProfiles: PROFILES.filter((profile) => withheldProfiles.includes(profile)),
  };
}

/** What to do with the device's directory identity (see decideEnrollment). */
export function identityActionOf(facts: DeviceFacts, tenantId: string): IdentityAction {
  if (facts.directoryJoin === null) return 'create-synthetic';
  return facts.directoryJoin.tenantId === tenantId ? 'use-existing' : 'reject-foreign-tenant';
}

/** Checks 1–6: is the device meant to be managed by Palisade? */
function intentFailure(
  facts: DeviceFacts,
  tenant: TenantSettings,
  context: EnrollmentContext,
): EnrollmentStatusName | null {
  if (!tenant.securitySettingsManagement) return 'security-settings-management-off';
  if (facts.mdmManaged) return 'managed-by-mdm';
  if (facts.configMgrManaged && tenant.configMgrAuthority)
    return 'managed-by-configuration-manager';
  if (facts.cloudConnector === true && !tenant.cloudConnector) return 'cloud-connector-off';
  const scope = scopeFailure(tenant.enforcementScope[facts.platform], context.tags);
  if (scope) return scope;
  if (facts.isDomainController && !tenant.domainControllers)
    return 'domain-controller-not-opted-in';
  return null;
}

/**
 * The enforcement scope of the device's platform. Tags compare without regard to case or
 * surrounding spaces ("MDE-Management" and "mde-management " are one tag), as an administrator
 * typing a tag in three places would expect.
 */
function scopeFailure(
  scope: EnforcementScope,
  tags: readonly string[],
): EnrollmentStatusName | null {
  switch (scope.mode) {
    case 'off':
      return 'platform-scope-off';
    case 'all':
      return null;
    case 'tagged': {
      const wanted = normalizeTag(scope.tag);
      return tags.some((tag) => normalizeTag(tag) === wanted) ? null : 'out-of-scope-not-tagged';
    }
    default:
      return assertNever(scope, 'enforcement scope');
  }
}

function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/** Checks 7–11: can Palisade manage what the device is? */
function supportFailure(facts: DeviceFacts): EnrollmentStatusName | null {
  if (!isSupportedOs(facts)) return 'unsupported-os';
  const minAgent = MIN_AGENT_VERSIONS[facts.platform];
  if (
    !isComparableVersion(facts.agentVersion) ||
    compareVersions(facts.agentVersion, minAgent) < 0
  ) {
    return 'unsupported-agent-version';
  }
  const windows = isWindows(facts.platform);
  if (
    windows &&
    facts.isServerCore &&
    compareVersions(facts.osVersion, MIN_SERVER_CORE_VERSION) < 0
  ) {
    return 'server-core-unsupported';
  }
  if (windows && facts.powershellLanguageMode === 'ConstrainedLanguage') {
    return 'powershell-constrained-language';
  }
  if (facts.nonPersistentVdi) return 'non-persistent-vdi';
  return null;
}

function identityFailure(identity: IdentityAction): EnrollmentStatusName | null {
  return identity === 'reject-foreign-tenant' ? 'tenant-mismatch' : null;
}

function isWindows(platform: Platform): boolean {
  return platform === 'windows-client' || platform === 'windows-server';
}

const WINDOWS_32_BIT = new Set(['x86', 'i386', 'i686', 'arm', 'arm32']);

/**
 * The platform's minimum OS version, plus the Windows editions the original does not manage:
 * 32-bit Windows and Windows Home (Pro and Enterprise only). On Linux only a listed distribution
 * with a readable VERSION_ID is checked. An unreadable version on Windows or macOS is unsupported:
 * Palisade cannot tell whether the system is supported, and the administrator is told to look.
 */
function isSupportedOs(facts: DeviceFacts): boolean {
  const platform = facts.platform;
  switch (platform) {
    case 'linux': {
      const minimum = facts.distro ? MIN_LINUX_VERSIONS[facts.distro.toLowerCase()] : undefined;
      if (minimum === undefined || !isComparableVersion(facts.osVersion)) return true;
      return compareVersions(facts.osVersion, minimum) >= 0;
    }
    case 'windows-client':
    case 'windows-server':
    case 'macos': {
      if (!isComparableVersion(facts.osVersion)) return false;
      if (compareVersions(facts.osVersion, MIN_OS_VERSIONS[platform]) < 0) return false;
      if (platform === 'macos') return true;
      const architecture = facts.architecture?.toLowerCase();
      if (architecture !== undefined && WINDOWS_32_BIT.has(architecture)) return false;
      return !/\bhome\b/i.test(facts.osName ?? '');
    }
    default:
      return assertNever(platform, 'platform');
  }
}
