/**
 * Groups: assigned (static members) and dynamic (a membership rule in the directory's rule
 * language, checked by core's parser). Every change tells the fleet engine, in the same
 * transaction, which groups changed; it recomputes membership and the devices that moved.
 */
import { randomUUID } from 'node:crypto';
import { ruleReferences } from '@palisade/core';
import {
  CreateGroupRequestSchema,
  type Group,
  GroupListQuerySchema,
  GroupListSchema,
  GroupSchema,
  IdParamsSchema,
  UpdateGroupMembersRequestSchema,
  UpdateGroupRequestSchema,
} from '@palisade/protocol';
import type { Kysely, Selectable } from 'kysely';
import { commitChange } from '../context.js';
import { ApiError } from '../errors.js';
import { existingDeviceIds } from '../services/devices.js';
import { checkRule } from '../services/rules.js';
import type { Database, GroupTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/store.js';
import { auditObjectChange, nameTakenError, resourceRoutes } from './resource.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

const tags = ['groups'];
const params = IdParamsSchema;

const {
  list: listGroups,
  create: createGroup,
  get: getGroup,
  update: updateGroup,
  remove: deleteGroup,
} = resourceRoutes({
  path: '/api/v1/groups',
  tags,
  schemas: {
    listQuery: GroupListQuerySchema,
    list: GroupListSchema,
    item: GroupSchema,
    create: CreateGroupRequestSchema,
    update: UpdateGroupRequestSchema,
  },
  text: {
    list: { summary: 'List groups', answer: 'Groups, by name' },
    create: {
      summary: 'Create an assigned group (members) or a dynamic group (rule)',
      answer: 'Created',
    },
    get: { summary: 'One group', answer: 'The group' },
    update: {
      summary: "Rename a group, describe it, or change a dynamic group's rule",
      answer: 'Changed',
    },
    remove: {
      summary: 'Delete a group that no policy and no other group refers to',
      answer: 'Deleted',
    },
  },
});
const updateMembers = route('security-manager', {
  method: 'post',
  path: '/api/v1/groups/{id}/members',
  tags,
  summary: 'Add and remove members of an assigned group',
  request: { params, body: jsonBody(UpdateGroupMembersRequestSchema) },
  responses: { 200: jsonResponse(GroupSchema, 'The group after the change') },
});

async function findGroup(db: Kysely<Database>, tenantId: string, id: string): Promise<Group> {
  const row = await db
    .selectFrom('groups')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No group ${id}.`);
  const count =
    row.kind === 'assigned'
      ? await db
          .selectFrom('group_static_members')
          .select(db.fn.countAll<number>().as('count'))
          .where('tenant_id', '=', tenantId)
          .where('group_id', '=', id)
          .executeTakeFirstOrThrow()
      : null;
  return presentGroup(row, count ? Number(count.count) : null);
}

function presentGroup(row: Selectable<GroupTable>, staticMemberCount: number | null): Group {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind === 'dynamic' ? 'dynamic' : 'assigned',
    rule: row.rule,
    staticMemberCount,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Checks a dynamic group's rule: it parses, every group it reads through memberOf exists in the
 * tenant, and no chain of memberOf leads back to the group itself.
 */
async function checkMembershipRule(
  db: Kysely<Database>,
  tenantId: string,
  groupId: string,
  rule: string,
): Promise<void> {
  const references = ruleReferences(checkRule(rule, 'device', 'body.rule')).memberOfGroupIds;
  if (references.length === 0) return;
  const groups = await db
    .selectFrom('groups')
    .select(['id', 'rule'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const rules = new Map(groups.map((group) => [group.id, group.rule]));
  const missing = references.filter((id) => !rules.has(id) && id !== groupId);
  if (missing.length > 0) {
    throw new ApiError(
      'invalid_rule',
      `body.rule: memberOf names no group of this tenant: ${missing.join(', ')}`,
      [{ path: 'body.rule', message: `memberOf names unknown groups: ${missing.join(', ')}` }],
    );
  }
  const seen = new Set<string>();
  const pending = [...references];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (next === groupId) {
      throw new ApiError(
        'invalid_rule',
        'body.rule: memberOf would make the group depend on itself',
        [{ path: 'body.rule', message: 'memberOf leads back to this group (a cycle)' }],
      );
    }
    if (seen.has(next)) continue;
    seen.add(next);
    const text = rules.get(next);
    if (!text) continue;
    const parsed = checkRuleQuietly(text);
    if (parsed) pending.push(...parsed);
  }
}

function checkRuleQuietly(text: string): readonly string[] | undefined {
  try {
    return ruleReferences(checkRule(text, 'device', 'rule')).memberOfGroupIds;
  } catch {
    return undefined;
  }
}

async function checkMembers(
  db: Kysely<Database>,
  tenantId: string,
  deviceIds: readonly string[],
  path: string,
): Promise<void> {
  if (deviceIds.length === 0) return;
  const known = await existingDeviceIds(db, tenantId, deviceIds);
  const unknown = deviceIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ApiError(
      'validation_failed',
      `${path}: no device ${unknown.slice(0, 5).join(', ')} in this tenant`,
      [{ path, message: `unknown devices: ${unknown.slice(0, 20).join(', ')}` }],
    );
  }
}

async function addMembers(
  trx: Kysely<Database>,
  tenantId: string,
  groupId: string,
  deviceIds: readonly string[],
  now: Date,
): Promise<void> {
  const unique = [...new Set(deviceIds)];
  for (let i = 0; i < unique.length; i += 500) {
    await trx
      .insertInto('group_static_members')
      .values(
        unique.slice(i, i + 500).map((deviceId) => ({
          tenant_id: tenantId,
          group_id: groupId,
          device_id: deviceId,
          added_at: now.toISOString(),
        })),
      )
      .onConflict((conflict) => conflict.columns(['group_id', 'device_id']).doNothing())
      .execute();
  }
}

const audit = auditObjectChange('group');

export const registerGroupRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listGroups, async (c) => {
    const { tenantId } = actorOf(c);
    const query = c.req.valid('query');
    const db = context.store.db;
    let filtered = db.selectFrom('groups').where('groups.tenant_id', '=', tenantId);
    if (query.kind) filtered = filtered.where('groups.kind', '=', query.kind);
    if (query.search) {
      const words = `%${query.search.toLowerCase().replace(/[%_\\]/g, '')}%`;
      filtered = filtered.where((eb) => eb(eb.fn('lower', ['groups.name']), 'like', words));
    }
    const [rows, total] = await Promise.all([
      filtered
        .selectAll('groups')
        .select((eb) =>
          eb
            .selectFrom('group_static_members')
            .select(eb.fn.countAll<number>().as('count'))
            .whereRef('group_static_members.group_id', '=', 'groups.id')
            .as('member_count'),
        )
        .orderBy('groups.name')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      filtered.select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    const items = rows.map((row) =>
      presentGroup(row, row.kind === 'assigned' ? Number(row.member_count ?? 0) : null),
    );
    return c.json({ items, total: Number(total.count) }, 200);
  });

  app.openapi(createGroup, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const now = context.clock.now();
    const id = randomUUID();
    const group = await commitChange(context, async (trx) => {
      if (input.kind === 'dynamic') await checkMembershipRule(trx, actor.tenantId, id, input.rule);
      else await checkMembers(trx, actor.tenantId, input.members, 'body.members');
      await trx
        .insertInto('groups')
        .values({
          id,
          tenant_id: actor.tenantId,
          name: input.name,
          description: input.description,
          kind: input.kind,
          rule: input.kind === 'dynamic' ? input.rule : null,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? nameTakenError('a group', input.name) : error;
        });
      if (input.kind === 'assigned') await addMembers(trx, actor.tenantId, id, input.members, now);
      const created = await findGroup(trx, actor.tenantId, id);
      await audit(
        trx,
        actor,
        'group.create',
        id,
        null,
        {
          ...created,
          ...(input.kind === 'assigned' ? { members: input.members } : {}),
        },
        now,
      );
      const push = await context.fleet.groupsChanged(trx, actor.tenantId, [id]);
      return { result: created, afterCommit: [push] };
    });
    return c.json(group, 201);
  });

  app.openapi(getGroup, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    return c.json(await findGroup(context.store.db, actor.tenantId, id), 200);
  });

  app.openapi(updateGroup, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const now = context.clock.now();
    const group = await commitChange(context, async (trx) => {
      const before = await findGroup(trx, actor.tenantId, id);
      if (input.rule !== undefined) {
        if (before.kind !== 'dynamic') {
          throw new ApiError('validation_failed', 'body.rule: an assigned group has no rule', [
            { path: 'body.rule', message: 'an assigned group has no rule; create a dynamic group' },
          ]);
        }
        await checkMembershipRule(trx, actor.tenantId, id, input.rule);
      }
      await trx
        .updateTable('groups')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.rule !== undefined ? { rule: input.rule } : {}),
          updated_at: now.toISOString(),
        })
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? nameTakenError('a group', input.name ?? '') : error;
        });
      const after = await findGroup(trx, actor.tenantId, id);
      await audit(trx, actor, 'group.update', id, before, after, now);
      const ruleChanged = input.rule !== undefined && input.rule !== before.rule;
      const afterCommit = ruleChanged
        ? [await context.fleet.groupsChanged(trx, actor.tenantId, [id])]
        : [];
      return { result: after, afterCommit };
    });
    return c.json(group, 200);
  });

  app.openapi(deleteGroup, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const now = context.clock.now();
    await commitChange(context, async (trx) => {
      const before = await findGroup(trx, actor.tenantId, id);
      await refuseWhileReferenced(trx, actor.tenantId, id);
      await trx
        .deleteFrom('groups')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute();
      await audit(trx, actor, 'group.delete', id, before, null, now);
      const push = await context.fleet.groupsChanged(trx, actor.tenantId, [id]);
      return { result: undefined, afterCommit: [push] };
    });
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(updateMembers, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const { add, remove } = c.req.valid('json');
    const now = context.clock.now();
    const group = await commitChange(context, async (trx) => {
      const before = await findGroup(trx, actor.tenantId, id);
      if (before.kind !== 'assigned') {
        throw new ApiError(
          'validation_failed',
          'path.id: a dynamic group gets its members from its rule',
          [{ path: 'path.id', message: 'a dynamic group gets its members from its rule' }],
        );
      }
      await checkMembers(trx, actor.tenantId, add, 'body.add');
      await addMembers(trx, actor.tenantId, id, add, now);
      for (let i = 0; i < remove.length; i += 500) {
        await trx
          .deleteFrom('group_static_members')
          .where('tenant_id', '=', actor.tenantId)
          .where('group_id', '=', id)
          .where('device_id', 'in', remove.slice(i, i + 500))
          .execute();
      }
      const after = await findGroup(trx, actor.tenantId, id);
      await audit(
        trx,
        actor,
        'group.members',
        id,
        before,
        { ...after, added: add, removed: remove },
        now,
      );
      const push = await context.fleet.groupsChanged(trx, actor.tenantId, [id]);
      return { result: after, afterCommit: [push] };
    });
    return c.json(group, 200);
  });
};

/** A group that a policy assignment or another group's memberOf reads cannot be deleted. */
async function refuseWhileReferenced(trx: Kysely<Database>, tenantId: string, id: string) {
  const policies = await trx
    .selectFrom('policy_assignments')
    .innerJoin('policies', 'policies.id', 'policy_assignments.policy_id')
    .select('policies.name')
    .where('policy_assignments.tenant_id', '=', tenantId)
    .where('policy_assignments.group_id', '=', id)
    .execute();
  if (policies.length > 0) {
    const names = policies.map((policy) => `"${policy.name}"`).join(', ');
    throw new ApiError(
      'group_in_use',
      `The group is assigned to policies ${names}; remove those assignments first.`,
    );
  }
  const dynamic = await trx
    .selectFrom('groups')
    .select(['name', 'rule'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'dynamic')
    .where('rule', 'like', `%${id}%`)
    .execute();
  const readers = dynamic.filter(
    (group) => group.rule && checkRuleQuietly(group.rule)?.includes(id),
  );
  if (readers.length > 0) {
    const names = readers.map((group) => `"${group.name}"`).join(', ');
    throw new ApiError(
      'group_in_use',
      `The rules of groups ${names} read this group through memberOf; change them first.`,
    );
  }
}
