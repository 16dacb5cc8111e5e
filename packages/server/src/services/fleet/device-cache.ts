/**
 * The devices of a tenant as rules see them, kept in memory between scans. Before each scan only
 * each device's `view_version` and its memberships' version (`device_groups.version`) are read,
 * and the devices where either moved (in any process) are refetched, so a preview or a group
 * change over 100,000 devices evaluates the rule in memory instead of reading every device
 * again. On SQLite not even that when the tenant's scan
 * stamp (migration 009, kept by triggers) has not moved since the remembered scan.
 *
 * Inside a transaction the cache is read but filled only after commit (`remember`): an
 * uncommitted (and possibly rolled-back) write must not be remembered.
 */
import { assetPropertiesOf, devicePropertiesOf, type RuleProperties } from '@palisade/core';
import { type DeviceRecord, loadDeviceRecords } from './device-records.js';
import { chunks, type FleetDb } from './fleet-db.js';
import { storedView } from './recompute.js';

/**
 * A device as rules see it, kept between scans: what a scan evaluates and the versions that say
 * whether it is still current, and nothing else. The row, the parsed facts and the tags stay in
 * the database (a preview reads the rows of the page it shows; a recompute loads its devices):
 * 100,000 remembered devices are ~1 KB each instead of ~4 KB, which is memory an idle server
 * keeps and every major garbage collection marks.
 */
export interface RememberedDevice {
  readonly id: string;
  /** `devices.view_version` as read with the rest. */
  readonly viewVersion: number;
  /** `device_groups.version` as read with the rest (0: never written). */
  readonly groupsVersion: number;
  /** Current memberships as stored (assigned and dynamic), sorted. */
  readonly groupIds: readonly string[];
  /** For ordering previews by host name. */
  readonly hostnameLower: string;
  /** What group rules see of the device as stored (`memberOf` is `groupIds`). */
  readonly device: RuleProperties;
  /** What asset rules see of the device as stored. */
  readonly asset: RuleProperties;
}

/** The remembered form of a loaded device. */
export function rememberedOf(record: DeviceRecord): RememberedDevice {
  const view = storedView(record);
  return {
    id: record.row.id,
    viewVersion: record.row.view_version,
    groupsVersion: record.groupsVersion,
    groupIds: record.groupIds,
    hostnameLower: record.row.hostname_lower,
    device: shareValues(devicePropertiesOf(view)),
    asset: shareValues(assetPropertiesOf(view)),
  };
}

/**
 * Property values many devices have alike (an OS version, each installed package, a tag) are
 * kept once: every device's facts are parsed into strings of their own, and across a fleet the
 * same few hundred values repeat. Bounded: past the limit new values are kept as they are.
 */
const SHARED_VALUES_LIMIT = 50_000;
const sharedValues = new Map<string, string>();
/** Values that are the device's own (ids, names) or already shared (group ids): not pooled. */
const OWN_VALUES: ReadonlySet<string> = new Set([
  'objectId',
  'deviceId',
  'displayName',
  'deviceName',
  'memberOf',
]);

function shared(value: string): string {
  const known = sharedValues.get(value);
  if (known !== undefined) return known;
  if (sharedValues.size < SHARED_VALUES_LIMIT) sharedValues.set(value, value);
  return value;
}

/** The properties (a fresh object, changed in place) with their repeated values pooled. */
function shareValues(properties: RuleProperties): RuleProperties {
  const values = properties as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (OWN_VALUES.has(key)) continue;
    const value = values[key];
    if (typeof value === 'string') values[key] = shared(value);
    else if (Array.isArray(value) && value.length > 0) {
      values[key] = value.map((item: unknown) => (typeof item === 'string' ? shared(item) : item));
    }
  }
  return properties;
}

/**
 * A tenant's devices as last remembered (each with the `view_version` its row was read at), with
 * the scan stamp they were read at (SQLite).
 */
interface TenantEntries {
  /** The remembered devices in id order. */
  list: RememberedDevice[];
  /** Each device's place in `list`, by id. */
  at: ReadonlyMap<string, number>;
  /** Devices absorbed since (enrollments), in no order: merged into `list` when next read. */
  absorbed: RememberedDevice[];
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
  private readonly scanStamps = new WeakMap<readonly RememberedDevice[], ScanSource>();

  /**
   * `stamped`: the store keeps a scan stamp per tenant (SQLite, migration 009), so a scan of a
   * tenant unchanged since the remembered one reads that one number instead of every version.
   */
  constructor(readonly stamped = false) {}

  /** Every active device of the tenant, in id order, fresh as of this call. */
  async devices(
    db: FleetDb,
    tenantId: string,
    options: { readonly remember: boolean },
  ): Promise<RememberedDevice[]> {
    // Read first: whatever commits after this read moves the stamp past it.
    const stamp = this.stamped ? await readScanStamp(db, tenantId) : undefined;
    const kept = this.tenants.get(tenantId);
    if (kept) settle(kept);
    if (stamp !== undefined && kept?.stamp === stamp) {
      const devices = [...kept.list];
      this.scanStamps.set(devices, { entry: kept, stamp });
      return devices;
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
    const cached = (id: string): RememberedDevice | undefined => {
      const at = kept?.at.get(id);
      return at === undefined ? undefined : kept?.list[at];
    };
    const stale = versions
      .filter((v) => {
        const device = cached(v.id);
        return (
          device?.viewVersion !== v.view_version ||
          device.groupsVersion !== Number(v.groups_version)
        );
      })
      .map((v) => v.id);
    const fresh = new Map<string, RememberedDevice>();
    for (const ids of chunks(stale, 1_000)) {
      for (const record of await loadDeviceRecords(db, tenantId, ids)) {
        fresh.set(record.row.id, rememberedOf(record));
      }
    }
    const devices: RememberedDevice[] = [];
    for (const { id } of versions) {
      const device = fresh.get(id) ?? cached(id);
      if (device) devices.push(device);
    }
    if (stamp !== undefined) this.scanStamps.set(devices, { entry: undefined, stamp });
    if (options.remember) this.remember(tenantId, devices);
    return devices;
  }

  /**
   * The tenant's scan stamp as this transaction sees it (SQLite), for `remember` after writes
   * made in the same transaction (which ran alone: the stamp then describes exactly them).
   */
  stampNow(db: FleetDb, tenantId: string): Promise<number | undefined> {
    return this.stamped ? readScanStamp(db, tenantId) : Promise.resolve(undefined);
  }

  /**
   * Keeps a scan's devices for the next scan. Devices read inside a transaction are given here
   * only once it has committed (what it read is then committed; a rolled-back one gives none).
   * The version kept is the one read with each device's own row: a write made after the read (by
   * that transaction or any other) moved it past that, and the next scan refetches the device.
   */
  remember(
    tenantId: string,
    devices: readonly RememberedDevice[],
    stamp: number | undefined = this.scanStamps.get(devices)?.stamp,
  ): void {
    // A copy: the caller keeps its array (and may reorder it).
    const list = [...devices];
    const at = new Map(list.map((device, index) => [device.id, index]));
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
    for (const record of records) entry.absorbed.push(rememberedOf(record));
    entry.stamp = after;
  }

  /**
   * After a committed transaction that ran alone (SQLite) and only moved memberships: `moves`
   * gives the moved devices' new group ids (sorted); each moved device's memberships version
   * went up by exactly one, and `stamp` is the tenant's stamp after it. When `scanned` was served
   * whole from the remembered devices and nothing was remembered since, only the moved devices
   * are replaced there: a group created over 100,000 devices then costs its members, not a
   * rebuilt copy of every device. Otherwise the whole scan, with the moves, is remembered.
   */
  rememberMoves(
    tenantId: string,
    scanned: readonly RememberedDevice[],
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
      const next = scanned.map((device) => {
        const groupIds = moves.get(device.id);
        return groupIds ? moved(device, groupIds) : device;
      });
      this.remember(tenantId, next, stamp);
      return;
    }
    for (const [id, groupIds] of moves) {
      const at = entry.at.get(id);
      const before = at === undefined ? undefined : entry.list[at];
      if (at !== undefined && before) entry.list[at] = moved(before, groupIds);
    }
    entry.stamp = stamp;
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
 * The device with new memberships and the version they were written under. Only `memberOf`
 * reads memberships: the rest of what rules see is the device's as before.
 */
function moved(device: RememberedDevice, groupIds: readonly string[]): RememberedDevice {
  return {
    ...device,
    groupIds,
    groupsVersion: device.groupsVersion + 1,
    device: { ...device.device, memberOf: groupIds },
  };
}

/**
 * Merges the absorbed devices into the list (id order; an absorbed device replaces the one
 * remembered under its id), once, when the entry is next read.
 */
function settle(entry: TenantEntries): void {
  if (entry.absorbed.length === 0) return;
  // The last absorbed form of a device wins (a device enrolled again since).
  const incoming = new Map<string, RememberedDevice>();
  for (const device of entry.absorbed) incoming.set(device.id, device);
  entry.absorbed = [];
  const added: string[] = [];
  for (const id of incoming.keys()) if (!entry.at.has(id)) added.push(id);
  added.sort();
  const list: RememberedDevice[] = [];
  let next = 0;
  for (const kept of entry.list) {
    const id = kept.id;
    for (; next < added.length && (added[next] as string) < id; next += 1) {
      list.push(incoming.get(added[next] as string) as RememberedDevice);
    }
    list.push(incoming.get(id) ?? kept);
  }
  for (; next < added.length; next += 1)
    list.push(incoming.get(added[next] as string) as RememberedDevice);
  entry.list = list;
  entry.at = new Map(list.map((device, index) => [device.id, index]));
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
