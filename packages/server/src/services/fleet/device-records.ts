/**
 * Loading devices with what recompute reads: facts, tags with their sources, static group
 * memberships and current memberships. Always in batches, never one query per device.
 */
import type { DeviceFacts, DeviceTag, TagSource } from '@palisade/core';
import type { Selectable } from 'kysely';
import type { DevicesTable } from '../../store/fleet-schema.js';
import { PreparedStatement, parameterList } from '../../store/prepared.js';
import { chunks, type FleetDb } from './fleet-db.js';
import { addCurrentMembers, storedGroupsOf } from './memberships.js';
import type { TenantState } from './tenant-state.js';

export type DeviceRow = Selectable<DevicesTable>;

export interface DeviceRecord {
  readonly row: DeviceRow;
  readonly facts: DeviceFacts;
  /** Every stored tag (manual, device, asset-rule). */
  readonly tags: readonly DeviceTag[];
  /** Assigned groups this device is a static member of. */
  readonly staticGroupIds: ReadonlySet<string>;
  /** Current memberships as stored (assigned and dynamic), sorted. */
  readonly groupIds: readonly string[];
  /** The version of the stored memberships (`device_groups.version`; 0: never written). */
  readonly groupsVersion: number;
}

/**
 * Active devices by id. With `lock` (PostgreSQL, inside a transaction that will recompute them)
 * the device rows are locked first, in id order: a recompute racing with another one of the
 * same device (a facts change against a policy change) waits for it and then reads what it
 * committed, instead of writing a configuration computed from what it overwrote. `state`: the
 * tenant as the caller's transaction sees it, when it has it (memberships.ts: one read less).
 */
export async function loadDeviceRecords(
  db: FleetDb,
  tenantId: string,
  deviceIds: readonly string[],
  options: { readonly lock?: boolean; readonly state?: TenantState } = {},
): Promise<DeviceRecord[]> {
  const records: DeviceRecord[] = [];
  for (const ids of chunks([...new Set(deviceIds)].sort())) {
    const query = db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .where('offboarded_at', 'is', null)
      .orderBy('id');
    const rows = await (options.lock ? query.forUpdate() : query).execute();
    records.push(...(await attachRelations(db, tenantId, rows, options.state)));
  }
  return records;
}

/**
 * One device's record from its row as the caller's transaction just wrote it (`UPDATE …
 * RETURNING`), with its facts as the caller holds them: nothing read twice.
 */
export async function deviceRecordOf(
  db: FleetDb,
  row: DeviceRow,
  facts: DeviceFacts,
  state?: TenantState,
): Promise<DeviceRecord> {
  const [record] = await attachRelations(
    db,
    row.tenant_id,
    [row],
    state,
    new Map([[row.id, facts]]),
  );
  if (!record) throw new Error('a device row gave no record');
  return record;
}

/** Every active device of a tenant, a page at a time (keyset on id). */
export async function* scanDeviceRecords(
  db: FleetDb,
  tenantId: string,
  pageSize = 1_000,
): AsyncGenerator<DeviceRecord[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('devices')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('offboarded_at', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    yield await attachRelations(db, tenantId, rows);
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = last.id;
  }
}

interface TagRow {
  readonly device_id: string;
  readonly tag: string;
  readonly source: string;
  readonly rule_id: string;
}

interface StaticRow {
  readonly device_id: string;
  readonly group_id: string;
}

/** Shape: how many devices; parameters: the tenant, the device ids. */
const SELECT_TAGS = new PreparedStatement((db, parameter, count) =>
  db
    .selectFrom('device_tags')
    .select(['device_id', 'tag', 'source', 'rule_id'])
    .where('tenant_id', '=', parameter(0))
    .where('device_id', 'in', parameterList(parameter, 1, count)),
);

/** Shape: how many devices; parameters: the tenant, the device ids. */
const SELECT_STATICS = new PreparedStatement((db, parameter, count) =>
  db
    .selectFrom('group_static_members')
    .select(['device_id', 'group_id'])
    .where('tenant_id', '=', parameter(0))
    .where('device_id', 'in', parameterList(parameter, 1, count)),
);

async function attachRelations(
  db: FleetDb,
  tenantId: string,
  rows: readonly DeviceRow[],
  state?: TenantState,
  /** Facts the caller already holds parsed, by device id (the rest are parsed from the rows). */
  parsed?: ReadonlyMap<string, DeviceFacts>,
): Promise<DeviceRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const parameters = [tenantId, ...ids];
  const [tags, statics, memberships] = await Promise.all([
    SELECT_TAGS.execute<TagRow>(db, ids.length, parameters).then((result) => result.rows),
    SELECT_STATICS.execute<StaticRow>(db, ids.length, parameters).then((result) => result.rows),
    storedGroupsOf(db, tenantId, ids, state),
  ]);
  const tagsOf = groupBy(tags, (tag) => tag.device_id);
  const staticsOf = groupBy(statics, (member) => member.device_id);
  return rows.map((row) => {
    const facts = parsed?.get(row.id) ?? (JSON.parse(row.facts) as DeviceFacts);
    const statics = staticsOf.get(row.id);
    return {
      row,
      facts,
      tags: (tagsOf.get(row.id) ?? []).map(toDeviceTag),
      staticGroupIds: statics ? new Set(statics.map((member) => member.group_id)) : NO_GROUPS,
      groupIds: memberships.get(row.id)?.groupIds ?? [],
      groupsVersion: memberships.get(row.id)?.version ?? 0,
    };
  });
}

const NO_GROUPS: ReadonlySet<string> = new Set();

export function toDeviceTag(row: { tag: string; source: string; rule_id: string }): DeviceTag {
  return row.source === 'asset-rule'
    ? { tag: row.tag, source: 'asset-rule', ruleId: row.rule_id }
    : { tag: row.tag, source: row.source as TagSource };
}

export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/**
 * The devices a set of policies reaches or reached: the current members of the groups they
 * include, plus every device holding a per-setting status from one of them (it had the policy,
 * and must be recomputed when the policy moves away from it). Added to `into`.
 */
export async function addDevicesOfPolicies(
  db: FleetDb,
  tenantId: string,
  includedGroupIds: Iterable<string>,
  policyIds: readonly string[],
  into: Set<string>,
): Promise<void> {
  await addCurrentMembers(db, tenantId, includedGroupIds, into);
  for (const ids of chunks(policyIds)) {
    const current = await db
      .selectFrom('setting_statuses')
      .select('device_id')
      .distinct()
      .where('tenant_id', '=', tenantId)
      .where('policy_id', 'in', ids)
      .execute();
    for (const row of current) into.add(row.device_id);
  }
}

/** Adds to `into` the static members of the given assigned groups. */
export async function addStaticMembers(
  db: FleetDb,
  tenantId: string,
  groupIds: Iterable<string>,
  into: Set<string>,
): Promise<void> {
  for (const ids of chunks([...new Set(groupIds)])) {
    const members = await db
      .selectFrom('group_static_members')
      .select('device_id')
      .where('tenant_id', '=', tenantId)
      .where('group_id', 'in', ids)
      .execute();
    for (const member of members) into.add(member.device_id);
  }
}
