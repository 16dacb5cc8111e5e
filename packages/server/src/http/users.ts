/**
 * Users and roles (administrators only). Usernames are unique per tenant, case-insensitively.
 * A tenant always keeps one administrator; changing a password ends that user's sessions.
 */
import {
  CreateUserRequestSchema,
  IdParamsSchema,
  OkResponseSchema,
  PageQuerySchema,
  type Role,
  UpdateUserRequestSchema,
  type User,
  UserListSchema,
  UserSchema,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { hashPassword } from '../auth/passwords.js';
import { isRole } from '../authz/roles.js';
import { type AppContext, commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { appendAudit, auditActorOf } from '../services/audit.js';
import { createUserRecord } from '../services/tenants.js';
import type { Database, UserTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/store.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

type UserRow = Pick<
  UserTable,
  'id' | 'username' | 'display_name' | 'role' | 'created_at' | 'updated_at'
>;

/** The allow-list of a user's fields that leave the server (never the password hash). */
export function presentUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: isRole(row.role) ? row.role : 'reader',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const tags = ['users'];
const params = IdParamsSchema;

const listUsers = route('administrator', {
  method: 'get',
  path: '/api/v1/users',
  tags,
  summary: 'List users',
  request: { query: PageQuerySchema },
  responses: { 200: jsonResponse(UserListSchema, 'Users, by username') },
});
const createUser = route('administrator', {
  method: 'post',
  path: '/api/v1/users',
  tags,
  summary: 'Create a user with a role',
  request: { body: jsonBody(CreateUserRequestSchema) },
  responses: { 201: jsonResponse(UserSchema, 'Created') },
});
const getUser = route('administrator', {
  method: 'get',
  path: '/api/v1/users/{id}',
  tags,
  summary: 'One user',
  request: { params },
  responses: { 200: jsonResponse(UserSchema, 'The user') },
});
const updateUser = route('administrator', {
  method: 'patch',
  path: '/api/v1/users/{id}',
  tags,
  summary: "Change a user's display name, role or password",
  request: { params, body: jsonBody(UpdateUserRequestSchema) },
  responses: { 200: jsonResponse(UserSchema, 'Changed') },
});
const deleteUser = route('administrator', {
  method: 'delete',
  path: '/api/v1/users/{id}',
  tags,
  summary: 'Delete a user (not the last administrator)',
  request: { params },
  responses: { 200: jsonResponse(OkResponseSchema, 'Deleted') },
});

async function findUser(db: Kysely<Database>, tenantId: string, id: string) {
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No user ${id}.`);
  return row;
}

/** Refuses a change that would leave the tenant without an administrator. */
async function keepAnAdministrator(db: Kysely<Database>, tenantId: string, userId: string) {
  const others = await db
    .selectFrom('users')
    .select(db.fn.countAll<number>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'administrator' satisfies Role)
    .where('id', '!=', userId)
    .executeTakeFirstOrThrow();
  if (Number(others.count) === 0) throw new ApiError('last_administrator');
}

export const registerUserRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listUsers, async (c) => {
    const { tenantId } = actorOf(c);
    const { limit, offset } = c.req.valid('query');
    const db = context.store.db;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('username')
        .limit(limit)
        .offset(offset)
        .execute(),
      db
        .selectFrom('users')
        .select(db.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow(),
    ]);
    return c.json({ items: rows.map(presentUser), total: Number(total.count) }, 200);
  });

  app.openapi(createUser, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const now = context.clock.now();
    const user = await commitChange(context, async (trx) => {
      const id = await createUserRecord(trx, {
        tenantId: actor.tenantId,
        username: input.username,
        displayName: input.displayName ?? input.username,
        role: input.role,
        password: input.password,
        now,
      }).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw usernameTaken(input.username);
        throw error;
      });
      const created = presentUser(await findUser(trx, actor.tenantId, id));
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'user.create',
        objectType: 'user',
        objectId: id,
        after: created,
        at: now,
      });
      return { result: created };
    });
    return c.json(user, 201);
  });

  app.openapi(getUser, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    return c.json(presentUser(await findUser(context.store.db, actor.tenantId, id)), 200);
  });

  app.openapi(updateUser, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const user = await saveUserChange(context, actor, id, input);
    return c.json(user, 200);
  });

  app.openapi(deleteUser, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const now = context.clock.now();
    await commitChange(context, async (trx) => {
      const before = await findUser(trx, actor.tenantId, id);
      if (before.role === 'administrator') await keepAnAdministrator(trx, actor.tenantId, id);
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await trx
        .deleteFrom('users')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute();
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'user.delete',
        objectType: 'user',
        objectId: id,
        before: presentUser(before),
        at: now,
      });
      return { result: undefined };
    });
    return c.json({ ok: true as const }, 200);
  });
};

function usernameTaken(username: string): ApiError {
  return new ApiError(
    'name_taken',
    `body.username: "${username}" is already a user of this tenant.`,
    [{ path: 'body.username', message: 'already taken' }],
  );
}

async function saveUserChange(
  context: AppContext,
  actor: ReturnType<typeof actorOf>,
  id: string,
  input: {
    displayName?: string | undefined;
    role?: Role | undefined;
    password?: string | undefined;
  },
): Promise<User> {
  const now = context.clock.now();
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return commitChange(context, async (trx) => {
    const before = await findUser(trx, actor.tenantId, id);
    if (before.role === 'administrator' && input.role && input.role !== 'administrator') {
      await keepAnAdministrator(trx, actor.tenantId, id);
    }
    await trx
      .updateTable('users')
      .set({
        ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
        ...(input.role ? { role: input.role } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
        updated_at: now.toISOString(),
      })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .execute();
    // A new password or a lower role ends the user's sessions: they sign in again.
    if (passwordHash || (input.role && input.role !== before.role)) {
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    }
    const after = presentUser(await findUser(trx, actor.tenantId, id));
    await appendAudit(trx, {
      tenantId: actor.tenantId,
      actor: auditActorOf(actor),
      action: 'user.update',
      objectType: 'user',
      objectId: id,
      before: presentUser(before),
      after: { ...after, ...(passwordHash ? { passwordChanged: true } : {}) },
      at: now,
    });
    return { result: after };
  });
}
