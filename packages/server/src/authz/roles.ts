/**
 * Roles and what each may do. Every route declares the least role it needs (its "access");
 * roles are ordered, so an administrator may do all a security manager may, who may do all a
 * reader may. `public` routes need no session (login, health); `device` routes authenticate the
 * agent's credential instead (D2).
 */
import { ROLES, type Role } from '@palisade/protocol';

export { ROLES, type Role };

export type Access = 'public' | 'device' | Role;

const RANK: Readonly<Record<Role, number>> = {
  reader: 0,
  'security-manager': 1,
  administrator: 2,
};

export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The signed-in user a request acts for; every query is scoped to `tenantId`. */
export interface UserActor {
  readonly kind: 'user';
  readonly tenantId: string;
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly sessionExpiresAt: string;
}
