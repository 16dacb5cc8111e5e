/**
 * The audit log, newest first: filter by actor (user id or username), action (exact, or a prefix
 * ending in a dot: `policy.`), object, and a time window; paged.
 */
import { type AuditEntry, AuditListSchema, AuditQuerySchema } from '@palisade/protocol';
import type { AuditLogTable } from '../store/schema.js';
import { actorOf, jsonResponse, type RegisterRoutes, route } from './route.js';

const listAudit = route('reader', {
  method: 'get',
  path: '/api/v1/audit',
  tags: ['audit'],
  summary: 'The audit log: who changed what, when, before and after',
  request: { query: AuditQuerySchema },
  responses: { 200: jsonResponse(AuditListSchema, 'Entries, newest first') },
});

function presentAuditEntry(
  row: Omit<AuditLogTable, 'seq' | 'tenant_id'> & { seq: number },
): AuditEntry {
  const actorType =
    row.actor_type === 'device' || row.actor_type === 'system' ? row.actor_type : 'user';
  return {
    id: row.seq,
    at: row.at,
    actor: { type: actorType, id: row.actor_id, name: row.actor_name },
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
  };
}

export const registerAuditRoutes: RegisterRoutes = (app, context) => {
  app.openapi(listAudit, async (c) => {
    const { tenantId } = actorOf(c);
    const query = c.req.valid('query');
    const db = context.store.db;
    let filtered = db.selectFrom('audit_log').where('tenant_id', '=', tenantId);
    if (query.actor) {
      const actor = query.actor;
      filtered = filtered.where((eb) =>
        eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor.toLowerCase())]),
      );
    }
    if (query.action) {
      filtered = query.action.endsWith('.')
        ? filtered.where('action', 'like', `${query.action.replace(/[%_\\]/g, '')}%`)
        : filtered.where('action', '=', query.action);
    }
    if (query.objectType) filtered = filtered.where('object_type', '=', query.objectType);
    if (query.objectId) filtered = filtered.where('object_id', '=', query.objectId);
    if (query.since) filtered = filtered.where('at', '>=', new Date(query.since).toISOString());
    if (query.until) filtered = filtered.where('at', '<', new Date(query.until).toISOString());
    const [rows, total] = await Promise.all([
      filtered
        .select([
          'seq',
          'at',
          'actor_type',
          'actor_id',
          'actor_name',
          'action',
          'object_type',
          'object_id',
          'before',
          'after',
        ])
        .orderBy('seq', 'desc')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      filtered.select(db.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return c.json({ items: rows.map(presentAuditEntry), total: Number(total.count) }, 200);
  });
};
