/**
 * Writes a change set inside the caller's transaction: every object as the single-object routes
 * would (policy versions through services/policies, an audit entry per object), then the fleet
 * engine's hooks once per kind, in dependency order (settings → asset rules → groups → policies),
 * so memberships are current before policies are resolved. Returns the pushes to send after
 * commit.
 */
import { randomUUID } from 'node:crypto';
import type { PolicyAssignmentsMessage } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import type { UserActor } from '../../authz/roles.js';
import type { AfterCommit, AppContext } from '../../context.js';
import { appendAudit, auditActorOf } from '../../services/audit.js';
import { insertPolicy, loadPolicy, saveVersion } from '../../services/policies.js';
import type { Database } from '../../store/schema.js';
import type { PlannedChange } from './changes.js';
import type { CurrentState } from './current.js';

interface Writer {
  readonly trx: Kysely<Database>;
  readonly actor: UserActor;
  readonly now: Date;
  readonly touched: {
    settings: boolean;
    groups: Set<string>;
    assetRules: Set<string>;
    policies: Set<string>;
  };
}

/** What was written: the pushes to send after commit, and the id of each object after it. */
export interface WriteResult {
  readonly pushes: AfterCommit[];
  /** Per change: the object's id after the change (a created or replaced object's new id). */
  readonly ids: ReadonlyMap<PlannedChange, string>;
}

async function audit(
  w: Writer,
  objectType: string,
  action: string,
  id: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  await appendAudit(w.trx, {
    tenantId: w.actor.tenantId,
    actor: auditActorOf(w.actor),
    action: `${objectType}.${action}`,
    objectType,
    objectId: id,
    before,
    after,
    at: w.now,
  });
}

export async function writeChanges(
  context: AppContext,
  trx: Kysely<Database>,
  actor: UserActor,
  current: CurrentState,
  changes: readonly PlannedChange[],
): Promise<WriteResult> {
  const w: Writer = {
    trx,
    actor,
    now: context.clock.now(),
    touched: { settings: false, groups: new Set(), assetRules: new Set(), policies: new Set() },
  };
  const groupIds = new Map(current.groups.map((g) => [g.name, g.id]));
  const ids = new Map<PlannedChange, string>();
  for (const change of changes) {
    switch (change.kind) {
      case 'TenantSettings':
        await writeSettings(w, current, change.next);
        break;
      case 'Group':
        if (change.action === 'delete') await deleteGroup(w, change.current);
        else {
          const id = await writeGroup(w, change);
          groupIds.set(change.desired.document.name, id);
          ids.set(change, id);
        }
        break;
      case 'AssetRule': {
        const id = await writeAssetRule(w, change);
        if (id) ids.set(change, id);
        break;
      }
      case 'Policy': {
        const id = await writePolicy(w, change, groupIds);
        if (id) ids.set(change, id);
        break;
      }
    }
  }
  const tenantId = actor.tenantId;
  const pushes: AfterCommit[] = [];
  const { touched } = w;
  if (touched.settings) pushes.push(await context.fleet.tenantSettingsChanged(trx, tenantId));
  if (touched.assetRules.size > 0) {
    pushes.push(await context.fleet.assetRulesChanged(trx, tenantId, [...touched.assetRules]));
  }
  if (touched.groups.size > 0) {
    pushes.push(await context.fleet.groupsChanged(trx, tenantId, [...touched.groups]));
  }
  if (touched.policies.size > 0) {
    pushes.push(await context.fleet.policiesChanged(trx, tenantId, [...touched.policies]));
  }
  return { pushes, ids };
}

async function writeSettings(
  w: Writer,
  current: CurrentState,
  next: CurrentState['settings'],
): Promise<void> {
  await w.trx
    .updateTable('tenants')
    .set({ settings: JSON.stringify(next) })
    .where('id', '=', w.actor.tenantId)
    .execute();
  await audit(w, 'tenant-settings', 'update', w.actor.tenantId, current.settings, next);
  w.touched.settings = true;
}

async function writeGroup(
  w: Writer,
  change: Extract<PlannedChange, { kind: 'Group'; action: 'create' | 'update' }>,
): Promise<string> {
  const { trx, actor } = w;
  const doc = change.desired.document;
  const kind = doc.rule !== undefined ? 'dynamic' : 'assigned';
  const now = w.now.toISOString();
  const id = change.current?.id ?? randomUUID();
  const row = {
    name: doc.name,
    description: doc.description ?? '',
    kind,
    rule: doc.rule ?? null,
    updated_at: now,
  };
  if (change.current) {
    await trx
      .updateTable('groups')
      .set(row)
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .execute();
  } else {
    await trx
      .insertInto('groups')
      .values({ id, tenant_id: actor.tenantId, created_at: now, ...row })
      .execute();
  }
  // Static members: the document's list is the whole membership (none for a dynamic group).
  await trx
    .deleteFrom('group_static_members')
    .where('tenant_id', '=', actor.tenantId)
    .where('group_id', '=', id)
    .execute();
  const members = kind === 'assigned' ? change.desired.memberIds : [];
  for (let i = 0; i < members.length; i += 500) {
    await trx
      .insertInto('group_static_members')
      .values(
        members.slice(i, i + 500).map((deviceId) => ({
          tenant_id: actor.tenantId,
          group_id: id,
          device_id: deviceId,
          added_at: now,
        })),
      )
      .execute();
  }
  const after = { id, ...row, members };
  const before = change.current
    ? {
        id,
        name: change.current.name,
        description: change.current.description,
        kind: change.current.kind,
        rule: change.current.rule,
        members: change.current.members,
      }
    : null;
  await audit(w, 'group', change.current ? 'update' : 'create', id, before, after);
  w.touched.groups.add(id);
  return id;
}

async function deleteGroup(w: Writer, group: CurrentState['groups'][number]): Promise<void> {
  await w.trx
    .deleteFrom('groups')
    .where('tenant_id', '=', w.actor.tenantId)
    .where('id', '=', group.id)
    .execute();
  await audit(w, 'group', 'delete', group.id, group, null);
  w.touched.groups.add(group.id);
}

async function writeAssetRule(
  w: Writer,
  change: Extract<PlannedChange, { kind: 'AssetRule' }>,
): Promise<string | null> {
  const { trx, actor } = w;
  const now = w.now.toISOString();
  if (change.action === 'delete') {
    await trx
      .deleteFrom('asset_rules')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', change.current.id)
      .execute();
    await audit(w, 'asset-rule', 'delete', change.current.id, change.current, null);
    w.touched.assetRules.add(change.current.id);
    return null;
  }
  const doc = change.desired.document;
  const row = { name: doc.name, description: doc.description ?? '', rule: doc.rule, tag: doc.tag };
  const id = change.current?.id ?? randomUUID();
  if (change.current) {
    await trx
      .updateTable('asset_rules')
      .set({ ...row, updated_at: now })
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', id)
      .execute();
  } else {
    await trx
      .insertInto('asset_rules')
      .values({
        id,
        tenant_id: actor.tenantId,
        ...row,
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const enabled = change.current?.enabled ?? true;
  await audit(w, 'asset-rule', change.current ? 'update' : 'create', id, change.current, {
    id,
    ...row,
    enabled,
  });
  w.touched.assetRules.add(id);
  return id;
}

async function writePolicy(
  w: Writer,
  change: Extract<PlannedChange, { kind: 'Policy' }>,
  groupIds: ReadonlyMap<string, string>,
): Promise<string | null> {
  const { trx, actor } = w;
  const tenantId = actor.tenantId;
  if (change.action === 'delete' || change.action === 'replace') {
    const gone = change.current as NonNullable<typeof change.current>;
    const before = await loadPolicy(trx, tenantId, gone.id);
    await trx
      .deleteFrom('policies')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', gone.id)
      .execute();
    await audit(w, 'policy', 'delete', gone.id, before, null);
    w.touched.policies.add(gone.id);
    if (change.action === 'delete') return null;
  }
  const doc = change.desired.document;
  const toIds = (names: readonly string[]) => names.map((name) => groupIds.get(name) ?? name);
  const assignments: PolicyAssignmentsMessage = {
    include: toIds(doc.assignments.include),
    exclude: toIds(doc.assignments.exclude),
    filter: doc.assignments.filter,
  };
  const content = {
    name: doc.name,
    description: doc.description ?? '',
    settings: doc.settings,
    assignments,
  };
  if (change.action === 'update' && change.current) {
    const id = change.current.id;
    const before = await loadPolicy(trx, tenantId, id);
    await saveVersion(trx, {
      tenantId,
      policyId: id,
      content,
      change: 'updated',
      by: actor.username,
      now: w.now,
    });
    await audit(w, 'policy', 'update', id, before, await loadPolicy(trx, tenantId, id));
    w.touched.policies.add(id);
    return id;
  }
  const id = await insertPolicy(trx, {
    tenantId,
    platform: doc.platform,
    profile: doc.profile,
    content,
    by: actor.username,
    now: w.now,
  });
  await audit(w, 'policy', 'create', id, null, await loadPolicy(trx, tenantId, id));
  w.touched.policies.add(id);
  return id;
}
