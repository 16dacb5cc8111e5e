/**
 * The effect of a change set on the fleet, measured rather than predicted: a snapshot of the
 * tenant's devices is taken inside the transaction before the writes and again after the fleet
 * engine has recomputed, so the plan shows exactly what apply does (devices whose effective
 * configuration or enrollment moves, conflicts that appear or go, how many devices each object
 * reaches). Only the changed devices' configurations are read.
 */
import {
  diffEffectiveConfigurations,
  type EffectiveConfiguration,
  type SettingConflict,
} from '@palisade/core';
import type { ConfigConflict, ConfigPlan } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { chunks } from '../../services/fleet/fleet-db.js';
import { memberCounts } from '../../services/fleet/memberships.js';
import type { Database } from '../../store/schema.js';

export interface FleetSnapshot {
  /** device id → config hash and enrollment name. */
  readonly devices: ReadonlyMap<string, { hash: string; enrollment: string; hostname: string }>;
  /** group id → members; asset-rule id → devices tagged; policy id → devices contributed to. */
  readonly reach: ReadonlyMap<string, number>;
}

export async function takeSnapshot(db: Kysely<Database>, tenantId: string): Promise<FleetSnapshot> {
  const [devices, members, tagged, contributed] = await Promise.all([
    db
      .selectFrom('devices')
      .select(['id', 'config_hash', 'enrollment_name', 'hostname'])
      .where('tenant_id', '=', tenantId)
      .where('offboarded_at', 'is', null)
      .execute(),
    memberCounts(db, tenantId),
    db
      .selectFrom('device_tags')
      .select(['rule_id as key', (eb) => eb.fn.count<number>('device_id').distinct().as('count')])
      .where('tenant_id', '=', tenantId)
      .where('source', '=', 'asset-rule')
      .groupBy('rule_id')
      .execute(),
    db
      .selectFrom('setting_statuses')
      .select(['policy_id as key', (eb) => eb.fn.count<number>('device_id').distinct().as('count')])
      .where('tenant_id', '=', tenantId)
      .groupBy('policy_id')
      .execute(),
  ]);
  const reach = new Map<string, number>();
  for (const [groupId, count] of members) reach.set(groupId, count);
  for (const row of [...tagged, ...contributed]) reach.set(row.key, Number(row.count));
  return {
    devices: new Map(
      devices.map((d) => [
        d.id,
        { hash: d.config_hash, enrollment: d.enrollment_name, hostname: d.hostname },
      ]),
    ),
    reach,
  };
}

/** Devices whose configuration hash or enrollment differs between the snapshots. */
export function changedDevices(before: FleetSnapshot, after: FleetSnapshot): string[] {
  const changed: string[] = [];
  for (const [id, now] of after.devices) {
    const then = before.devices.get(id);
    if (!then || then.hash !== now.hash || then.enrollment !== now.enrollment) changed.push(id);
  }
  return changed.sort();
}

/** The stored effective configurations of some devices (the signed payload's configuration). */
export async function readConfigurations(
  db: Kysely<Database>,
  tenantId: string,
  deviceIds: readonly string[],
): Promise<Map<string, EffectiveConfiguration>> {
  const out = new Map<string, EffectiveConfiguration>();
  for (const ids of chunks(deviceIds)) {
    const rows = await db
      .selectFrom('effective_configurations')
      .select(['device_id', 'payload'])
      .where('tenant_id', '=', tenantId)
      .where('device_id', 'in', ids)
      .execute();
    for (const row of rows) {
      const document = JSON.parse(row.payload) as { configuration: EffectiveConfiguration };
      out.set(row.device_id, document.configuration);
    }
  }
  return out;
}

const EMPTY: EffectiveConfiguration = { settings: [], conflicts: [], hash: '' };
const MAX_CONFLICTS_LISTED = 1000;

function conflictOf(deviceId: string, hostname: string, conflict: SettingConflict): ConfigConflict {
  return {
    deviceId,
    hostname,
    settingId: conflict.id,
    candidates: conflict.candidates.map((c) => ({ policyName: c.policyName, value: c.value })),
  };
}

/**
 * The fleet effect from the two snapshots and the configurations of the changed devices before
 * (`beforeConfigs`, read outside the rolled-back or committed transaction) and after.
 */
export function describeEffect(input: {
  readonly before: FleetSnapshot;
  readonly after: FleetSnapshot;
  readonly changed: readonly string[];
  readonly beforeConfigs: ReadonlyMap<string, EffectiveConfiguration>;
  readonly afterConfigs: ReadonlyMap<string, EffectiveConfiguration>;
  readonly limit: number;
}): ConfigPlan['effect'] {
  const effect: ConfigPlan['effect'] = {
    devicesChanged: 0,
    enrollmentChanged: 0,
    devices: [],
    conflictsAppearing: [],
    conflictsResolved: [],
  };
  for (const deviceId of input.changed) {
    const now = input.after.devices.get(deviceId);
    if (!now) continue;
    const then = input.before.devices.get(deviceId);
    const beforeConfig = input.beforeConfigs.get(deviceId) ?? EMPTY;
    const afterConfig = input.afterConfigs.get(deviceId) ?? EMPTY;
    const changes = diffEffectiveConfigurations(beforeConfig, afterConfig);
    const enrollmentMoved = then !== undefined && then.enrollment !== now.enrollment;
    if (changes.length > 0) effect.devicesChanged++;
    if (enrollmentMoved) effect.enrollmentChanged++;
    if (changes.length === 0 && !enrollmentMoved) continue;
    if (effect.devices.length < input.limit) {
      effect.devices.push({
        deviceId,
        hostname: now.hostname,
        enrollment: enrollmentMoved ? { before: then.enrollment, after: now.enrollment } : null,
        changes: [...changes],
      });
    }
    const oldConflicts = new Set(beforeConfig.conflicts.map((c) => c.id));
    const newConflicts = new Set(afterConfig.conflicts.map((c) => c.id));
    for (const conflict of afterConfig.conflicts) {
      if (oldConflicts.has(conflict.id)) continue;
      if (effect.conflictsAppearing.length >= MAX_CONFLICTS_LISTED) break;
      effect.conflictsAppearing.push(conflictOf(deviceId, now.hostname, conflict));
    }
    for (const conflict of beforeConfig.conflicts) {
      if (newConflicts.has(conflict.id)) continue;
      if (effect.conflictsResolved.length >= MAX_CONFLICTS_LISTED) break;
      effect.conflictsResolved.push(conflictOf(deviceId, now.hostname, conflict));
    }
  }
  return effect;
}
