/**
 * Policies: CRUD validated by the catalog, every save a new immutable version, versions listed,
 * diffed and reverted to, and assignments (include / exclude groups, filter). Each change tells
 * the fleet engine in the same transaction; the devices it reaches are pushed after commit.
 */
import type { PolicyPlatform, Profile } from '@palisade/core';
import {
  CreatePolicyRequestSchema,
  IdParamsSchema,
  type Policy,
  PolicyAssignmentsSchema,
  PolicyDiffQuerySchema,
  PolicyDiffSchema,
  PolicyListQuerySchema,
  PolicyListSchema,
  PolicySchema,
  PolicyVersionListSchema,
  PolicyVersionParamsSchema,
  PolicyVersionSchema,
  RevertPolicyRequestSchema,
  UpdatePolicyRequestSchema,
} from '@palisade/protocol';
import type { Kysely } from 'kysely';
import type { UserActor } from '../authz/roles.js';
import { type AppContext, commitChange } from '../context.js';
import {
  checkAssignments,
  checkProfile,
  checkSettings,
  diffVersions,
  findPolicyRow,
  findVersionRow,
  insertPolicy,
  loadPolicy,
  lockPolicy,
  NO_ASSIGNMENTS,
  type PolicyContent,
  presentVersion,
  saveVersion,
} from '../services/policies.js';
import type { Database } from '../store/schema.js';
import { auditObjectChange, resourceRoutes } from './resource.js';
import { actorOf, jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

const tags = ['policies'];
const params = IdParamsSchema;

const {
  list: listPolicies,
  create: createPolicy,
  get: getPolicy,
  update: updatePolicy,
  remove: deletePolicy,
} = resourceRoutes({
  path: '/api/v1/policies',
  tags,
  schemas: {
    listQuery: PolicyListQuerySchema,
    list: PolicyListSchema,
    item: PolicySchema,
    create: CreatePolicyRequestSchema,
    update: UpdatePolicyRequestSchema,
  },
  text: {
    list: { summary: 'List policies', answer: 'Policies, by name' },
    create: {
      summary: 'Create a policy (version 1), validated by the settings catalog',
      answer: 'Created',
    },
    get: { summary: 'The current version of a policy', answer: 'The policy' },
    update: {
      summary: 'Save a new version: the fields sent replace the current ones',
      answer: 'The new version',
    },
    remove: {
      summary: 'Delete a policy and its versions; the devices it reached are recomputed',
      answer: 'Deleted',
    },
  },
});
const putAssignments = route('security-manager', {
  method: 'put',
  path: '/api/v1/policies/{id}/assignments',
  tags,
  summary: 'Set the include / exclude groups and filter: a new version',
  request: { params, body: jsonBody(PolicyAssignmentsSchema) },
  responses: { 200: jsonResponse(PolicySchema, 'The new version') },
});
const listVersions = route('reader', {
  method: 'get',
  path: '/api/v1/policies/{id}/versions',
  tags,
  summary: 'Every version of a policy, newest first',
  request: { params },
  responses: { 200: jsonResponse(PolicyVersionListSchema, 'Versions') },
});
const getVersion = route('reader', {
  method: 'get',
  path: '/api/v1/policies/{id}/versions/{version}',
  tags,
  summary: "One version's content",
  request: { params: PolicyVersionParamsSchema },
  responses: { 200: jsonResponse(PolicyVersionSchema, 'The version') },
});
const diffPolicy = route('reader', {
  method: 'get',
  path: '/api/v1/policies/{id}/diff',
  tags,
  summary: 'What changed between two versions, per setting (before / after)',
  request: { params, query: PolicyDiffQuerySchema },
  responses: { 200: jsonResponse(PolicyDiffSchema, 'The differences') },
});
const revertPolicy = route('security-manager', {
  method: 'post',
  path: '/api/v1/policies/{id}/revert',
  tags,
  summary: "Revert to a version: saves a new version with that version's content",
  request: { params, body: jsonBody(RevertPolicyRequestSchema) },
  responses: { 200: jsonResponse(PolicySchema, 'The new version') },
});

/**
 * Saves a new version of an existing policy inside one transaction with the audit entry and the
 * fleet engine's recompute; returns the policy as it is now.
 */
async function saveNewVersion(
  context: AppContext,
  actor: UserActor,
  id: string,
  change: string,
  makeContent: (current: Policy, trx: Kysely<Database>) => Promise<PolicyContent>,
): Promise<Policy> {
  const now = context.clock.now();
  return commitChange(context, async (trx) => {
    // Lock first: two saves of one policy at once then take turns, each reading the other's
    // result, instead of both building on the same version.
    await lockPolicy(trx, actor.tenantId, id);
    const before = await loadPolicy(trx, actor.tenantId, id);
    const content = await makeContent(before, trx);
    await saveVersion(trx, {
      tenantId: actor.tenantId,
      policyId: id,
      content,
      change,
      by: actor.username,
      now,
    });
    const after = await loadPolicy(trx, actor.tenantId, id);
    await audit(
      trx,
      actor,
      change.startsWith('reverted') ? 'policy.revert' : 'policy.update',
      id,
      before,
      after,
      now,
    );
    const push = await context.fleet.policiesChanged(trx, actor.tenantId, [id]);
    return { result: after, afterCommit: [push] };
  });
}

const audit = auditObjectChange('policy');

export const registerPolicyRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listPolicies, async (c) => {
    const { tenantId } = actorOf(c);
    const query = c.req.valid('query');
    const db = context.store.db;
    let filtered = db.selectFrom('policies').where('policies.tenant_id', '=', tenantId);
    if (query.platform) filtered = filtered.where('policies.platform', '=', query.platform);
    if (query.profile) filtered = filtered.where('policies.profile', '=', query.profile);
    if (query.search) {
      const words = `%${query.search.toLowerCase().replace(/[%_\\]/g, '')}%`;
      filtered = filtered.where((eb) => eb(eb.fn('lower', ['policies.name']), 'like', words));
    }
    const [rows, total] = await Promise.all([
      filtered
        .innerJoin('policy_versions', (join) =>
          join
            .onRef('policy_versions.policy_id', '=', 'policies.id')
            .onRef('policy_versions.version', '=', 'policies.current_version'),
        )
        .selectAll('policies')
        .select(['policy_versions.settings', 'policy_versions.assignments'])
        .orderBy('policies.name')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      filtered.select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    const items = rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      platform: row.platform as PolicyPlatform,
      profile: row.profile as Profile,
      version: row.current_version,
      settingCount: Object.keys(JSON.parse(row.settings) as object).length,
      assignments: JSON.parse(row.assignments),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
    return c.json({ items, total: Number(total.count) }, 200);
  });

  app.openapi(createPolicy, async (c) => {
    const actor = actorOf(c);
    const input = c.req.valid('json');
    const now = context.clock.now();
    checkProfile(input.platform, input.profile);
    checkSettings(input.platform, input.profile, input.settings);
    const assignments = input.assignments ?? NO_ASSIGNMENTS;
    const policy = await commitChange(context, async (trx) => {
      await checkAssignments(trx, actor.tenantId, assignments);
      const id = await insertPolicy(trx, {
        tenantId: actor.tenantId,
        platform: input.platform,
        profile: input.profile,
        content: {
          name: input.name,
          description: input.description,
          settings: input.settings,
          assignments,
        },
        by: actor.username,
        now,
      });
      const created = await loadPolicy(trx, actor.tenantId, id);
      await audit(trx, actor, 'policy.create', id, null, created, now);
      const push = await context.fleet.policiesChanged(trx, actor.tenantId, [id]);
      return { result: created, afterCommit: [push] };
    });
    return c.json(policy, 201);
  });

  app.openapi(getPolicy, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    return c.json(await loadPolicy(context.store.db, actor.tenantId, id), 200);
  });

  app.openapi(updatePolicy, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const policy = await saveNewVersion(context, actor, id, 'updated', async (current, trx) => {
      if (input.settings) checkSettings(current.platform, current.profile, input.settings);
      if (input.assignments) await checkAssignments(trx, actor.tenantId, input.assignments);
      return {
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        settings: input.settings ?? current.settings,
        assignments: input.assignments ?? current.assignments,
      };
    });
    return c.json(policy, 200);
  });

  app.openapi(putAssignments, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const assignments = c.req.valid('json');
    const policy = await saveNewVersion(context, actor, id, 'assignments', async (current, trx) => {
      await checkAssignments(trx, actor.tenantId, assignments, 'body');
      return { ...current, assignments };
    });
    return c.json(policy, 200);
  });

  app.openapi(revertPolicy, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const { version } = c.req.valid('json');
    const policy = await saveNewVersion(
      context,
      actor,
      id,
      `reverted to ${version}`,
      async (current, trx) => {
        const target = presentVersion(
          await findVersionRow(trx, actor.tenantId, id, version, 'body.version'),
        );
        // The catalog or the groups may have moved since that version: check it again.
        checkSettings(
          current.platform,
          current.profile,
          target.settings,
          `version ${version}.settings`,
        );
        await checkAssignments(
          trx,
          actor.tenantId,
          target.assignments,
          `version ${version}.assignments`,
        );
        return target;
      },
    );
    return c.json(policy, 200);
  });

  app.openapi(deletePolicy, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const now = context.clock.now();
    await commitChange(context, async (trx) => {
      const before = await loadPolicy(trx, actor.tenantId, id);
      await trx
        .deleteFrom('policies')
        .where('tenant_id', '=', actor.tenantId)
        .where('id', '=', id)
        .execute();
      await audit(trx, actor, 'policy.delete', id, before, null, now);
      const push = await context.fleet.policiesChanged(trx, actor.tenantId, [id]);
      return { result: undefined, afterCommit: [push] };
    });
    return c.json({ ok: true as const }, 200);
  });

  app.openapi(listVersions, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    await findPolicyRow(context.store.db, actor.tenantId, id);
    const rows = await context.store.db
      .selectFrom('policy_versions')
      .select(['version', 'name', 'change', 'created_at', 'created_by'])
      .where('tenant_id', '=', actor.tenantId)
      .where('policy_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    const items = rows.map((row) => ({
      version: row.version,
      name: row.name,
      change: row.change,
      createdAt: row.created_at,
      createdBy: row.created_by,
    }));
    return c.json({ items, total: items.length }, 200);
  });

  app.openapi(getVersion, async (c) => {
    const actor = actorOf(c);
    const { id, version } = c.req.valid('param');
    await findPolicyRow(context.store.db, actor.tenantId, id);
    return c.json(
      presentVersion(await findVersionRow(context.store.db, actor.tenantId, id, version)),
      200,
    );
  });

  app.openapi(diffPolicy, async (c) => {
    const actor = actorOf(c);
    const { id } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    const db = context.store.db;
    await findPolicyRow(db, actor.tenantId, id);
    const [before, after] = await Promise.all([
      findVersionRow(db, actor.tenantId, id, from, 'query.from'),
      findVersionRow(db, actor.tenantId, id, to, 'query.to'),
    ]);
    return c.json(diffVersions(before, after), 200);
  });
};
