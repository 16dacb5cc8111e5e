/**
 * Onboarding tokens (administrators) and the per-platform onboarding instructions. A token is
 * shown once, at creation, together with the exact commands to run with it.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateOnboardingTokenRequestSchema,
  CreateOnboardingTokenResponseSchema,
  IdParamsSchema,
  OnboardingInstructionsSchema,
  type OnboardingToken,
  OnboardingTokenListSchema,
  OnboardingTokenSchema,
  PageQuerySchema,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { hashSecret, newSecret } from '../auth/secrets.js';
import { commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { appendAudit, auditActorOf } from '../services/audit.js';
import {
  ONBOARDING_TOKEN_PREFIX,
  onboardingInstructions,
  onboardingTokenStatus,
  TOKEN_PLACEHOLDER,
} from '../services/onboarding.js';
import type { Database, OnboardingTokenTable } from '../store/schema.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

function presentToken(row: OnboardingTokenTable, now: Date): OnboardingToken {
  return {
    id: row.id,
    description: row.description,
    hint: row.token_hint,
    status: onboardingTokenStatus(row, now),
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

const tags = ['onboarding'];
const params = IdParamsSchema;

const listTokens = route('administrator', {
  method: 'get',
  path: '/api/v1/onboarding-tokens',
  tags,
  summary: 'List onboarding tokens, newest first',
  request: { query: PageQuerySchema },
  responses: { 200: jsonResponse(OnboardingTokenListSchema, 'Tokens (never the secret)') },
});
const createToken = route('administrator', {
  method: 'post',
  path: '/api/v1/onboarding-tokens',
  tags,
  summary: 'Create an onboarding token: shown once, with the commands to run',
  request: { body: jsonBody(CreateOnboardingTokenRequestSchema) },
  responses: { 201: jsonResponse(CreateOnboardingTokenResponseSchema, 'Created') },
});
const getToken = route('administrator', {
  method: 'get',
  path: '/api/v1/onboarding-tokens/{id}',
  tags,
  summary: 'One onboarding token',
  request: { params },
  responses: { 200: jsonResponse(OnboardingTokenSchema, 'The token (never the secret)') },
});
const revokeToken = route('administrator', {
  method: 'post',
  path: '/api/v1/onboarding-tokens/{id}/revoke',
  tags,
  summary: 'Revoke an onboarding token: enrollments with it are refused from now on',
  request: { params },
  responses: { 200: jsonResponse(OnboardingTokenSchema, 'Revoked') },
});
const instructions = route('reader', {
  method: 'get',
  path: '/api/v1/onboarding/instructions',
  tags,
  summary: 'The command to run on each platform, with a <TOKEN> placeholder',
  responses: { 200: jsonResponse(OnboardingInstructionsSchema, 'Per-platform instructions') },
});

async function findToken(db: Kysely<Database>, tenantId: string, id: string) {
  const row = await db
    .selectFrom('onboarding_tokens')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No onboarding token ${id}.`);
  return row;
}

export const registerOnboardingRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listTokens, async (c) => {
    const { tenantId } = actorOf(c);
    const { limit, offset } = c.req.valid('query');
    const db = context.store.db;
    const now = context.clock.now();
    const [rows, total] = await Promise.all([
      db
        .selectFrom('onboarding_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
      db
        .selectFrom('onboarding_tokens')
        .select(db.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow(),
    ]);
    return c.json(
      { items: rows.map((row) => presentToken(row, now)), total: Number(total.count) },
      200,
    );
  });

  app.openapi(createToken, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const now = context.clock.now();
    const token = newSecret(ONBOARDING_TOKEN_PREFIX);
    const row: OnboardingTokenTable = {
      id: randomUUID(),
      tenant_id: actor.tenantId,
      description: input.description,
      token_hash: hashSecret(token),
      token_hint: `${token.slice(0, ONBOARDING_TOKEN_PREFIX.length + 6)}…`,
      created_by: actor.username,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + input.expiresInHours * 3_600_000).toISOString(),
      revoked_at: null,
    };
    const created = await commitChange(context, async (trx) => {
      await trx.insertInto('onboarding_tokens').values(row).execute();
      const presented = presentToken(row, now);
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'onboarding-token.create',
        objectType: 'onboarding-token',
        objectId: row.id,
        after: presented,
        at: now,
      });
      return { result: presented };
    });
    return c.json(
      {
        onboardingToken: created,
        token,
        instructions: onboardingInstructions(context.options.publicUrl, token),
      },
      201,
    );
  });

  app.openapi(getToken, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const row = await findToken(context.store.db, actor.tenantId, id);
    return c.json(presentToken(row, context.clock.now()), 200);
  });

  app.openapi(revokeToken, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const now = context.clock.now();
    const revoked = await commitChange(context, async (trx) => {
      const before = await findToken(trx, actor.tenantId, id);
      // Revoking twice keeps the first revocation time.
      if (!before.revoked_at) {
        await trx
          .updateTable('onboarding_tokens')
          .set({ revoked_at: now.toISOString() })
          .where('tenant_id', '=', actor.tenantId)
          .where('id', '=', id)
          .execute();
      }
      const after = presentToken(await findToken(trx, actor.tenantId, id), now);
      await appendAudit(trx, {
        tenantId: actor.tenantId,
        actor: auditActorOf(actor),
        action: 'onboarding-token.revoke',
        objectType: 'onboarding-token',
        objectId: id,
        before: presentToken(before, now),
        after,
        at: now,
      });
      return { result: after };
    });
    return c.json(revoked, 200);
  });

  app.openapi(instructions, async (c) =>
    c.json(onboardingInstructions(context.options.publicUrl, TOKEN_PLACEHOLDER), 200),
  );
};
