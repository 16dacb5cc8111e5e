/**
 * Current group memberships as stored: one `device_groups` row per device, its groups' ordinals
 * in a comma-framed text (`,3,17,250,`; migration 010 says why not a row per membership). Every
 * read and write of memberships goes through here:
 * - by device (a recompute, a device's page): one row per device, the ordinals resolved to group
 *   ids with one read of `groups`;
 * - by group (a policy's devices, a group's members, a sync): `ordinals like '%,17,%'` over the
 *   tenant's rows;
 * - writes: one upsert per device whose groups moved, a few thousand devices per statement.
 */
import { type ExpressionBuilder, PostgresAdapter, sql } from 'kysely';
import { PreparedStatement, parameterList } from '../../store/prepared.js';
import type { Database } from '../../store/schema.js';
import { chunks, type FleetDb } from './fleet-db.js';
import type { TenantState } from './tenant-state.js';

/** Sorted, distinct, comma-framed: `,3,17,250,`; '' for none. */
export function encodeOrdinals(ordinals: readonly number[]): string {
  if (ordinals.length === 0) return '';
  const sorted = Int32Array.from(ordinals).sort();
  let text = ',';
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    text += `${sorted[i]},`;
  }
  return text;
}

/** Calls `each` with every ordinal of an encoded list, in the order written ('' or ',': none). */
export function forEachOrdinal(text: string, each: (ordinal: number) => void): void {
  let value = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      value = (value < 0 ? 0 : value * 10) + (code - 48);
    } else {
      if (value >= 0) each(value);
      value = -1;
    }
  }
  if (value >= 0) each(value);
}

/** The ordinals of an encoded list (any order written; '' or ',' for none). */
export function decodeOrdinals(text: string): number[] {
  const ordinals: number[] = [];
  forEachOrdinal(text, (ordinal) => ordinals.push(ordinal));
  return ordinals;
}

/** Devices whose memberships one statement writes (their lists in one JSON parameter). */
export const DEVICE_GROUPS_PER_STATEMENT = 5_000;

/** A tenant state's groups by id and by ordinal (the two directions of one lookup), built once. */
interface OrdinalLookup {
  readonly ordinalById: ReadonlyMap<string, number>;
  readonly idByOrdinal: ReadonlyMap<number, string>;
}

const lookups = new WeakMap<TenantState, OrdinalLookup>();

function lookupOf(state: TenantState): OrdinalLookup {
  let lookup = lookups.get(state);
  if (!lookup) {
    lookup = {
      ordinalById: new Map(state.groups.map((group) => [group.id, group.ordinal])),
      idByOrdinal: new Map(state.groups.map((group) => [group.ordinal, group.id])),
    };
    lookups.set(state, lookup);
  }
  return lookup;
}

/** The ordinals of the tenant's groups given by id (what `device_groups` stores). */
export function ordinalsOf(state: TenantState, groupIds: readonly string[]): number[] {
  const { ordinalById } = lookupOf(state);
  const ordinals: number[] = [];
  for (const id of groupIds) {
    // A group deleted since the list was read is no membership any more.
    const ordinal = ordinalById.get(id);
    if (ordinal !== undefined) ordinals.push(ordinal);
  }
  return ordinals;
}

/** The LIKE pattern of one group's members. */
function memberPattern(ordinal: number): string {
  return `%,${ordinal},%`;
}

/** The tenant's group ids by ordinal, for the ordinals given, as stored. */
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

/** The group ids of every ordinal in the lists, as stored. */
function idsOfListed(
  db: FleetDb,
  tenantId: string,
  lists: Iterable<{ readonly ordinals: readonly number[] }>,
): Promise<Map<number, string>> {
  const all = new Set<number>();
  for (const list of lists) for (const ordinal of list.ordinals) all.add(ordinal);
  return groupIdsByOrdinal(db, tenantId, all);
}

/** A device's groups as stored: sorted ids, and the version of its row (0: never written). */
export interface StoredGroups {
  readonly groupIds: string[];
  readonly version: number;
}

interface DeviceGroupsRow {
  readonly device_id: string;
  readonly ordinals: string;
  readonly version: number;
}

/** Shape: how many devices; parameters: the tenant, the device ids. */
const SELECT_DEVICE_GROUPS = new PreparedStatement((db, parameter, count) =>
  db
    .selectFrom('device_groups')
    .select(['device_id', 'ordinals', 'version'])
    .where('tenant_id', '=', parameter(0))
    .where('device_id', 'in', parameterList(parameter, 1, count)),
);

/**
 * The stored groups of each given device that has a row; the others are in no group. `state`:
 * the tenant as this transaction sees it, when the caller has it (ordinals are then turned into
 * ids without reading `groups`).
 */
export async function storedGroupsOf(
  db: FleetDb,
  tenantId: string,
  deviceIds: readonly string[],
  state?: TenantState,
): Promise<Map<string, StoredGroups>> {
  const lists = new Map<string, { ordinals: number[]; version: number }>();
  for (const batch of chunks([...new Set(deviceIds)])) {
    const { rows } = await SELECT_DEVICE_GROUPS.execute<DeviceGroupsRow>(db, batch.length, [
      tenantId,
      ...batch,
    ]);
    for (const row of rows) {
      lists.set(row.device_id, { ordinals: decodeOrdinals(row.ordinals), version: row.version });
    }
  }
  const ids = state ? lookupOf(state).idByOrdinal : await idsOfListed(db, tenantId, lists.values());
  const groups = new Map<string, StoredGroups>();
  for (const [deviceId, { ordinals, version }] of lists) {
    const groupIds: string[] = [];
    for (const ordinal of ordinals) {
      const id = ids.get(ordinal);
      // A deleted group's ordinal lingers only until removeDeletedGroups (same transaction).
      if (id !== undefined) groupIds.push(id);
    }
    groups.set(deviceId, { groupIds: groupIds.sort(), version });
  }
  return groups;
}

/** A device's groups to store: its id and its groups' ordinals. */
export interface DeviceGroupsWrite {
  readonly deviceId: string;
  readonly ordinals: readonly number[];
}

/**
 * Stores the devices' current groups, replacing what was stored and moving each row's version
 * (multi-row statements). A device in no group keeps its row, with no ordinals: its version
 * only ever grows.
 */
export async function writeDeviceGroups(
  db: FleetDb,
  tenantId: string,
  writes: readonly DeviceGroupsWrite[],
): Promise<void> {
  // One statement per few thousand devices, their lists in one JSON parameter: a hundred
  // thousand devices moved by a policy file are a few dozen statements, not 100,000 rows of
  // bound parameters.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const batch of chunks(writes, DEVICE_GROUPS_PER_STATEMENT)) {
    // {"<device id>":",3,17,",…}: the lists are digits and commas, written as they are.
    const members: string[] = [];
    for (const write of batch) {
      members.push(`${JSON.stringify(write.deviceId)}:"${encodeOrdinals(write.ordinals)}"`);
    }
    const json = `{${members.join(',')}}`;
    const entries = postgres ? sql`jsonb_each_text(${json}::jsonb)` : sql`json_each(${json})`;
    await sql`insert into device_groups (device_id, tenant_id, ordinals)
      select key, ${tenantId}, value from ${entries} where true
      on conflict (device_id) do update
      set ordinals = excluded.ordinals, version = device_groups.version + 1`.execute(db);
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
 * Removes from the stored memberships every group that is not among the tenant's (as `state`,
 * read in this transaction, has them): those deleted in this transaction, whose rows, ordinals included, are gone. Their
 * former members' ids are added to `into`. Nothing lingers: on SQLite a deleted group's ordinal
 * can be given again.
 */
export async function removeDeletedGroups(
  db: FleetDb,
  state: TenantState,
  into: Set<string>,
): Promise<void> {
  const { tenantId } = state;
  const known = new Set(state.groups.map((group) => group.ordinal));
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
  const rows = await db
    .selectFrom('device_groups')
    .select('ordinals')
    .where('tenant_id', '=', tenantId)
    .execute();
  // Counted by ordinal in place: a plan over 100,000 devices counts twice, and a decoded list
  // per row with a map update per membership was most of that.
  let counts = new Int32Array(256);
  const count = (ordinal: number) => {
    if (ordinal >= counts.length) {
      const grown = new Int32Array(Math.max(counts.length * 2, ordinal + 1));
      grown.set(counts);
      counts = grown;
    }
    counts[ordinal] = (counts[ordinal] as number) + 1;
  };
  for (const row of rows) forEachOrdinal(row.ordinals, count);
  const present: number[] = [];
  for (let ordinal = 0; ordinal < counts.length; ordinal++) {
    if (counts[ordinal] !== 0) present.push(ordinal);
  }
  const ids = await groupIdsByOrdinal(db, tenantId, present);
  const byId = new Map<string, number>();
  for (const ordinal of present) {
    const id = ids.get(ordinal);
    if (id !== undefined) byId.set(id, counts[ordinal] as number);
  }
  return byId;
}
