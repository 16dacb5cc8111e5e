/**
 * The signed-in administrator's session, kept in sessionStorage: it lives as long as the tab and is
 * never shared with other tabs or written to disk by the portal itself.
 */
import type { Role } from './roles.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: {
    readonly id: string;
    readonly username: string;
    readonly displayName: string;
    readonly role: Role;
  };
  readonly tenant: { readonly id: string; readonly name: string };
}

export const SESSION_KEY = 'palisade.session';

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function readSession(): Session | null {
  try {
    const text = sessionStorage.getItem(SESSION_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

export function writeSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  for (const listener of listeners) listener(session);
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener(null);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
