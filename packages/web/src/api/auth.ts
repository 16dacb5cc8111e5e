import { api } from './client.js';
import type { Session } from './session.js';
import { writeSession } from './session.js';

/** Signs in and keeps the session for this tab. */
export async function signIn(credentials: {
  username: string;
  password: string;
}): Promise<Session> {
  const answer = await api<Session>('/auth/login', {
    method: 'POST',
    body: credentials,
    anonymous: true,
  });
  const session: Session = {
    token: answer.token,
    expiresAt: answer.expiresAt,
    user: answer.user,
    tenant: answer.tenant,
  };
  writeSession(session);
  return session;
}
