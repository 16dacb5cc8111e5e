/**
 * Current group memberships as stored: one `device_groups` row per device, its groups' ordinals
 * in a comma-framed text (`,3,17,250,`; migration 010 says why not a row per membership). Every
 * read and write of memberships goes through here:
 * - by device (a recompute, a device's page): one row per device, the ordinals resolved to group
 *   ids with one read of `groups`;
 * - by group (a policy's devices, a group's members, a sync): `ordinals like '%,17,%'` over the
 *   tenant's rows;
 * - writes: one upsert per device whose groups moved, in multi-row statements.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../../store/schema.js';
import { chunks, type FleetDb } from './fleet-db.js';

/** Sorted, distinct, comma-framed: `,3,17,250,`; '' for none. */
export function encodeOrdinals(ordinals: Iterable<number>): string {
  const sorted = [...new Set(ordinals)].sort((a, b) => a - b);
  return sorted.length === 0 ? '' : `,${sorted.join(',')},`;
}

/** The ordinals of an encoded list (any order written; '' or ',' for none). */
export function decodeOrdinals(text: string): number[] {
  const ordinals: number[] = [];
  let value = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      value = (value < 0 ? 0 : value * 10) + (code - 48);
    } else {
      if (value >= 0) ordinals.push(value);
      value = -1;
    }
  }
  if (value >= 0) ordinals.push(value);
  return ordinals;
}

/** The LIKE pattern of one group's members. */
function memberPattern(ordinal: number): string {
  return `%,${ordinal},%`;
}

/** Group ids by ordinal, for the ordinals given (groups of any tenant: ordinals are global). */
async function groupIdsByOrdinal(
  db: FleetDb,
  tenantId: string,
  ordinals: Iterable<number>,
): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  for (const batch of chunks([...new Set(ordinals)])) {
    const rows = await db
      .selectFrom('groups')
      .select(['id', 'ordinal'])
      .where('tenant_id', '=', tenantId)
      .where('ordinal', 'in', batch)
      .execute();
    for (const row of rows) ids.set(Number(row.ordinal), row.id);
  }
  return ids;
}

/** The ordinals of the tenant's groups given by id (unknown ids are left out). */
async function ordinalsOfGroups(
  db: FleetDb,
  tenantId: string,
  groupIds: Iterable<string>,
): Promise<number[]> {
  const ordinals: number[] = [];
  for (const batch of chunks([...new Set(groupIds)])) {
    const rows = await db
      .selectFrom('groups')
      .select('ordinal')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', batch)
      .execute();
    for (const row of rows) ordinals.push(Number(row.ordinal));
  }
  return ordinals;
}

/** The stored groups (sorted ids) of each given device that is in any; others are absent. */
export async function storedGroupsOf(
  db: FleetDb,
  tenantId: string,
  deviceIds: readonly string[],
): Promise<Map<string, string[]>> {
  const lists = new Map<string, number[]>();
  for (const batch of chunks([...new Set(deviceIds)])) {
    const rows = await db
      .selectFrom('device_groups')
      .select(['device_id', 'ordinals'])
      .where('tenant_id', '=', tenantId)
      .where('device_id', 'in', batch)
      .execute();
    for (const row of rows) lists.set(row.device_id, decodeOrdinals(row.ordinals));
  }
  const all = new Set<number>();
  for (const list of lists.values()) for (const ordinal of list) all.add(ordinal);
  const ids = await groupIdsByOrdinal(db, tenantId, all);
  const groups = new Map<string, string[]>();
  for (const [deviceId, list] of lists) {
    const groupIds: string[] = [];
    for (const ordinal of list) {
      const id = ids.get(ordinal);
      // A deleted group's ordinal lingers only until its members are recomputed (same transaction).
      if (id !== undefined) groupIds.push(id);
    }
    if (groupIds.length > 0) groups.set(deviceId, groupIds.sort());
  }
  return groups;
}

/** A device's groups to store: its id and its groups' ordinals (none: the row goes). */
export interface DeviceGroupsWrite {
  readonly deviceId: string;
  readonly ordinals: readonly number[];
}

/** Stores the devices' current groups, replacing what was stored (multi-row statements). */
export async function writeDeviceGroups(
  db: FleetDb,
  tenantId: string,
  writes: readonly DeviceGroupsWrite[],
): Promise<void> {
  const rows: { device_id: string; tenant_id: string; ordinals: string }[] = [];
  const emptied: string[] = [];
  for (const write of writes) {
    const ordinals = encodeOrdinals(write.ordinals);
    if (ordinals === '') emptied.push(write.deviceId);
    else rows.push({ device_id: write.deviceId, tenant_id: tenantId, ordinals });
  }
  for (const batch of chunks(emptied)) {
    await db.deleteFrom('device_groups').where('device_id', 'in', batch).execute();
  }
  for (const batch of chunks(rows, 300)) {
    await db
      .insertInto('device_groups')
      .values(batch)
      .onConflict((oc) =>
        oc.column('device_id').doUpdateSet((eb) => ({ ordinals: eb.ref('excluded.ordinals') })),
      )
      .execute();
  }
}

/** Adds to `into` the devices currently in any of the given groups. */
export async function addCurrentMembers(
  db: FleetDb,
  tenantId: string,
  groupIds: Iterable<string>,
  into: Set<string>,
): Promise<void> {
  const ordinals = await ordinalsOfGroups(db, tenantId, groupIds);
  for (const batch of chunks(ordinals, 50)) {
    const rows = await db
      .selectFrom('device_groups')
      .select('device_id')
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or(batch.map((ordinal) => eb('ordinals', 'like', memberPattern(ordinal)))))
      .execute();
    for (const row of rows) into.add(row.device_id);
  }
}

/**
 * Removes from the stored memberships every group whose ordinal is not in `known` (the tenant's
 * groups): those deleted in this transaction, whose rows, ordinals included, are gone. Their
 * former members' `view_version` moves (what rules read of them changed); their ids are added
 * to `into`. Nothing lingers: on SQLite a deleted group's ordinal can be given again.
 */
export async function removeDeletedGroups(
  db: FleetDb,
  tenantId: string,
  known: ReadonlySet<number>,
  into: Set<string>,
): Promise<void> {
  const rows = await db
    .selectFrom('device_groups')
    .select(['device_id', 'ordinals'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const writes: DeviceGroupsWrite[] = [];
  for (const row of rows) {
    const ordinals = decodeOrdinals(row.ordinals);
    const kept = ordinals.filter((ordinal) => known.has(ordinal));
    if (kept.length === ordinals.length) continue;
    writes.push({ deviceId: row.device_id, ordinals: kept });
    into.add(row.device_id);
  }
  await writeDeviceGroups(db, tenantId, writes);
  for (const batch of chunks(writes.map((write) => write.deviceId))) {
    await db
      .updateTable('devices')
      .set((eb) => ({ view_version: eb('view_version', '+', 1) }))
      .where('id', 'in', batch)
      .execute();
  }
}

/**
 * The devices currently in the group, as a subquery: `where('id', 'in', (eb) =>
 * currentMembersOf(eb, tenantId, groupId))`. An unknown group has none.
 */
export function currentMembersOf(
  eb: ExpressionBuilder<Database, 'devices'>,
  tenantId: string,
  groupId: string,
) {
  const pattern = sql<string>`'%,' || (select g.ordinal from groups g where g.id = ${groupId} and g.tenant_id = ${tenantId}) || ',%'`;
  return eb
    .selectFrom('device_groups')
    .select('device_groups.device_id')
    .where('device_groups.tenant_id', '=', tenantId)
    .where('device_groups.ordinals', 'like', pattern);
}

/** Current member counts by group id (groups without members are absent). */
export async function memberCounts(db: FleetDb, tenantId: string): Promise<Map<string, number>> {
  const byOrdinal = new Map<number, number>();
  const rows = await db
    .selectFrom('device_groups')
    .select('ordinals')
    .where('tenant_id', '=', tenantId)
    .execute();
  for (const row of rows) {
    for (const ordinal of decodeOrdinals(row.ordinals)) {
      byOrdinal.set(ordinal, (byOrdinal.get(ordinal) ?? 0) + 1);
    }
  }
  const ids = await groupIdsByOrdinal(db, tenantId, byOrdinal.keys());
  const counts = new Map<string, number>();
  for (const [ordinal, count] of byOrdinal) {
    const id = ids.get(ordinal);
    if (id !== undefined) counts.set(id, count);
  }
  return counts;
}
