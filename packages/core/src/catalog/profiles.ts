/**
 * The profiles per platform, as in the product Palisade replaces (reference:
 * enrollment-errors.json relatedFacts.profilesPerPlatform and the seed blog's tables).
 */
import type { Profile } from '../model.js';
import type { ProfileDefinition } from './types.js';

/**
 * Microsoft's channel applies the Windows Security Experience profile only to devices fully
 * managed by Intune; Palisade keeps the same boundary, so a policy of it is refused up front
 * instead of failing on every device.
 */
export const SECURITY_EXPERIENCE_REFUSAL =
  'the security-experience profile (Windows Security Experience) is not delivered through ' +
  'security settings management: it applies only to devices fully managed by an MDM. ' +
  'Configure it in the MDM, or move the settings you need to an antivirus policy.';

export const PROFILE_DEFINITIONS: readonly ProfileDefinition[] = [
  {
    id: 'antivirus',
    displayName: 'Microsoft Defender Antivirus',
    help: 'Real-time and cloud protection, scans, updates, threat actions and the antivirus engine.',
    platforms: ['windows', 'macos', 'linux'],
    deliverable: true,
  },
  {
    id: 'antivirus-exclusions',
    displayName: 'Microsoft Defender Antivirus exclusions',
    help: 'Paths, file extensions and processes the antivirus does not scan.',
    platforms: ['windows', 'macos', 'linux'],
    deliverable: true,
  },
  {
    id: 'edr',
    displayName: 'Endpoint detection and response',
    help: 'EDR sensor options: device tags, sample sharing, sensor events and global exclusions.',
    platforms: ['windows', 'macos', 'linux'],
    deliverable: true,
  },
  {
    id: 'attack-surface-reduction',
    displayName: 'Attack Surface Reduction Rules',
    help: 'The ASR rules by GUID with their modes, ASR-only exclusions and controlled folder access.',
    platforms: ['windows'],
    deliverable: true,
  },
  {
    id: 'firewall-rules',
    displayName: 'Firewall Rules',
    help: 'Host firewall rules: Windows Firewall on Windows, nftables on Linux.',
    platforms: ['windows', 'linux'],
    deliverable: true,
  },
  {
    id: 'security-experience',
    displayName: 'Windows Security Experience',
    help: 'Windows Security app visibility and tamper protection (MDM-managed devices only).',
    platforms: ['windows'],
    deliverable: false,
    refusal: SECURITY_EXPERIENCE_REFUSAL,
  },
];

/** The definition of a profile (every Profile has one). */
export function getProfile(id: Profile): ProfileDefinition {
  const found = PROFILE_DEFINITIONS.find((profile) => profile.id === id);
  if (!found) throw new Error(`profile ${id} has no definition`);
  return found;
}
