import type { AssignmentFilter, Platform, PolicyVersion, Profile } from '../model.js';
import { policyPlatformOf } from '../model.js';

/** What policy resolution needs to know about a device. */
export interface ResolutionDevice {
  readonly platform: Platform;
  /** Every group the device is a member of (assigned and dynamic). */
  readonly groupIds: readonly string[];
  /** Profiles the enrollment decision withholds (EnrollmentDecision.withheldProfiles). */
  readonly withheldProfiles?: readonly Profile[];
}

/**
 * Profiles that are never delivered through this channel, whatever the enrollment decision says:
 * the Windows Security experience applies only to devices fully managed by an MDM service, as in
 * the product Palisade replaces.
 */
export const UNDELIVERABLE_PROFILES: readonly Profile[] = ['security-experience'];

/**
 * Whether a policy reaches a device. All of these must hold:
 *
 * - the policy's platform is the device's policy platform (one Windows policy reaches clients and
 *   servers alike);
 * - its profile is deliverable and not withheld from the device (e.g. firewall rules on an opted-in
 *   domain controller);
 * - the device is in none of the excluded groups (exclude beats include);
 * - the device is in at least one included group;
 * - the assignment filter, when there is one, lets the device through: an `include` filter must
 *   match, an `exclude` filter must not.
 *
 * `matchesFilter` evaluates a filter's rule against the device (the caller compiles rules with the
 * rule engine). Without it, filters are not evaluated and the policy reaches the device on its
 * groups alone — which is also how the product Palisade replaces treats filters for devices it
 * manages through this channel.
 *
 * @example policyReachesDevice(policy, { platform: 'linux', groupIds: ['g-linux'] }) // true
 */
export function policyReachesDevice(
  policy: PolicyVersion,
  device: ResolutionDevice,
  matchesFilter?: (filter: AssignmentFilter) => boolean,
): boolean {
  if (policy.platform !== policyPlatformOf(device.platform)) return false;
  if (UNDELIVERABLE_PROFILES.includes(policy.profile)) return false;
  if (device.withheldProfiles?.includes(policy.profile)) return false;
  const groups = new Set(device.groupIds);
  const { include, exclude, filter } = policy.assignments;
  if (exclude.some((groupId) => groups.has(groupId))) return false;
  if (!include.some((groupId) => groups.has(groupId))) return false;
  if (filter === null || matchesFilter === undefined) return true;
  const matches = matchesFilter(filter);
  return filter.mode === 'include' ? matches : !matches;
}
