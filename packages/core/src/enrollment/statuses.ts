import type { ManagedBy } from '../model.js';

/** One enrollment status: its code, stable name, what it means and what the administrator does. */
export interface EnrollmentStatusDefinition {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
  /** What the administrator should do; null when nothing is wrong. */
  readonly fix: string | null;
  /** Who enforces the device's security settings while it has this status. */
  readonly managedBy: ManagedBy;
}

/**
 * Every enrollment status Palisade reports.
 *
 * Codes 1, 2, 4 and 15 keep the meaning they have in the product Palisade replaces (Defender for
 * Endpoint's `SenseCM\EnrollmentStatus`), so an administrator who knows those codes reads ours
 * alike. Palisade's own failures take codes above 44, the highest code Microsoft documents, so
 * they can never be mistaken for one of Microsoft's.
 *
 * README.md in this folder shows them as a table (kept in sync by statuses.test.ts);
 * `decideEnrollment` documents which wins when several apply.
 */
export const ENROLLMENT_STATUSES: readonly EnrollmentStatusDefinition[] = [
  {
    code: 1,
    name: 'managed',
    meaning: 'The device is enrolled and Palisade enforces its security settings.',
    fix: null,
    managedBy: 'palisade',
  },
  {
    code: 2,
    name: 'not-enrolled',
    meaning:
      'The device is known (onboarded) but no enrollment decision has been made for it yet: its ' +
      'agent has not enrolled. decideEnrollment never returns this code; it is the status a device ' +
      'record holds before its first decision.',
    fix: 'Run the agent on the device and enroll it with an onboarding token (palisade-agent enroll).',
    managedBy: 'none',
  },
  {
    code: 4,
    name: 'managed-by-configuration-manager',
    meaning:
      'The device is managed by Configuration Manager and the tenant lets Configuration Manager stay ' +
      'the single authority for the security settings of the devices it manages.',
    fix:
      'If Palisade should manage this device, turn off "Configuration Manager stays the authority" ' +
      'in the tenant settings, or remove the device from Configuration Manager endpoint protection.',
    managedBy: 'configuration-manager',
  },
  {
    code: 15,
    name: 'tenant-mismatch',
    meaning:
      'The device is joined to the directory of another tenant. A device can belong to one tenant ' +
      'only, so Palisade cannot give it an identity here.',
    fix:
      'Leave the other directory on the device (or onboard it into the tenant it is joined to); ' +
      'it enrolls at its next check-in.',
    managedBy: 'none',
  },
  {
    code: 45,
    name: 'security-settings-management-off',
    meaning: 'Security settings management is turned off for the tenant: no device is managed.',
    fix: 'Turn on security settings management in the tenant settings.',
    managedBy: 'none',
  },
  {
    code: 46,
    name: 'platform-scope-off',
    meaning: "The tenant's enforcement scope is off for this device's platform.",
    fix:
      'Set the enforcement scope of this platform to "all devices", or to "tagged devices" and tag ' +
      'the device.',
    managedBy: 'none',
  },
  {
    code: 47,
    name: 'out-of-scope-not-tagged',
    meaning:
      "The enforcement scope of this device's platform covers tagged devices only, and the device " +
      'does not carry the management tag.',
    fix:
      'Add the management tag to the device (in the console, on the machine, or with an asset ' +
      'rule), or set the platform scope to "all devices".',
    managedBy: 'none',
  },
  {
    code: 48,
    name: 'unsupported-os',
    meaning:
      'The operating system is not supported: its version is below the minimum for the platform, ' +
      'it could not be read, or it is an edition Palisade does not manage (32-bit Windows, ' +
      'Windows Home).',
    fix: 'Update the operating system to a supported version or edition.',
    managedBy: 'none',
  },
  {
    code: 49,
    name: 'unsupported-agent-version',
    meaning: 'The Palisade agent on the device is older than the minimum version for its platform.',
    fix: 'Update the Palisade agent on the device.',
    managedBy: 'none',
  },
  {
    code: 50,
    name: 'domain-controller-not-opted-in',
    meaning:
      'The device is a domain controller, and the tenant has not opted domain controllers in. ' +
      'Once opted in, a domain controller gets every profile except firewall rules.',
    fix: 'Turn on "manage domain controllers" in the tenant settings if Palisade should manage them.',
    managedBy: 'none',
  },
  {
    code: 51,
    name: 'server-core-unsupported',
    meaning: 'The device runs Windows Server Core 2016 or earlier, which cannot be managed.',
    fix: 'Upgrade to Windows Server 2019 or later (Server Core is supported from 2019).',
    managedBy: 'none',
  },
  {
    code: 52,
    name: 'powershell-constrained-language',
    meaning:
      'PowerShell runs in ConstrainedLanguage mode on the device, which stops the agent from ' +
      'applying settings.',
    fix:
      'Remove the ConstrainedLanguage enforcement (e.g. the __PSLockdownPolicy variable or the ' +
      'WDAC/AppLocker policy that forces it) for the agent, or manage the device another way.',
    managedBy: 'none',
  },
  {
    code: 53,
    name: 'non-persistent-vdi',
    meaning:
      'The device is a non-persistent virtual desktop: each session starts from the image, so ' +
      'enrolled state and applied settings would be lost.',
    fix: 'Configure security settings in the VDI image instead, and do not enroll the sessions.',
    managedBy: 'none',
  },
  {
    code: 54,
    name: 'managed-by-mdm',
    meaning:
      'The device is enrolled in a mobile device management service, which stays in charge of its ' +
      'security settings.',
    fix: 'Manage this device from the MDM service, or unenroll it from MDM if Palisade should manage it.',
    managedBy: 'mdm',
  },
  {
    code: 55,
    name: 'cloud-connector-off',
    meaning:
      'The device came in through a cloud connector and the tenant does not manage devices that ' +
      'come in that way.',
    fix: 'Turn on "manage devices from cloud connectors" in the tenant settings.',
    managedBy: 'none',
  },
];

const BY_CODE = new Map(ENROLLMENT_STATUSES.map((status) => [status.code, status]));
const BY_NAME = new Map(ENROLLMENT_STATUSES.map((status) => [status.name, status]));

/**
 * The definition of an enrollment status code, or undefined for a code Palisade does not use.
 *
 * @example describeEnrollmentStatus(47)?.fix // 'Add the management tag to the device (…)'
 */
export function describeEnrollmentStatus(code: number): EnrollmentStatusDefinition | undefined {
  return BY_CODE.get(code);
}

/** The names of the statuses, as a union type for exhaustive handling. */
export type EnrollmentStatusName =
  | 'managed'
  | 'not-enrolled'
  | 'managed-by-configuration-manager'
  | 'tenant-mismatch'
  | 'security-settings-management-off'
  | 'platform-scope-off'
  | 'out-of-scope-not-tagged'
  | 'unsupported-os'
  | 'unsupported-agent-version'
  | 'domain-controller-not-opted-in'
  | 'server-core-unsupported'
  | 'powershell-constrained-language'
  | 'non-persistent-vdi'
  | 'managed-by-mdm'
  | 'cloud-connector-off';

/**
 * The definition with the given name; every name of EnrollmentStatusName is in the table.
 *
 * @example enrollmentStatusNamed('tenant-mismatch').code // 15
 */
export function enrollmentStatusNamed(name: EnrollmentStatusName): EnrollmentStatusDefinition {
  const status = BY_NAME.get(name);
  if (!status) throw new Error(`enrollment status ${name} is missing from ENROLLMENT_STATUSES`);
  return status;
}
