/**
 * The security-experience profile (Windows Security Experience). Listed so that the catalog is
 * complete and imported policies are recognised; the profile itself is not deliverable through
 * this channel (see SECURITY_EXPERIENCE_REFUSAL), exactly as in the product Palisade replaces.
 */
import { BOOLEAN } from '../define.js';
import type { SettingDefinition } from '../types.js';

export const SECURITY_EXPERIENCE_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'securityExperience.tamperProtection',
    displayName: 'Tamper protection',
    help: 'Protect Defender’s settings on Windows against changes outside the management channel.',
    profile: 'security-experience',
    platforms: ['windows'],
    type: BOOLEAN,
    default: true,
    native: {
      'windows-defender': {
        name: './Vendor/MSFT/Defender/Configuration/TamperProtection',
        note: 'signed blob delivered only through an MDM (Intune); not settable by an agent',
      },
    },
  },
];
