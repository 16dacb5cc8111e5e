import { useSyncExternalStore } from 'react';
import type { Permission, Role } from './roles.js';
import { can } from './roles.js';
import { onSessionChange, readSession, SESSION_KEY, type Session } from './session.js';

let cached: { text: string | null; session: Session | null } = { text: null, session: null };

/** sessionStorage parsing is cached by its text so React sees a stable snapshot. */
function snapshot(): Session | null {
  const text = sessionStorage.getItem(SESSION_KEY);
  if (text !== cached.text) cached = { text, session: readSession() };
  return cached.session;
}

export function useSession(): Session | null {
  return useSyncExternalStore(
    (notify) => onSessionChange(() => notify()),
    snapshot,
    () => null,
  );
}

/** The signed-in role and a `can(permission)` check, for hiding what the role may not do. */
export function usePermissions(): { role: Role | undefined; can: (p: Permission) => boolean } {
  const role = useSession()?.user.role;
  return { role, can: (permission) => can(role, permission) };
}
