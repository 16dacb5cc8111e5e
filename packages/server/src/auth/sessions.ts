/**
 * Admin sessions: login hands out a random bearer token; the server keeps its sha256 and an
 * expiry. The authentication middleware resolves the token on every `/api/*` request and sets
 * the actor; `authorize` (http/route.ts) then checks the route's role.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import { isRole, type UserActor } from '../authz/roles.js';
import type { AppContext } from '../context.js';
import type { PalisadeEnv } from '../http/route.js';
import type { Database } from '../store/schema.js';
import { hashSecret, newSecret } from './secrets.js';

export const SESSION_TOKEN_PREFIX = 'pls_';

export interface NewSession {
  readonly id: string;
  readonly token: string;
  readonly expiresAt: string;
}

export async function createSession(
  db: Kysely<Database>,
  context: AppContext,
  user: { readonly id: string; readonly tenant_id: string },
): Promise<NewSession> {
  const now = context.clock.now();
  const token = newSecret(SESSION_TOKEN_PREFIX);
  const expiresAt = new Date(
    now.getTime() + context.options.sessionTtlSeconds * 1000,
  ).toISOString();
  const id = randomUUID();
  await db
    .insertInto('sessions')
    .values({
      id,
      tenant_id: user.tenant_id,
      user_id: user.id,
      token_hash: hashSecret(token),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_used_at: now.toISOString(),
    })
    .execute();
  return { id, token, expiresAt };
}

/** Finds the live session of a token, or undefined when unknown or expired. */
export async function findSessionActor(
  db: Kysely<Database>,
  token: string,
  now: Date,
): Promise<UserActor | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.expires_at',
      'users.id as user_id',
      'users.tenant_id',
      'users.username',
      'users.role',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString() || !isRole(row.role)) return undefined;
  return {
    kind: 'user',
    tenantId: row.tenant_id,
    userId: row.user_id,
    username: row.username,
    role: row.role,
    sessionId: row.session_id,
    sessionExpiresAt: row.expires_at,
  };
}

/**
 * Reads `Authorization: Bearer <token>` on admin routes and sets the actor. A bad or expired
 * token is not refused here (signing in again with a stale header must work): routes that need a
 * role refuse it in `authorize`, with the reason noted here.
 */
export function authenticate(context: AppContext): MiddlewareHandler<PalisadeEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const token = match?.[1];
      if (!token?.startsWith(SESSION_TOKEN_PREFIX)) {
        c.set('authProblem', 'The Authorization header is not a session token.');
        return next();
      }
      const actor = await findSessionActor(context.store.db, token, context.clock.now());
      if (actor) c.set('actor', actor);
      else c.set('authProblem', 'The session has expired or was ended: sign in again.');
    }
    return next();
  };
}
