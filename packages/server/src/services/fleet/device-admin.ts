/**
 * Administrator changes to one device: manual tags (which may move the device's enrollment under a
 * tagged scope, its groups and its configuration — recomputed at once) and offboarding.
 */
import type { DeviceTag } from '@palisade/core';
import { ApiError } from '../../errors.js';
import { type AuditActor, appendAudit } from '../audit.js';
import { toDeviceTag } from './device-records.js';
import { type FleetDb, fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { loadTenantState } from './tenant-state.js';

async function activeDevice(db: FleetDb, tenantId: string, deviceId: string) {
  const device = await db
    .selectFrom('devices')
    .select(['id', 'hostname'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deviceId)
    .where('offboarded_at', 'is', null)
    .executeTakeFirst();
  if (!device) throw new ApiError('not_found', `No device ${deviceId}.`);
  return device;
}

async function tagsOf(db: FleetDb, deviceId: string): Promise<DeviceTag[]> {
  const rows = await db
    .selectFrom('device_tags')
    .select(['tag', 'source', 'rule_id'])
    .where('device_id', '=', deviceId)
    .orderBy('tag')
    .orderBy('source')
    .execute();
  return rows.map(toDeviceTag);
}

/** Adds (`add`) or removes a manual tag; returns the device's tags afterwards. */
export async function changeManualTag(
  fleet: FleetService,
  tenantId: string,
  deviceId: string,
  tag: string,
  add: boolean,
  actor: AuditActor,
): Promise<DeviceTag[]> {
  const now = fleet.clock.now();
  const { tags, afterCommit } = await fleet.store.transaction(async (trx) => {
    const db = fleetDb(trx);
    await activeDevice(db, tenantId, deviceId);
    const before = await tagsOf(db, deviceId);
    const has = before.some((t) => t.tag === tag && t.source === 'manual');
    if (add && !has) {
      await db
        .insertInto('device_tags')
        .values({ tenant_id: tenantId, device_id: deviceId, tag, source: 'manual', rule_id: '' })
        .execute();
    } else if (!add) {
      if (!has) throw new ApiError('not_found', `Device ${deviceId} has no manual tag "${tag}".`);
      await db
        .deleteFrom('device_tags')
        .where('device_id', '=', deviceId)
        .where('tag', '=', tag)
        .where('source', '=', 'manual')
        .execute();
    }
    if (add !== has) {
      await db
        .updateTable('devices')
        .set((eb) => ({ view_version: eb('view_version', '+', 1) }))
        .where('id', '=', deviceId)
        .execute();
    }
    const send = await fleet.recomputeDevices(
      db,
      await loadTenantState(db, tenantId),
      [deviceId],
      'tags',
    );
    const after = await tagsOf(db, deviceId);
    if (add !== has) {
      await appendAudit(trx, {
        tenantId,
        actor,
        action: add ? 'device.tag.add' : 'device.tag.remove',
        objectType: 'device',
        objectId: deviceId,
        before: { tags: before },
        after: { tags: after },
        at: now,
      });
    }
    return { tags: after, afterCommit: send };
  });
  await afterCommit();
  return tags;
}

/**
 * Offboards a device: its credential stops working, it leaves every group and the roll-ups. Its
 * history (reports, check-ins, audit) stays. Enrolling the machine again brings it back.
 */
export async function offboardDevice(
  fleet: FleetService,
  tenantId: string,
  deviceId: string,
  actor: AuditActor,
): Promise<void> {
  const now = fleet.clock.now();
  await fleet.store.transaction(async (trx) => {
    const db = fleetDb(trx);
    const device = await activeDevice(db, tenantId, deviceId);
    await db
      .updateTable('devices')
      .set((eb) => ({
        offboarded_at: now.toISOString(),
        credential_hash: '',
        view_version: eb('view_version', '+', 1),
      }))
      .where('id', '=', deviceId)
      .execute();
    await db.deleteFrom('device_groups').where('device_id', '=', deviceId).execute();
    await db.deleteFrom('setting_statuses').where('device_id', '=', deviceId).execute();
    await appendAudit(trx, {
      tenantId,
      actor,
      action: 'device.offboard',
      objectType: 'device',
      objectId: deviceId,
      before: { hostname: device.hostname },
      at: now,
    });
  });
  // Its credential stops working at once here; open notify streams of the device re-check and
  // find it offboarded (they close), and other processes drop its cached row.
  fleet.auth.invalidate([deviceId]);
  await fleet.push.publish(tenantId, [deviceId], { kind: 'revision' }).catch((error: unknown) => {
    fleet.logger.error({ err: error }, 'notifying an offboarded device failed');
  });
}
