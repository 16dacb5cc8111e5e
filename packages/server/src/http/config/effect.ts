/**
 * The effect of a change set on the fleet, measured rather than predicted: a snapshot of the
 * tenant's devices is taken inside the transaction before the writes and compared with them after
 * the fleet engine has recomputed, so the plan shows exactly what apply does (devices whose effective
 * configuration or enrollment moves, conflicts that appear or go, how many devices each object
 * reaches). Only the changed devices' configurations are read.
 */
import {
  diffEffectiveConfigurations,
  type EffectiveConfiguration,
  type SettingConflict,
} from '@palisade/core';
import type { ConfigConflict, ConfigPlan } from '@palisade/protocol';
import { type Kysely, sql } from 'kysely';
import { chunks } from '../../services/fleet/fleet-db.js';
import { memberCounts } from '../../services/fleet/memberships.js';
import type { Database } from '../../store/schema.js';
import type { StoreDialect } from '../../store/store.js';

export interface FleetSnapshot {
  /**
   * device id → config hash, enrollment name and hostname: in a snapshot taken before the
   * writes, none until `compareSnapshot`, which fills both sides for the changed devices only.
   */
  readonly devices: ReadonlyMap<string, { hash: string; enrollment: string; hostname: string }>;
  /** group id → members; asset-rule id → devices tagged; policy id → devices contributed to. */
  readonly reach: ReadonlyMap<string, number>;
}

/**
 * The devices' configuration hash and enrollment before the writes, kept in a temporary table of
 * the transaction's own connection: the comparison after the writes is one query that answers
 * only the devices that moved, instead of every device read twice (100,000 devices: two
 * 100,000-row reads and maps for a few hundred changes).
 *
 * On SQLite the table is filled by temporary triggers as the transaction writes devices (the
 * values a device had before its first write in the transaction; a device inserted or brought
 * back from offboarding has none), so a change that moves no device's configuration (a policy
 * file creating a thousand groups no policy is assigned to yet) copies nothing: copying every
 * device took a tenth of such an apply over 30,000 devices. SQLite's temporary schema is part
 * of the transaction: a rolled-back apply leaves no trigger behind. PostgreSQL has no temporary
 * triggers on a shared table: there every device is copied before the writes.
 */
const SNAPSHOT_TABLE = 'palisade_plan_snapshot';
const SNAPSHOT_ON_UPDATE = 'palisade_plan_snapshot_update';
const SNAPSHOT_ON_INSERT = 'palisade_plan_snapshot_insert';

/** Before the writes: the devices kept aside (see SNAPSHOT_TABLE) and what each object reaches. */
export async function takeSnapshot(
  db: Kysely<Database>,
  dialect: StoreDialect,
  tenantId: string,
): Promise<FleetSnapshot> {
  await dropSnapshot(db, dialect);
  await sql`create temporary table ${sql.table(SNAPSHOT_TABLE)}
    (id text primary key, config_hash text, enrollment_name text)`.execute(db);
  if (dialect === 'sqlite') {
    // A null hash: the device was not active before the transaction (new, or offboarded).
    await sql`create temporary trigger ${sql.id(SNAPSHOT_ON_UPDATE)}
      after update of config_hash, enrollment_name, offboarded_at on devices
      begin
        insert or ignore into ${sql.table(SNAPSHOT_TABLE)} (id, config_hash, enrollment_name)
        values (old.id,
          case when old.offboarded_at is null then old.config_hash end,
          case when old.offboarded_at is null then old.enrollment_name end);
      end`.execute(db);
    await sql`create temporary trigger ${sql.id(SNAPSHOT_ON_INSERT)}
      after insert on devices
      begin
        insert or ignore into ${sql.table(SNAPSHOT_TABLE)} (id, config_hash, enrollment_name)
        values (new.id, null, null);
      end`.execute(db);
  } else {
    await sql`insert into ${sql.table(SNAPSHOT_TABLE)} (id, config_hash, enrollment_name)
      select id, config_hash, enrollment_name from devices
      where tenant_id = ${tenantId} and offboarded_at is null`.execute(db);
  }
  return { devices: new Map(), reach: await reachOf(db, tenantId) };
}

async function dropSnapshot(db: Kysely<Database>, dialect: StoreDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`drop trigger if exists ${sql.id(SNAPSHOT_ON_UPDATE)}`.execute(db);
    await sql`drop trigger if exists ${sql.id(SNAPSHOT_ON_INSERT)}`.execute(db);
  }
  await sql`drop table if exists ${sql.table(SNAPSHOT_TABLE)}`.execute(db);
}

/**
 * After the writes, in the same transaction as `takeSnapshot`: the devices whose configuration
 * hash or enrollment differs from the snapshot (or that are new), in id order, with both sides
 * of each, and what each object reaches now. The temporary table (and triggers) go.
 */
export async function compareSnapshot(
  db: Kysely<Database>,
  dialect: StoreDialect,
  tenantId: string,
  before: FleetSnapshot,
): Promise<{ before: FleetSnapshot; after: FleetSnapshot; changed: string[] }> {
  type Row = {
    id: string;
    hostname: string;
    config_hash: string;
    enrollment_name: string;
    before_hash: string | null;
    before_enrollment: string | null;
  };
  // SQLite: only the devices written since the snapshot are in it. PostgreSQL: every device
  // active before is; one not in it is new.
  const rows =
    dialect === 'sqlite'
      ? await sql<Row>`select d.id, d.hostname, d.config_hash, d.enrollment_name,
          s.config_hash as before_hash, s.enrollment_name as before_enrollment
        from ${sql.table(SNAPSHOT_TABLE)} s join devices d on d.id = s.id
        where d.tenant_id = ${tenantId} and d.offboarded_at is null
          and (s.config_hash is null or s.config_hash <> d.config_hash
            or s.enrollment_name <> d.enrollment_name)
        order by d.id`.execute(db)
      : await sql<Row>`select d.id, d.hostname, d.config_hash, d.enrollment_name,
          s.config_hash as before_hash, s.enrollment_name as before_enrollment
        from devices d left join ${sql.table(SNAPSHOT_TABLE)} s on s.id = d.id
        where d.tenant_id = ${tenantId} and d.offboarded_at is null
          and (s.id is null or s.config_hash <> d.config_hash
            or s.enrollment_name <> d.enrollment_name)
        order by d.id`.execute(db);
  await dropSnapshot(db, dialect);
  const then = new Map<string, { hash: string; enrollment: string; hostname: string }>();
  const now = new Map<string, { hash: string; enrollment: string; hostname: string }>();
  for (const row of rows.rows) {
    now.set(row.id, {
      hash: row.config_hash,
      enrollment: row.enrollment_name,
      hostname: row.hostname,
    });
    if (row.before_hash !== null && row.before_enrollment !== null) {
      then.set(row.id, {
        hash: row.before_hash,
        enrollment: row.before_enrollment,
        hostname: row.hostname,
      });
    }
  }
  return {
    before: { devices: then, reach: before.reach },
    after: { devices: now, reach: await reachOf(db, tenantId) },
    changed: rows.rows.map((row) => row.id),
  };
}

/** How many devices each group, asset rule and policy reaches. */
async function reachOf(db: Kysely<Database>, tenantId: string): Promise<Map<string, number>> {
  const [members, tagged, contributed] = await Promise.all([
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
  return reach;
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
