/**
 * What each role may do, mirrored from the server's RBAC so the portal does not offer what the
 * server would refuse. The server stays the authority: it answers 403 whatever the portal shows.
 */
import type { Role } from './types.js';

export type { Role };

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  'security-manager': 'Security settings manager',
  reader: 'Reader',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  administrator: 'Everything, including tenant settings, onboarding tokens, users and roles.',
  'security-manager':
    'Policies, groups, assignments, asset rules, device tags and sync; read-only elsewhere.',
  reader: 'Reads everything; changes nothing.',
};

/** The kinds of change the portal offers, each allowed to a set of roles. */
export type Permission =
  | 'edit-policies'
  | 'edit-groups'
  | 'edit-asset-rules'
  | 'edit-device-tags'
  | 'sync'
  | 'edit-settings'
  | 'manage-tokens'
  | 'manage-users'
  | 'offboard-devices';

const MANAGERS: readonly Role[] = ['administrator', 'security-manager'];
const ADMINISTRATORS: readonly Role[] = ['administrator'];

const ALLOWED: Record<Permission, readonly Role[]> = {
  'edit-policies': MANAGERS,
  'edit-groups': MANAGERS,
  'edit-asset-rules': MANAGERS,
  'edit-device-tags': MANAGERS,
  sync: MANAGERS,
  'edit-settings': ADMINISTRATORS,
  'manage-tokens': ADMINISTRATORS,
  'manage-users': ADMINISTRATORS,
  'offboard-devices': ADMINISTRATORS,
};

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && ALLOWED[permission].includes(role);
}

export const ROLE_LIST = Object.keys(ROLE_LABELS) as Role[];
