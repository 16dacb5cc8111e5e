/**
 * Sync now, for one device, a group or the whole tenant: a sync request records which devices
 * were asked; a notice goes to each after commit; a device's report that names the request marks
 * it as reported back (the progress an administrator watches).
 */
import { randomUUID } from 'node:crypto';
import type { SyncProgress, SyncRequest, SyncResponse } from '@palisade/protocol';
import { ApiError } from '../../errors.js';
import { type AuditActor, appendAudit } from '../audit.js';
import { chunks, fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { currentMembersOf } from './memberships.js';

export async function requestSync(
  fleet: FleetService,
  tenantId: string,
  target: SyncRequest,
  actor: AuditActor,
): Promise<SyncResponse> {
  const now = fleet.clock.now();
  const id = randomUUID();
  const deviceIds = await fleet.store.transaction(async (trx) => {
    const db = fleetDb(trx);
    const ids = await devicesOf(fleet, tenantId, target, db);
    await db
      .insertInto('sync_requests')
      .values({
        id,
        tenant_id: tenantId,
        scope: target.scope,
        target_id: target.scope === 'tenant' ? null : target.id,
        requested_by: actor.id,
        device_count: ids.length,
        created_at: now.toISOString(),
      })
      .execute();
    for (const batch of chunks(ids, 200)) {
      await db
        .insertInto('sync_request_devices')
        .values(
          batch.map((deviceId) => ({
            sync_request_id: id,
            tenant_id: tenantId,
            device_id: deviceId,
            reported_at: null,
          })),
        )
        .execute();
    }
    await appendAudit(trx, {
      tenantId,
      actor,
      action: 'sync.request',
      objectType: target.scope === 'tenant' ? 'tenant' : target.scope,
      objectId: target.scope === 'tenant' ? tenantId : target.id,
      after: { syncRequestId: id, scope: target.scope, deviceCount: ids.length },
      at: now,
    });
    return ids;
  });
  try {
    await fleet.push.publish(tenantId, deviceIds, { kind: 'sync', syncRequestId: id });
    fleet.metrics.pushes.inc({ kind: 'sync' }, deviceIds.length);
  } catch (error) {
    // The request is recorded; agents that miss the notice sync at their fallback check-in.
    fleet.logger.error({ err: error, syncRequestId: id }, 'sending sync notices failed');
  }
  return { syncRequestId: id, deviceCount: deviceIds.length };
}

async function devicesOf(
  fleet: FleetService,
  tenantId: string,
  target: SyncRequest,
  db = fleet.db,
): Promise<string[]> {
  const active = db
    .selectFrom('devices')
    .select('devices.id')
    .where('devices.tenant_id', '=', tenantId)
    .where('devices.offboarded_at', 'is', null);
  switch (target.scope) {
    case 'device': {
      const rows = await active.where('devices.id', '=', target.id).execute();
      if (rows.length === 0) throw new ApiError('not_found', `No device ${target.id}.`);
      return rows.map((row) => row.id);
    }
    case 'group': {
      const group = await db
        .selectFrom('groups')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', target.id)
        .executeTakeFirst();
      if (!group) throw new ApiError('not_found', `No group ${target.id}.`);
      const rows = await active
        .where('devices.id', 'in', (eb) => currentMembersOf(eb, tenantId, target.id))
        .execute();
      return rows.map((row) => row.id);
    }
    case 'tenant':
      return (await active.execute()).map((row) => row.id);
  }
}

export async function syncProgress(
  fleet: FleetService,
  tenantId: string,
  id: string,
): Promise<SyncProgress> {
  const request = await fleet.db
    .selectFrom('sync_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!request) throw new ApiError('not_found', `No sync request ${id}.`);
  const reported = await fleet.db
    .selectFrom('sync_request_devices')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('sync_request_id', '=', id)
    .where('reported_at', 'is not', null)
    .executeTakeFirst();
  const count = Number(reported?.n ?? 0);
  return {
    id: request.id,
    scope: request.scope as SyncProgress['scope'],
    targetId: request.target_id,
    createdAt: request.created_at,
    deviceCount: request.device_count,
    reported: count,
    pending: request.device_count - count,
  };
}
