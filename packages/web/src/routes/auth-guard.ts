import { redirect } from '@tanstack/react-router';
import type { Permission } from '../api/roles.js';
import { can } from '../api/roles.js';
import { readSession } from '../api/session.js';

/** Every page but sign-in needs a session; without one, go to sign-in and come back after. */
export function requireSession(location: { href: string }): void {
  if (!readSession()) {
    throw redirect({ to: '/sign-in', search: { redirect: location.href } });
  }
}

/** Pages a role may not use are not offered; typed URLs land on the dashboard instead. */
export function requirePermission(permission: Permission): void {
  if (!can(readSession()?.user.role, permission)) throw redirect({ to: '/' });
}
