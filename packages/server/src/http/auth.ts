/**
 * Sign-in: `POST /api/v1/auth/login` exchanges a username and password for a session token,
 * `logout` ends the session, `me` tells the portal who is signed in.
 */
import {
  ChangePasswordRequestSchema,
  LoginRequestSchema,
  LoginResponseSchema,
  MeResponseSchema,
  OkResponseSchema,
} from '@palisade/protocol';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import { createSession } from '../auth/sessions.js';
import { SignInThrottle } from '../auth/throttle.js';
import { commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { appendAudit, auditActorOf } from '../services/audit.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';
import { presentUser } from './users.js';

const login = route('public', {
  method: 'post',
  path: '/api/v1/auth/login',
  tags: ['auth'],
  summary: 'Sign in: username and password → session token',
  description:
    'When the same username exists in several tenants, `tenant` (id or name) says which one.',
  request: { body: jsonBody(LoginRequestSchema) },
  responses: { 200: jsonResponse(LoginResponseSchema, 'Signed in') },
});

const logout = route('reader', {
  method: 'post',
  path: '/api/v1/auth/logout',
  tags: ['auth'],
  summary: 'Sign out: ends the session of the token sent',
  responses: { 200: jsonResponse(OkResponseSchema, 'Signed out') },
});

const me = route('reader', {
  method: 'get',
  path: '/api/v1/auth/me',
  tags: ['auth'],
  summary: 'The signed-in user, the tenant and the session expiry',
  responses: { 200: jsonResponse(MeResponseSchema, 'The signed-in user') },
});

const changePassword = route('reader', {
  method: 'post',
  path: '/api/v1/auth/password',
  tags: ['auth'],
  summary: 'Change your own password; your other sessions end',
  request: { body: jsonBody(ChangePasswordRequestSchema) },
  responses: { 200: jsonResponse(OkResponseSchema, 'Changed') },
});

export const registerAuthRoutes: RegisterRoutes = (app, context) => {
  const throttle = new SignInThrottle();

  app.openapi(login, async (c) => {
    const { username, password, tenant } = c.req.valid('json');
    const throttleKey = username.toLowerCase();
    const waitMs = throttle.retryAfterMs(throttleKey, context.clock.now());
    if (waitMs > 0) {
      c.header('retry-after', String(Math.ceil(waitMs / 1000)));
      throw new ApiError('too_many_attempts');
    }
    let query = context.store.db
      .selectFrom('users')
      .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
      .selectAll('users')
      .select('tenants.name as tenant_name')
      .where('users.username', '=', username.toLowerCase());
    if (tenant) {
      query = query.where((eb) =>
        eb.or([eb('tenants.id', '=', tenant), eb('tenants.name', '=', tenant)]),
      );
    }
    const candidates = await query.limit(2).execute();
    if (candidates.length > 1) {
      throw new ApiError(
        'validation_failed',
        'body.tenant: this username exists in several tenants; name the tenant',
        [
          {
            path: 'body.tenant',
            message: 'this username exists in several tenants; name the tenant',
          },
        ],
      );
    }
    const user = candidates[0];
    // Verify against a decoy hash when the user is unknown, so both cases take the same time.
    const valid = await verifyPassword(
      user?.password_hash ?? (await decoyPasswordHash()),
      password,
    );
    if (!user || !valid) {
      throttle.recordFailure(throttleKey, context.clock.now());
      throw new ApiError('invalid_credentials');
    }
    throttle.recordSuccess(throttleKey);
    // Expired sessions of this user are of no use any more: drop them as a new one starts.
    await context.store.db
      .deleteFrom('sessions')
      .where('user_id', '=', user.id)
      .where('expires_at', '<=', context.clock.now().toISOString())
      .execute();
    const session = await createSession(context.store.db, context, user);
    return c.json(
      {
        token: session.token,
        expiresAt: session.expiresAt,
        user: presentUser(user),
        tenant: { id: user.tenant_id, name: user.tenant_name },
      },
      200,
    );
  });

  app.openapi(logout, async (c) => {
    const actor = actorOf(c);
    await context.store.db.deleteFrom('sessions').where('id', '=', actor.sessionId).execute();
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(me, async (c) => {
    const actor = actorOf(c);
    const user = await context.store.db
      .selectFrom('users')
      .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
      .selectAll('users')
      .select('tenants.name as tenant_name')
      .where('users.id', '=', actor.userId)
      .where('users.tenant_id', '=', actor.tenantId)
      .executeTakeFirst();
    if (!user) throw new ApiError('unauthenticated');
    return c.json(
      {
        user: presentUser(user),
        tenant: { id: user.tenant_id, name: user.tenant_name },
        session: { expiresAt: actor.sessionExpiresAt },
      },
      200,
    );
  });

  app.openapi(changePassword, async (c) => {
    const actor = actorOf(c);
    const { currentPassword, newPassword } = c.req.valid('json');
    const user = await context.store.db
      .selectFrom('users')
      .select('password_hash')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', actor.userId)
      .executeTakeFirst();
    if (!user || !(await verifyPassword(user.password_hash, currentPassword))) {
      throw new ApiError(
        'validation_failed',
        'body.currentPassword: the current password is wrong',
        [{ path: 'body.currentPassword', message: 'wrong password' }],
      );
    }
    const hash = await hashPassword(newPassword);
    const now = context.clock.now();
    await commitChange(context, async (trx) => {
      await trx
        .updateTable('users')
        .set({ password_hash: hash, updated_at: now.toISOString() })
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', actor.userId)
        .execute();
      await trx
        .deleteFrom('sessions')
        .where('user_id', '=', actor.userId)
        .where('id', '!=', actor.sessionId)
        .execute();
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'user.password',
        objectType: 'user',
        objectId: actor.userId,
        after: { passwordChanged: true },
        at: now,
      });
      return { result: undefined };
    });
    return c.json({ ok: true as const }, 200);
  });
};
