/**
 * Enrollments as they are written: a device row per machine (new, or the machine's existing one
 * taken over), then the devices evaluated and their outcome written like any recompute's. On
 * SQLite a burst of enrollments shares one transaction (`FleetService.enrollments`, a
 * BatchQueue); on PostgreSQL each has its own. The checks before (token, tenant) are
 * agent-service's `enroll`.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceFacts, EnrollmentDecision } from '@palisade/core';
import type { EnrollRequest } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { hashSecret } from '../../auth/secrets.js';
import type { AfterCommit } from '../../context.js';
import type { Database } from '../../store/schema.js';
import { appendAudit } from '../audit.js';
import { type DeviceRecord, groupBy, loadDeviceRecords } from './device-records.js';
import { type FleetDb, fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { applyOutcomes, evaluateDevice, signedOf } from './recompute.js';
import { type TenantState, tenantStateInTransaction } from './tenant-state.js';

/** One enrollment as it reaches the store. */
export interface EnrollUnit {
  readonly state: TenantState;
  readonly tokenId: string;
  readonly request: EnrollRequest;
  readonly secret: string;
  readonly now: Date;
}

export interface Enrolled {
  readonly deviceId: string;
  readonly decision: EnrollmentDecision;
  readonly afterCommit: AfterCommit;
}

/** At most this many enrollments share one transaction (bounds how long it holds the store). */
export const ENROLLMENTS_PER_BATCH = 256;

/**
 * Writes the enrollments in one durable transaction and answers in the units' order: each
 * device's row is written, then all of them are evaluated and their tags, memberships, signed
 * configurations and statuses written together in multi-row statements (`applyOutcomes`),
 * instead of a dozen statements per enrollment.
 */
export function writeEnrollments(
  fleet: FleetService,
  units: readonly EnrollUnit[],
): Promise<Enrolled[]> {
  return fleet.store.transaction((trx) => enrollTogether(fleet, trx, units));
}

async function enrollTogether(
  fleet: FleetService,
  trx: Kysely<Database>,
  units: readonly EnrollUnit[],
): Promise<Enrolled[]> {
  const db = fleetDb(trx);
  // SQLite: each tenant's scan stamp before any write, so that the enrolled devices can join
  // the remembered ones after commit (DeviceViewCache.absorb).
  const stampsBefore = new Map<string, number>();
  if (fleet.views.stamped) {
    for (const tenantId of new Set(units.map((unit) => unit.state.tenantId))) {
      stampsBefore.set(tenantId, (await fleet.views.stampNow(db, tenantId)) ?? 0);
    }
  }
  const written: { unit: EnrollUnit; record: DeviceRecord; existing: boolean }[] = [];
  for (const unit of units) written.push({ unit, ...(await writeDeviceRow(fleet, db, unit)) });
  const now = units[units.length - 1]?.now ?? fleet.clock.now();
  const answers = new Map<EnrollUnit, Enrolled>();
  for (const [tenantId, ofTenant] of groupBy(written, (entry) => entry.unit.state.tenantId)) {
    // The tenant as this transaction sees it (after the row locks): never a stale cached state.
    const fresh = await tenantStateInTransaction(db, tenantId);
    const items = ofTenant.map(({ record }) => ({
      record,
      outcome: evaluateDevice(fresh, record),
    }));
    const results = await applyOutcomes(db, fresh, items, now);
    fleet.metrics.devicesRecomputed.inc({ cause: 'enrollment' }, items.length);
    const absorb = await absorbing(fleet, db, tenantId, stampsBefore.get(tenantId), ofTenant);
    for (const [i, { unit, record, existing }] of ofTenant.entries()) {
      const outcome = items[i]?.outcome;
      const result = results[i];
      if (!outcome || !result) throw new Error('applyOutcomes answered fewer devices than asked');
      const { facts } = unit.request;
      const deviceId = record.row.id;
      await appendAudit(trx, {
        tenantId,
        actor: { type: 'device', id: deviceId, name: facts.hostname },
        action: existing ? 'device.re-enroll' : 'device.enroll',
        objectType: 'device',
        objectId: deviceId,
        after: {
          hostname: facts.hostname,
          platform: facts.platform,
          machineId: unit.request.machineId,
          enrollment: { code: outcome.decision.code, name: outcome.decision.name },
        },
        at: unit.now,
      });
      // A re-enrolled device has a new credential: its notice also drops the cached old one.
      const notify = result.bumped || existing;
      const pushes = fleet.afterCommit(
        tenantId,
        notify ? [deviceId] : [],
        false,
        signedOf(deviceId, result),
      );
      answers.set(unit, {
        deviceId,
        decision: outcome.decision,
        // The tenant's first enrollment of the batch also hands the devices to the cache.
        afterCommit:
          i === 0
            ? async () => {
                absorb();
                await pushes();
              }
            : pushes,
      });
    }
  }
  return units.map((unit) => {
    const answer = answers.get(unit);
    if (!answer) throw new Error('an enrollment was not written');
    return answer;
  });
}

/**
 * SQLite: the tenant's enrolled devices as stored now (read after this transaction's writes) and
 * its stamp now, for DeviceViewCache.absorb once committed. The transaction runs alone, so
 * between the two stamps exactly these devices changed.
 */
async function absorbing(
  fleet: FleetService,
  db: FleetDb,
  tenantId: string,
  stampBefore: number | undefined,
  enrolled: readonly { readonly record: DeviceRecord }[],
): Promise<() => void> {
  if (stampBefore === undefined) return () => {};
  const records = await loadDeviceRecords(
    db,
    tenantId,
    enrolled.map(({ record }) => record.row.id),
  );
  const stampAfter = (await fleet.views.stampNow(db, tenantId)) ?? 0;
  return () => fleet.views.absorb(tenantId, records, stampBefore, stampAfter);
}

/** Inserts the device (or updates the machine's existing one) and returns its record. */
async function writeDeviceRow(
  fleet: FleetService,
  db: FleetDb,
  { state, tokenId, request, secret, now }: EnrollUnit,
): Promise<{ record: DeviceRecord; existing: boolean }> {
  const facts = request.facts as DeviceFacts;
  const existing = await db
    .selectFrom('devices')
    .select('id')
    .where('tenant_id', '=', state.tenantId)
    .where('machine_id', '=', request.machineId)
    .executeTakeFirst();
  const deviceId = existing?.id ?? randomUUID();
  const common = {
    hostname: facts.hostname,
    hostname_lower: facts.hostname.toLowerCase(),
    platform: facts.platform,
    facts: JSON.stringify(facts),
    credential_hash: hashSecret(secret),
    public_key: request.publicKey,
    onboarding_token_id: tokenId,
    last_check_in_at: now.toISOString(),
    offboarded_at: null,
    // The facts sent with enroll are the agent's facts send number 0 (a re-enrolled agent
    // numbers its sends from 0 again).
    facts_seq: 0,
  };
  if (existing) {
    await db
      .updateTable('devices')
      .set((eb) => ({ ...common, view_version: eb('view_version', '+', 1) }))
      .where('id', '=', deviceId)
      .execute();
    const [record] = await loadDeviceRecords(db, state.tenantId, [deviceId], {
      lock: fleet.locks,
    });
    if (!record) throw new Error(`device ${deviceId} vanished during enrollment`);
    return { record, existing: true };
  }
  const row = await db
    .insertInto('devices')
    .values({
      id: deviceId,
      tenant_id: state.tenantId,
      machine_id: request.machineId,
      ...common,
      enrollment_code: 0,
      enrollment_name: '',
      managed_by: 'none',
      identity: 'synthetic',
      directory_device_id: deviceId,
      revision: 0,
      config_hash: '',
      report_status: null,
      enrolled_at: now.toISOString(),
      last_report_at: null,
      reported_revision: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // A new id: no tags, groups or memberships refer to it yet, and no other transaction sees (or
  // locks) the row before this one commits. Nothing to read back.
  const stored = JSON.parse(row.facts) as DeviceFacts;
  return {
    record: {
      row,
      facts: stored,
      tags: [],
      staticGroupIds: new Set(),
      groupIds: [],
      groupsVersion: 0,
    },
    existing: false,
  };
}
