/**
 * The shared vocabulary of Palisade (see DESIGN.md's glossary). Every package speaks these types;
 * the modules of core (catalog, rules, enrollment, policy, report) implement the behaviour.
 */

/** A JSON value: what a setting holds and what travels over the wire. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The kind of machine a device is. */
export const PLATFORMS = ['windows-client', 'windows-server', 'macos', 'linux'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The platform a policy targets: one Windows policy reaches clients and servers alike. */
export const POLICY_PLATFORMS = ['windows', 'macos', 'linux'] as const;
export type PolicyPlatform = (typeof POLICY_PLATFORMS)[number];

/** The policy platform that reaches a device of the given platform. */
export function policyPlatformOf(platform: Platform): PolicyPlatform {
  return platform === 'windows-client' || platform === 'windows-server' ? 'windows' : platform;
}

/** A template of related settings. */
export const PROFILES = [
  'antivirus',
  'antivirus-exclusions',
  'edr',
  'attack-surface-reduction',
  'firewall-rules',
  'security-experience',
] as const;
export type Profile = (typeof PROFILES)[number];

/** Who enforces a device's security settings. */
export const MANAGED_BY = ['palisade', 'mdm', 'configuration-manager', 'none'] as const;
export type ManagedBy = (typeof MANAGED_BY)[number];

/** The enforcement targets an agent can drive. */
export const ENFORCEMENT_TARGETS = [
  'mdatp',
  'clamav',
  'nftables',
  'macos-defender',
  'windows-defender',
] as const;
export type EnforcementTarget = (typeof ENFORCEMENT_TARGETS)[number];

/** A join of the machine to a directory tenant, as the agent reports it. */
export interface DirectoryJoin {
  readonly tenantId: string;
  readonly deviceId: string;
}

/**
 * What the agent reports about its machine. Optional fields are absent when the agent could not
 * collect them; the enrollment decision and the rule properties treat absent as "unknown".
 */
export interface DeviceFacts {
  readonly hostname: string;
  /** DNS / AD domain, or null when the machine has none. */
  readonly domain: string | null;
  readonly platform: Platform;
  /** e.g. "10.0.22631.4037" on Windows, "14.5" on macOS, "12" (VERSION_ID) on Linux. */
  readonly osVersion: string;
  /** Human name: "Windows 11 Enterprise", "macOS 14.5", "Debian GNU/Linux 12 (bookworm)". */
  readonly osName?: string;
  /** Linux distribution id (os-release ID): "debian", "ubuntu", "rhel". */
  readonly distro?: string;
  readonly kernel?: string;
  readonly architecture?: string;
  /** Palisade agent version, compared with the minimum versions the enrollment decision knows. */
  readonly agentVersion: string;
  readonly isDomainController: boolean;
  readonly isServerCore: boolean;
  readonly powershellLanguageMode: 'FullLanguage' | 'ConstrainedLanguage' | null;
  readonly nonPersistentVdi: boolean;
  readonly directoryJoin: DirectoryJoin | null;
  readonly mdmManaged: boolean;
  readonly configMgrManaged: boolean;
  /** The device came in through a cloud connector rather than an onboarding token. */
  readonly cloudConnector?: boolean;
  /** Reachable from the internet (asset rule condition). */
  readonly internetFacing?: boolean;
  /** Tags set on the machine itself (agent config file; the registry on Windows). */
  readonly tags: readonly string[];
  /** Installed software as "name version" strings (the `installedSoftware` rule property). */
  readonly installedSoftware?: readonly string[];
  /** Enforcement targets the agent found installed (its drivers). */
  readonly installedTargets?: readonly EnforcementTarget[];
}

/** Where a device's tag came from. */
export const TAG_SOURCES = ['manual', 'device', 'asset-rule'] as const;
export type TagSource = (typeof TAG_SOURCES)[number];

export interface DeviceTag {
  readonly tag: string;
  readonly source: TagSource;
  /** The asset rule's id when source is 'asset-rule'. */
  readonly ruleId?: string;
}

/** Per-platform enforcement scope of a tenant. */
export type EnforcementScope =
  | { readonly mode: 'off' }
  | { readonly mode: 'all' }
  | { readonly mode: 'tagged'; readonly tag: string };

/** The tenant's switches that the enrollment decision reads. */
export interface TenantSettings {
  readonly tenantId: string;
  /** Master switch: security settings management on or off. */
  readonly securitySettingsManagement: boolean;
  readonly enforcementScope: Readonly<Record<Platform, EnforcementScope>>;
  /** Configuration Manager stays the single authority for devices it manages. */
  readonly configMgrAuthority: boolean;
  /** Manage devices that came in through a cloud connector. */
  readonly cloudConnector: boolean;
  /** Domain controllers are opted in. */
  readonly domainControllers: boolean;
  /** Fallback check-in interval, minutes (90 by default). */
  readonly checkInIntervalMinutes: number;
}

/** What the enrollment decision did with the device's directory identity. */
export const IDENTITY_ACTIONS = [
  'use-existing',
  'create-synthetic',
  'reject-foreign-tenant',
] as const;
export type IdentityAction = (typeof IDENTITY_ACTIONS)[number];

/** The outcome of enrolling a device: code 1 means enrolled and managed by Palisade. */
export interface EnrollmentDecision {
  readonly code: number;
  /** Stable short name, e.g. "managed", "out-of-scope", "domain-controller-not-opted-in". */
  readonly name: string;
  readonly managedBy: ManagedBy;
  readonly identity: IdentityAction;
  /** What the status means, for an administrator. */
  readonly meaning: string;
  /** What the administrator should do; null when nothing is wrong. */
  readonly fix: string | null;
  /** Profiles that must not be delivered to this device even though it is managed. */
  readonly withheldProfiles: readonly Profile[];
}

/** An assignment filter: a rule over device properties, including or excluding the matches. */
export interface AssignmentFilter {
  readonly mode: 'include' | 'exclude';
  readonly rule: string;
}

export interface PolicyAssignments {
  /** Group ids the policy reaches. */
  readonly include: readonly string[];
  /** Group ids the policy never reaches; exclude beats include. */
  readonly exclude: readonly string[];
  readonly filter: AssignmentFilter | null;
}

/** One version of one policy, as resolution sees it. */
export interface PolicyVersion {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly platform: PolicyPlatform;
  readonly profile: Profile;
  /** Setting id → value, validated by the catalog. */
  readonly settings: Readonly<Record<string, JsonValue>>;
  readonly assignments: PolicyAssignments;
}

/** Where a value came from. */
export interface SettingSource {
  readonly policyId: string;
  readonly policyName: string;
  readonly version: number;
}

/** One item of a merged list setting (an exclusion), with the policies that contributed it. */
export interface MergedItem {
  readonly value: JsonValue;
  readonly sources: readonly SettingSource[];
}

/** A resolved setting of an effective configuration. */
export interface EffectiveSetting {
  readonly id: string;
  readonly value: JsonValue;
  readonly sources: readonly SettingSource[];
  /** For list settings: each item with its provenance. */
  readonly items?: readonly MergedItem[];
}

/** Two or more policies set one setting to different values: it is not applied. */
export interface SettingConflict {
  readonly id: string;
  readonly candidates: readonly (SettingSource & { readonly value: JsonValue })[];
}

/** What one device must enforce. Deterministic: same input, same bytes, same hash. */
export interface EffectiveConfiguration {
  /** Sorted by setting id. */
  readonly settings: readonly EffectiveSetting[];
  /** Sorted by setting id. */
  readonly conflicts: readonly SettingConflict[];
  /** Content hash (hex), used as the protocol's ETag. */
  readonly hash: string;
}

/** Per device, per setting outcome. */
export const REPORT_STATUSES = [
  'succeeded',
  'failed',
  'conflict',
  'not-applicable',
  'pending',
  'drifted',
] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface SettingResult {
  readonly id: string;
  readonly status: ReportStatus;
  /** The native error, for failed. */
  readonly error?: string;
  /** Which driver (target) produced the result. */
  readonly target?: EnforcementTarget;
  /** For drifted: the value found on the machine. */
  readonly observed?: JsonValue;
}

/** Throws at compile time when a union is not exhausted; at run time when the impossible happens. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
