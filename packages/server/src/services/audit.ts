/**
 * The audit log: every change, append-only, written in the same transaction as the change it
 * describes (so a rolled-back change leaves no entry, and a committed one always has one).
 */
import type { Kysely } from 'kysely';
import type { UserActor } from '../authz/roles.js';
import type { Database } from '../store/schema.js';

export interface AuditActor {
  readonly type: 'user' | 'system' | 'device';
  readonly id: string | null;
  readonly name: string;
}

export interface AuditEntryInput {
  readonly tenantId: string;
  readonly actor: AuditActor;
  /** `<object type>.<verb>`, e.g. `policy.update`, `user.create`, `onboarding-token.revoke`. */
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  /** The object before the change (null for a creation); secrets are never included. */
  readonly before?: unknown;
  /** The object after the change (null for a deletion). */
  readonly after?: unknown;
  readonly at: Date;
}

export function auditActorOf(actor: UserActor): AuditActor {
  return { type: 'user', id: actor.userId, name: actor.username };
}

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null, name: 'system' };

export async function appendAudit(trx: Kysely<Database>, entry: AuditEntryInput): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      tenant_id: entry.tenantId,
      at: entry.at.toISOString(),
      actor_type: entry.actor.type,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      before:
        entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
    })
    .execute();
}
