/**
 * The devices of a tenant as rules see them, kept in memory between scans. Before each scan only
 * each device's `view_version` and its memberships' version (`device_groups.version`) are read,
 * and the devices where either moved (in any process) are refetched, so a preview or a group change over 100,000 devices evaluates the rule
 * in memory instead of reading every device again. On SQLite not even that when the tenant's scan
 * stamp (migration 009, kept by triggers) has not moved since the remembered scan.
 *
 * Inside a transaction the cache is read but filled only after commit (`remember`): an
 * uncommitted (and possibly rolled-back) write must not be remembered.
 */
import {
  assetPropertiesOf,
  devicePropertiesOf,
  type RuleProperties,
  type RuleSchemaName,
} from '@palisade/core';
import { type DeviceRecord, loadDeviceRecords } from './device-records.js';
import { chunks, type FleetDb } from './fleet-db.js';
import { storedView } from './recompute.js';

const PROPERTIES_OF = { device: devicePropertiesOf, asset: assetPropertiesOf } as const;

/**
 * A tenant's devices as last remembered (each with the `view_version` its row was read at), with
 * the scan stamp they were read at (SQLite).
 */
interface TenantEntries {
  /** The remembered records in id order. */
  list: DeviceRecord[];
  /** Each record's place in `list`, by device id. */
  at: ReadonlyMap<string, number>;
  /** Records absorbed since (enrollments), in no order: merged into `list` when next read. */
  absorbed: DeviceRecord[];
  /** The tenant's stamp when they were current. */
  stamp: number | undefined;
}

/** Where a scan's result came from: served whole from this entry while it had this stamp. */
interface ScanSource {
  readonly entry: TenantEntries | undefined;
  readonly stamp: number;
}

export class DeviceViewCache {
  private readonly tenants = new Map<string, TenantEntries>();
  /** The stamp each scan's result was read at (for `remember`), by the result array. */
  private readonly scanStamps = new WeakMap<readonly DeviceRecord[], ScanSource>();

  /**
   * `stamped`: the store keeps a scan stamp per tenant (SQLite, migration 009), so a scan of a
   * tenant unchanged since the remembered one reads that one number instead of every version.
   */
  constructor(readonly stamped = false) {}
  /** Rule properties of a record as stored; records are immutable, replaced when they change. */
  private readonly properties = {
    device: new WeakMap<DeviceRecord, RuleProperties>(),
    asset: new WeakMap<DeviceRecord, RuleProperties>(),
  };

  /** What a rule of the schema sees of the device as stored (its current groups included). */
  propertiesOf(record: DeviceRecord, schema: Exclude<RuleSchemaName, 'filter'>): RuleProperties {
    const cache = this.properties[schema];
    let properties = cache.get(record);
    if (!properties) {
      properties = PROPERTIES_OF[schema](storedView(record));
      cache.set(record, properties);
    }
    return properties;
  }

  /** Every active device of the tenant, in id order, fresh as of this call. */
  async records(
    db: FleetDb,
    tenantId: string,
    options: { readonly remember: boolean },
  ): Promise<DeviceRecord[]> {
    // Read first: whatever commits after this read moves the stamp past it.
    const stamp = this.stamped ? await readScanStamp(db, tenantId) : undefined;
    const kept = this.tenants.get(tenantId);
    if (kept) settle(kept);
    if (stamp !== undefined && kept?.stamp === stamp) {
      const records = [...kept.list];
      this.scanStamps.set(records, { entry: kept, stamp });
      return records;
    }
    const versions = await db
      .selectFrom('devices')
      .leftJoin('device_groups', 'device_groups.device_id', 'devices.id')
      .select(['devices.id as id', 'devices.view_version as view_version'])
      .select((eb) => eb.fn.coalesce('device_groups.version', eb.lit(0)).as('groups_version'))
      .where('devices.tenant_id', '=', tenantId)
      .where('devices.offboarded_at', 'is', null)
      .orderBy('devices.id')
      .execute();
    const cached = (id: string): DeviceRecord | undefined => {
      const at = kept?.at.get(id);
      return at === undefined ? undefined : kept?.list[at];
    };
    const stale = versions
      .filter((v) => {
        const record = cached(v.id);
        return (
          record?.row.view_version !== v.view_version ||
          record.groupsVersion !== Number(v.groups_version)
        );
      })
      .map((v) => v.id);
    const fresh = new Map<string, DeviceRecord>();
    for (const ids of chunks(stale, 1_000)) {
      for (const record of await loadDeviceRecords(db, tenantId, ids)) {
        fresh.set(record.row.id, record);
      }
    }
    const records: DeviceRecord[] = [];
    for (const { id } of versions) {
      const record = fresh.get(id) ?? cached(id);
      if (record) records.push(record);
    }
    if (stamp !== undefined) this.scanStamps.set(records, { entry: undefined, stamp });
    if (options.remember) this.remember(tenantId, records);
    return records;
  }

  /**
   * The tenant's scan stamp as this transaction sees it (SQLite), for `remember` after writes
   * made in the same transaction (which ran alone: the stamp then describes exactly them).
   */
  stampNow(db: FleetDb, tenantId: string): Promise<number | undefined> {
    return this.stamped ? readScanStamp(db, tenantId) : Promise.resolve(undefined);
  }

  /**
   * Keeps a scan's records for the next scan. Records read inside a transaction are given here
   * only once it has committed (what it read is then committed; a rolled-back one gives none).
   * The version kept is the one read with each record's own row: a write made after the read (by
   * that transaction or any other) moved it past that, and the next scan refetches the device.
   */
  remember(
    tenantId: string,
    records: readonly DeviceRecord[],
    stamp: number | undefined = this.scanStamps.get(records)?.stamp,
  ): void {
    // A copy: the caller keeps its array (and may reorder it).
    const list = [...records];
    const at = new Map(list.map((record, index) => [record.row.id, index]));
    this.tenants.set(tenantId, { list, at, absorbed: [], stamp });
  }

  /**
   * After a committed transaction that ran alone (SQLite) and changed, of this tenant's devices,
   * exactly `records` (read inside it after its writes: new devices, or re-enrolled ones), moving
   * the tenant's stamp from `before` to `after`: they join the remembered devices, so a burst of
   * enrollments does not leave the next scan to read every new device again. Only when the
   * tenant's devices are remembered and were current at `before`; otherwise the next scan reads
   * the versions as usual (and a tenant never scanned keeps no device in memory).
   */
  absorb(tenantId: string, records: readonly DeviceRecord[], before: number, after: number): void {
    if (!this.stamped) return;
    // Only a tenant already remembered: one nobody scanned costs no memory for its devices.
    const entry = this.tenants.get(tenantId);
    if (!entry || entry.stamp !== before) return;
    for (const record of records) entry.absorbed.push(record);
    entry.stamp = after;
  }

  /**
   * After a committed transaction that ran alone (SQLite) and only moved memberships: `moves`
   * gives the moved devices' new group ids (sorted); each moved device's memberships version
   * went up by exactly one, and `stamp` is the tenant's stamp after it. When `scanned` was served whole
   * from the remembered devices and nothing was remembered since, only the moved devices are
   * replaced there (their rule properties carried over with the new memberships): a group
   * created over 100,000 devices then costs its members, not a rebuilt copy of every device.
   * Otherwise the whole scan, with the moves, is remembered.
   */
  rememberMoves(
    tenantId: string,
    scanned: readonly DeviceRecord[],
    moves: ReadonlyMap<string, readonly string[]>,
    stamp: number | undefined,
  ): void {
    const source = this.scanStamps.get(scanned);
    const entry = this.tenants.get(tenantId);
    if (entry) settle(entry);
    // Every moved device is among the remembered ones: it was in the scan served from them.
    const inPlace =
      stamp !== undefined &&
      entry !== undefined &&
      source?.entry === entry &&
      entry.stamp === source.stamp &&
      [...moves.keys()].every((id) => entry.at.has(id));
    if (!inPlace) {
      const next = scanned.map((record) => {
        const groupIds = moves.get(record.row.id);
        return groupIds ? this.moved(record, groupIds) : record;
      });
      this.remember(tenantId, next, stamp);
      return;
    }
    for (const [id, groupIds] of moves) {
      const at = entry.at.get(id);
      const before = at === undefined ? undefined : entry.list[at];
      if (at !== undefined && before) entry.list[at] = this.moved(before, groupIds);
    }
    entry.stamp = stamp;
  }

  /** The record with new memberships and the version they were written under. */
  private moved(record: DeviceRecord, groupIds: readonly string[]): DeviceRecord {
    const next: DeviceRecord = { ...record, groupIds, groupsVersion: record.groupsVersion + 1 };
    // Only `memberOf` reads memberships: the rest of what rules see is the device's as before.
    const device = this.properties.device.get(record);
    if (device) this.properties.device.set(next, { ...device, memberOf: groupIds });
    const asset = this.properties.asset.get(record);
    if (asset) this.properties.asset.set(next, asset);
    return next;
  }

  /** How many devices of the tenant are kept (for tests and metrics). */
  cachedCount(tenantId: string): number {
    const entry = this.tenants.get(tenantId);
    if (entry) settle(entry);
    return entry?.list.length ?? 0;
  }

  drop(tenantId: string): void {
    if (tenantId === '*') this.tenants.clear();
    else this.tenants.delete(tenantId);
  }
}

/**
 * Merges the absorbed records into the list (id order; an absorbed record replaces the one
 * remembered under its id), once, when the entry is next read.
 */
function settle(entry: TenantEntries): void {
  if (entry.absorbed.length === 0) return;
  // The last absorbed record of a device wins (a device enrolled again since).
  const incoming = new Map<string, DeviceRecord>();
  for (const record of entry.absorbed) incoming.set(record.row.id, record);
  entry.absorbed = [];
  const added: string[] = [];
  for (const id of incoming.keys()) if (!entry.at.has(id)) added.push(id);
  added.sort();
  const list: DeviceRecord[] = [];
  let next = 0;
  for (const kept of entry.list) {
    const id = kept.row.id;
    for (; next < added.length && (added[next] as string) < id; next += 1) {
      list.push(incoming.get(added[next] as string) as DeviceRecord);
    }
    list.push(incoming.get(id) ?? kept);
  }
  for (; next < added.length; next += 1)
    list.push(incoming.get(added[next] as string) as DeviceRecord);
  entry.list = list;
  entry.at = new Map(list.map((record, index) => [record.row.id, index]));
}

/** The tenant's scan stamp (0 before its first device). */
async function readScanStamp(db: FleetDb, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('device_scan_stamps')
    .select('stamp')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row?.stamp ?? 0;
}
