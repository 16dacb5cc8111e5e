/**
 * Asset rules: a condition in the asset vocabulary (name, domain, platform, onboarding status,
 * tags, …) and an action (add a tag). Saving one (re)tags the tenant's devices at once, in the
 * same transaction (fleet engine); a device that stops matching loses the tag.
 */
import { randomUUID } from 'node:crypto';
import {
  type AssetRule,
  AssetRuleListSchema,
  AssetRuleSchema,
  CreateAssetRuleRequestSchema,
  PageQuerySchema,
  UpdateAssetRuleRequestSchema,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { checkRule } from '../services/rules.js';
import type { AssetRuleTable, Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/store.js';
import { auditObjectChange, nameTakenError, resourceRoutes } from './resource.js';
import { actorOf, type RegisterRoutes } from './route.js';

const {
  list: listRules,
  create: createRule,
  get: getRule,
  update: updateRule,
  remove: deleteRule,
} = resourceRoutes({
  path: '/api/v1/asset-rules',
  tags: ['asset-rules'],
  schemas: {
    listQuery: PageQuerySchema,
    list: AssetRuleListSchema,
    item: AssetRuleSchema,
    create: CreateAssetRuleRequestSchema,
    update: UpdateAssetRuleRequestSchema,
  },
  text: {
    list: { summary: 'List asset rules', answer: 'Asset rules, by name' },
    create: {
      summary: 'Create an asset rule; matching devices are tagged at once',
      answer: 'Created',
    },
    get: { summary: 'One asset rule', answer: 'The asset rule' },
    update: { summary: 'Change an asset rule; tags follow at once', answer: 'Changed' },
    remove: { summary: 'Delete an asset rule; the tags it set are removed', answer: 'Deleted' },
  },
});

function presentAssetRule(row: AssetRuleTable): AssetRule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    rule: row.rule,
    tag: row.tag,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function findRule(db: Kysely<Database>, tenantId: string, id: string): Promise<AssetRule> {
  const row = await db
    .selectFrom('asset_rules')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No asset rule ${id}.`);
  return presentAssetRule(row);
}

const audit = auditObjectChange('asset-rule');

export const registerAssetRuleRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listRules, async (c) => {
    const { tenantId } = actorOf(c);
    const { limit, offset } = c.req.valid('query');
    const db = context.store.db;
    const [rows, total] = await Promise.all([
      db
        .selectFrom('asset_rules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .limit(limit)
        .offset(offset)
        .execute(),
      db
        .selectFrom('asset_rules')
        .select(db.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow(),
    ]);
    return c.json({ items: rows.map(presentAssetRule), total: Number(total.count) }, 200);
  });

  app.openapi(createRule, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    checkRule(input.rule, 'asset', 'body.rule');
    const now = context.clock.now();
    const id = randomUUID();
    const rule = await commitChange(context, async (trx) => {
      await trx
        .insertInto('asset_rules')
        .values({
          id,
          tenant_id: actor.tenantId,
          name: input.name,
          description: input.description,
          rule: input.rule,
          tag: input.tag,
          enabled: input.enabled ? 1 : 0,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? nameTakenError('an asset rule', input.name) : error;
        });
      const created = await findRule(trx, actor.tenantId, id);
      await audit(trx, actor, 'asset-rule.create', id, null, created, now);
      const push = await context.fleet.assetRulesChanged(trx, actor.tenantId, [id]);
      return { result: created, afterCommit: [push] };
    });
    return c.json(rule, 201);
  });

  app.openapi(getRule, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    return c.json(await findRule(context.store.db, actor.tenantId, id), 200);
  });

  app.openapi(updateRule, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    if (input.rule !== undefined) checkRule(input.rule, 'asset', 'body.rule');
    const now = context.clock.now();
    const rule = await commitChange(context, async (trx) => {
      const before = await findRule(trx, actor.tenantId, id);
      await trx
        .updateTable('asset_rules')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.rule !== undefined ? { rule: input.rule } : {}),
          ...(input.tag !== undefined ? { tag: input.tag } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
          updated_at: now.toISOString(),
        })
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error)
            ? nameTakenError('an asset rule', input.name ?? '')
            : error;
        });
      const after = await findRule(trx, actor.tenantId, id);
      await audit(trx, actor, 'asset-rule.update', id, before, after, now);
      const push = await context.fleet.assetRulesChanged(trx, actor.tenantId, [id]);
      return { result: after, afterCommit: [push] };
    });
    return c.json(rule, 200);
  });

  app.openapi(deleteRule, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const now = context.clock.now();
    await commitChange(context, async (trx) => {
      const before = await findRule(trx, actor.tenantId, id);
      await trx
        .deleteFrom('asset_rules')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute();
      await audit(trx, actor, 'asset-rule.delete', id, before, null, now);
      const push = await context.fleet.assetRulesChanged(trx, actor.tenantId, [id]);
      return { result: undefined, afterCommit: [push] };
    });
    return c.json({ ok: true as const }, 200);
  });
};
