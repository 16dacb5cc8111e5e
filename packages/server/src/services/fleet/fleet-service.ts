/**
 * The FleetEngine: incremental recompute. Every admin change names what it touched, and only the
 * devices that change can reach are recomputed:
 * - a device's facts or tags → that device (asset rules → tags → enrollment → groups → configuration);
 * - a policy → the devices in its include groups (current and previous version) and the devices
 *   whose configuration it is part of now (covers deletion);
 * - a group → that group's rule (and the rules that read it through memberOf) over the tenant's
 *   devices, then a full recompute only of devices whose membership moved;
 * - asset rules → the rules over the tenant's devices, recompute where the tags moved;
 * - tenant settings → every device (the enrollment decision reads the settings).
 * Pushes go out after commit (AfterCommit), to the devices whose revision moved.
 */

import type { RuleProperties } from '@palisade/core';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AfterCommit, Clock, FleetEngine } from '../../context.js';
import type { PushHub } from '../../push/push-hub.js';
import type { Database } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { BatchQueue } from './batch-queue.js';
import { CheckInRecorder } from './check-in-recorder.js';
import { type CachedConfiguration, ConfigurationCache } from './configuration-cache.js';
import { DeviceAuthCache } from './device-auth-cache.js';
import { DeviceViewCache, type RememberedDevice } from './device-cache.js';
import {
  addDevicesOfPolicies,
  addStaticMembers,
  type DeviceRecord,
  loadDeviceRecords,
  scanDeviceRecords,
} from './device-records.js';
import {
  ENROLLMENTS_PER_BATCH,
  type Enrolled,
  type EnrollUnit,
  writeEnrollments,
} from './enrollments.js';
import { chunks, type FleetDb, fleetDb } from './fleet-db.js';
import { createFleetMetrics, type FleetMetrics } from './fleet-metrics.js';
import {
  addCurrentMembers,
  DEVICE_GROUPS_PER_STATEMENT,
  type DeviceGroupsWrite,
  ordinalsOf,
  removeDeletedGroups,
  writeDeviceGroups,
} from './memberships.js';
import { applyOutcomes, evaluateDevice, evaluateTags } from './recompute.js';
import { ReportWriter } from './report-writer.js';
import {
  type CompiledGroup,
  loadTenantState,
  type TenantState,
  TenantStateCache,
} from './tenant-state.js';

export interface FleetServiceOptions {
  readonly store: Store;
  readonly push: PushHub;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  /**
   * Keep devices' credential rows in memory. Default: on for SQLite (one process), off for
   * PostgreSQL, where other processes change devices too (device-auth-cache.ts says why).
   */
  readonly credentialCache?: boolean;
}

export type RecomputeCause =
  | 'enrollment'
  | 'facts'
  | 'tags'
  | 'policy'
  | 'group'
  | 'asset-rule'
  | 'tenant-settings'
  | 'reconcile';

export class FleetService implements FleetEngine {
  readonly store: Store;
  readonly push: PushHub;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: FleetMetrics;
  readonly tenants = new TenantStateCache();
  /** Devices as rules see them, refreshed by version (or scan stamp, SQLite) before each scan. */
  readonly views: DeviceViewCache;
  /** Check-in history, written with group commit (one transaction per burst of check-ins). */
  readonly checkIns: CheckInRecorder;
  /** Signed configurations by device and revision (immutable per revision: safe everywhere). */
  readonly configurations = new ConfigurationCache();
  /** Enrollments: on SQLite one transaction per burst (`enrollments.ts`). */
  readonly enrollments: BatchQueue<EnrollUnit, Enrolled>;
  /** Agent reports, written in bulk (one transaction per burst). */
  readonly reports: ReportWriter;
  /** Devices' credential rows in memory (SQLite: this process is the store's only writer). */
  readonly auth: DeviceAuthCache;
  private readonly stopListening: () => void;
  private readonly stopListeningFleet: () => void;
  private readonly stopObservingSyncs: () => void;

  constructor(options: FleetServiceOptions) {
    this.store = options.store;
    this.push = options.push;
    this.logger = options.logger;
    this.clock = options.clock;
    this.metrics = createFleetMetrics(options.registry);
    this.views = new DeviceViewCache(options.store.dialect === 'sqlite');
    this.stopObservingSyncs = options.store.observeDurableCommits((seconds) =>
      this.metrics.walSyncSeconds.observe(seconds),
    );
    this.checkIns = new CheckInRecorder(options.store);
    this.reports = new ReportWriter(options.store, this.configurations);
    this.enrollments = new BatchQueue(
      (units) => writeEnrollments(this, units),
      ENROLLMENTS_PER_BATCH,
    );
    this.auth = new DeviceAuthCache({
      enabled: options.credentialCache ?? options.store.dialect === 'sqlite',
    });
    // Another process saved an admin change: its notice drops our cached tenant state.
    this.stopListening = this.push.subscribeTenants((tenantId, event) => {
      if (event.kind === 'caches') this.tenants.drop(tenantId);
    });
    // A device's revision or credential moved: drop its cached row before its stream hears.
    this.stopListeningFleet = this.push.subscribeFleet((deviceIds) => {
      if (deviceIds === 'all') this.auth.clear();
      else this.auth.invalidate(deviceIds);
    });
  }

  /** Row locks before recompute: PostgreSQL only (SQLite runs one transaction at a time). */
  get locks(): boolean {
    return this.store.dialect === 'postgres';
  }

  get db(): FleetDb {
    return fleetDb(this.store.db);
  }

  /** The cached state of a tenant (outside transactions: the hot paths). */
  tenantState(tenantId: string): Promise<TenantState> {
    return this.tenants.get(this.db, tenantId);
  }

  async close(): Promise<void> {
    this.stopListening();
    this.stopListeningFleet();
    this.stopObservingSyncs();
  }

  async policiesChanged(
    trx: Kysely<Database>,
    tenantId: string,
    policyIds: readonly string[],
  ): Promise<AfterCommit> {
    const db = fleetDb(trx);
    const state = await this.freshState(db, tenantId);
    const deviceIds = await devicesTouchedByPolicies(db, tenantId, policyIds);
    return this.recomputeDevices(db, state, deviceIds, 'policy');
  }

  async groupsChanged(
    trx: Kysely<Database>,
    tenantId: string,
    groupIds: readonly string[],
  ): Promise<AfterCommit> {
    const db = fleetDb(trx);
    const state = await this.freshState(db, tenantId);
    const started = performance.now();
    const affected = withDependents(state, groupIds);
    const existing = new Set(state.groups.map((group) => group.id));
    // Deleted groups: drop their memberships (the devices in them are recomputed below).
    const deleted = [...affected].filter((id) => !existing.has(id));
    const moved = new Set<string>();
    if (deleted.length > 0) await removeDeletedGroups(db, state, moved);
    const anyDynamic = state.groups.some((g) => affected.has(g.id) && g.kind === 'dynamic');
    let scanned: RememberedDevice[] | null = null;
    // SQLite only: there a transaction runs alone, so the devices as stored cannot move under
    // the scan; on PostgreSQL the full path below locks the moved devices' rows first.
    if (!this.locks && anyDynamic && deleted.length === 0 && onlyMembershipsMove(state, affected)) {
      const statics = await staticMembersOf(db, tenantId, state, affected);
      scanned = await this.views.devices(db, tenantId, { remember: false });
      const moves = await writeMembershipMoves(db, tenantId, state, {
        devices: scanned,
        affected,
        statics,
      });
      this.metrics.recomputeSeconds.observe({ cause: 'group-scan' }, secondsSince(started));
      this.logger.debug({ tenantId, groups: groupIds, moved: moves.size }, 'group memberships');
      // What the next scan would load for the moved devices is known: their new memberships
      // and the version just written (this transaction ran alone, so it is exactly one more);
      // the stamp after this transaction's own writes describes exactly that.
      const stamp = await this.views.stampNow(db, tenantId);
      const pushes = this.afterCommit(tenantId, [], true);
      const devices = scanned;
      return async () => {
        this.views.rememberMoves(tenantId, devices, moves, stamp);
        await pushes();
      };
    }
    if (anyDynamic) {
      const statics = await staticMembersOf(db, tenantId, state, affected);
      scanned = await this.views.devices(db, tenantId, { remember: false });
      // Against the devices as stored: a device whose affected memberships all hold cannot move.
      const membersOf = affectedMemberships(state, affected, statics);
      for (const device of scanned) {
        const member = membersOf(device.id, device.device);
        if (!sameAffected(device.groupIds, member, affected)) moved.add(device.id);
      }
    } else {
      // Assigned groups only: the devices that were or are now members are all that can move.
      await addCurrentMembers(db, tenantId, affected, moved);
      await addStaticMembers(db, tenantId, affected, moved);
    }
    this.metrics.recomputeSeconds.observe({ cause: 'group-scan' }, secondsSince(started));
    const pushes = await this.recomputeDevices(db, state, [...moved], 'group');
    return this.rememberingScan(tenantId, scanned, pushes);
  }

  async assetRulesChanged(
    trx: Kysely<Database>,
    tenantId: string,
    _ruleIds: readonly string[],
  ): Promise<AfterCommit> {
    const db = fleetDb(trx);
    const state = await this.freshState(db, tenantId);
    const moved: string[] = [];
    // Every rule is re-evaluated (rules are cheap, compiled once); a device is recomputed only
    // when its tag set moved. Tags follow from the facts and the manual tags, which the
    // remembered devices do not keep: the devices are read a page at a time.
    for await (const page of scanDeviceRecords(db, tenantId)) {
      for (const record of page) {
        if (!sameTags(evaluateTags(state, record).tags, record.tags)) moved.push(record.row.id);
      }
    }
    return this.recomputeDevices(db, state, moved, 'asset-rule');
  }

  async tenantSettingsChanged(trx: Kysely<Database>, tenantId: string): Promise<AfterCommit> {
    const db = fleetDb(trx);
    const state = await this.freshState(db, tenantId);
    const bumped: string[] = [];
    const started = performance.now();
    const now = this.clock.now();
    const signed = new Map<string, CachedConfiguration>();
    let count = 0;
    // Every device is recomputed, a page at a time (keyset on id: the writes do not move it).
    for await (const page of scanDeviceRecords(db, tenantId)) {
      bumped.push(...(await this.applyBatch(db, state, page, now, signed)));
      count += page.length;
    }
    this.metrics.devicesRecomputed.inc({ cause: 'tenant-settings' }, count);
    this.metrics.recomputeSeconds.observe({ cause: 'tenant-settings' }, secondsSince(started));
    return this.afterCommit(tenantId, bumped, true, signed);
  }

  /**
   * Recomputes the given devices (full pipeline) and returns the pushes for those whose revision
   * moved. Used by every hook and by the device-level changes (facts, manual tags).
   */
  async recomputeDevices(
    db: FleetDb,
    state: TenantState,
    deviceIds: readonly string[],
    cause: RecomputeCause,
  ): Promise<AfterCommit> {
    const started = performance.now();
    const bumped: string[] = [];
    const now = this.clock.now();
    let count = 0;
    const signed = new Map<string, CachedConfiguration>();
    // PostgreSQL: rows are locked chunk by chunk, so the chunks too go in id order; every
    // transaction that locks several devices (recomputes, report batches) takes them in that
    // one order, and none can wait for another that waits for it.
    const ordered = this.locks ? [...new Set(deviceIds)].sort() : deviceIds;
    for (const ids of chunks(ordered)) {
      const records = await loadDeviceRecords(db, state.tenantId, ids, { lock: this.locks });
      bumped.push(...(await this.applyBatch(db, state, records, now, signed)));
      count += records.length;
    }
    this.metrics.devicesRecomputed.inc({ cause }, count);
    this.metrics.recomputeSeconds.observe({ cause }, secondsSince(started));
    const adminChange = cause !== 'facts' && cause !== 'enrollment' && cause !== 'tags';
    return this.afterCommit(state.tenantId, bumped, adminChange, signed);
  }

  /** After commit: the scan's devices serve the next scan (device-cache.ts), then the pushes. */
  private rememberingScan(
    tenantId: string,
    scanned: readonly RememberedDevice[] | null,
    pushes: AfterCommit,
  ): AfterCommit {
    if (!scanned) return pushes;
    return async () => {
      this.views.remember(tenantId, scanned);
      await pushes();
    };
  }

  /** The maintenance's reconcile pass: recompute devices, count those found out of date. */
  async reconcileDevices(
    db: FleetDb,
    state: TenantState,
    deviceIds: readonly string[],
  ): Promise<{ moved: number; afterCommit: AfterCommit }> {
    const records = await loadDeviceRecords(db, state.tenantId, deviceIds, { lock: this.locks });
    const signed = new Map<string, CachedConfiguration>();
    const bumped = await this.applyBatch(db, state, records, this.clock.now(), signed);
    this.metrics.devicesRecomputed.inc({ cause: 'reconcile' }, records.length);
    if (bumped.length > 0) {
      this.logger.warn(
        { tenantId: state.tenantId, devices: bumped.length },
        'reconcile found devices out of date and recomputed them',
      );
    }
    return {
      moved: bumped.length,
      afterCommit: this.afterCommit(state.tenantId, bumped, false, signed),
    };
  }

  /** Evaluates and writes a batch of devices; returns the ids whose revision moved. */
  /** Recomputes and writes the records; returns the bumped ids, their new configurations in `signed`. */
  private async applyBatch(
    db: FleetDb,
    state: TenantState,
    records: readonly DeviceRecord[],
    now: Date,
    signed: Map<string, CachedConfiguration>,
  ): Promise<string[]> {
    const items = records.map((record) => ({ record, outcome: evaluateDevice(state, record) }));
    const results = await applyOutcomes(db, state, items, now);
    const bumped: string[] = [];
    records.forEach((record, i) => {
      const result = results[i];
      if (!result?.bumped) return;
      bumped.push(record.row.id);
      if (result.signed) signed.set(record.row.id, result.signed);
    });
    return bumped;
  }

  /**
   * After commit: the new signed configurations go to the cache, other processes drop their
   * cached tenant state (admin changes), and every device whose revision moved hears of it.
   */
  afterCommit(
    tenantId: string,
    bumped: readonly string[],
    dropCaches: boolean,
    signed?: ReadonlyMap<string, CachedConfiguration>,
  ): AfterCommit {
    return async () => {
      // Committed: the new configurations are what the agents' check-ins will ask for next.
      for (const [deviceId, configuration] of signed ?? []) {
        this.configurations.put(deviceId, configuration);
      }
      if (dropCaches) {
        this.tenants.drop(tenantId);
        await this.push.publish(tenantId, [], { kind: 'caches' });
      }
      if (bumped.length > 0) {
        this.auth.invalidate(bumped);
        await this.push.publish(tenantId, bumped, { kind: 'revision' });
        this.metrics.pushes.inc({ kind: 'revision' }, bumped.length);
      }
    };
  }

  /** Inside a transaction: read the tenant as the transaction sees it, never the cache. */
  async freshState(db: FleetDb, tenantId: string): Promise<TenantState> {
    this.tenants.drop(tenantId);
    return loadTenantState(db, tenantId);
  }
}

/** The groups named, plus every group that reads one of them through memberOf (transitively). */
export function withDependents(state: TenantState, groupIds: readonly string[]): Set<string> {
  const affected = new Set(groupIds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const group of state.groups) {
      if (affected.has(group.id)) continue;
      if (group.memberOf.some((id) => affected.has(id))) {
        affected.add(group.id);
        grew = true;
      }
    }
  }
  return affected;
}

/**
 * Whether the device's membership of the affected groups changes. Unaffected groups keep their
 * stored membership; affected ones are evaluated in dependency order against the device as stored
 * (its tags and enrollment do not depend on groups, so they need no re-deciding here).
 */
/**
 * Whether a change of these groups can move memberships only, never a configuration: no policy
 * includes or excludes any of them, and none reads another of them through memberOf (each one's
 * members then follow from the devices as stored, other groups' memberships included). A device's
 * configuration reads its groups only through policy assignments (and memberOf rules, covered by
 * `affected` holding every dependent group), so there is nothing to recompute but memberships.
 */
function onlyMembershipsMove(state: TenantState, affected: ReadonlySet<string>): boolean {
  for (const policy of state.policies) {
    const { include, exclude } = policy.assignments;
    if (include.some((id) => affected.has(id)) || exclude.some((id) => affected.has(id))) {
      return false;
    }
  }
  for (const group of state.groups) {
    if (affected.has(group.id) && group.memberOf.some((id) => affected.has(id))) return false;
  }
  return true;
}

/**
 * The membership-only change: each device's membership of the affected groups, evaluated against
 * the device as stored, written where it moved (one `device_groups` row per moved device, in
 * multi-row statements; each row's version moves, which is what the remembered devices check).
 * Many groups at once (a policy file's apply) are evaluated in one pass over the devices
 * through the tenant's rule index, so a device costs the rules it can match, not every rule.
 * Returns the moved devices' new (sorted) group ids.
 */
async function writeMembershipMoves(
  db: FleetDb,
  tenantId: string,
  state: TenantState,
  scan: {
    readonly devices: readonly RememberedDevice[];
    readonly affected: ReadonlySet<string>;
    readonly statics: ReadonlyMap<string, ReadonlySet<string>>;
  },
): Promise<Map<string, string[]>> {
  const membersOf = affectedMemberships(state, scan.affected, scan.statics);
  const moved = new Map<string, string[]>();
  const writes: DeviceGroupsWrite[] = [];
  for (const device of scan.devices) {
    const id = device.id;
    const stored = device.groupIds;
    const member = membersOf(id, device.device);
    if (sameAffected(stored, member, scan.affected)) continue;
    // The stored groups the change cannot move, then the affected ones the device is in.
    const groupIds: string[] = [];
    for (const groupId of stored) if (!scan.affected.has(groupId)) groupIds.push(groupId);
    for (const groupId of member) groupIds.push(groupId);
    groupIds.sort();
    moved.set(id, groupIds);
    writes.push({ deviceId: id, ordinals: ordinalsOf(state, groupIds) });
    // Written as the scan goes: a hundred thousand lists are never all held at once.
    if (writes.length >= DEVICE_GROUPS_PER_STATEMENT) {
      await writeDeviceGroups(db, tenantId, writes);
      writes.length = 0;
    }
  }
  await writeDeviceGroups(db, tenantId, writes);
  return moved;
}

/**
 * Whether the device's stored groups (sorted) hold exactly `member` among the affected groups:
 * nothing to write. Allocation-free: a group created over 100,000 devices asks it of each.
 */
function sameAffected(
  stored: readonly string[],
  member: readonly string[],
  affected: ReadonlySet<string>,
): boolean {
  for (const groupId of member) if (!sortedHas(stored, groupId)) return false;
  let storedAffected = 0;
  if (affected.size < stored.length) {
    for (const groupId of affected) if (sortedHas(stored, groupId)) storedAffected += 1;
  } else {
    for (const groupId of stored) if (affected.has(groupId)) storedAffected += 1;
  }
  return storedAffected === member.length;
}

/** Binary search in ids sorted as `Array.prototype.sort` sorts strings. */
function sortedHas(sorted: readonly string[], id: string): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const at = sorted[middle] as string;
    if (at === id) return true;
    if (at < id) low = middle + 1;
    else high = middle;
  }
  return false;
}

/** Past this many affected groups, a device's memberships come from the tenant's rule index. */
const INDEXED_FROM = 16;

/**
 * The affected groups a device is in, each once (its id and the properties rules see of it as
 * stored). Few groups: each one's rule is evaluated. Many: only the rules the index offers it.
 */
function affectedMemberships(
  state: TenantState,
  affected: ReadonlySet<string>,
  statics: ReadonlyMap<string, ReadonlySet<string>>,
): (deviceId: string, properties: RuleProperties) => string[] {
  const groups = state.groups.filter((group) => affected.has(group.id));
  const assigned = groups.filter((group) => group.kind === 'assigned');
  const assignedMembers = (deviceId: string): string[] => {
    const member: string[] = [];
    for (const group of assigned) {
      if (statics.get(group.id)?.has(deviceId)) member.push(group.id);
    }
    return member;
  };
  if (groups.length < INDEXED_FROM) {
    const dynamic = groups.filter((group) => group.kind === 'dynamic');
    return (deviceId, properties) => {
      const member = assignedMembers(deviceId);
      for (const group of dynamic) if (group.matches?.(properties)) member.push(group.id);
      return member;
    };
  }
  const { groups: indexed, index } = state.dynamicGroups;
  // Which indexed groups are affected, by position: asked of every candidate of every device
  // (a thousand groups over 30,000 devices), where a string set lookup each was nearly a tenth
  // of the whole apply.
  const affectedAt = indexed.map((group) => affected.has(group.id));
  return (deviceId, properties) => {
    const member = assignedMembers(deviceId);
    for (const position of index.candidates(properties)) {
      if (affectedAt[position] !== true) continue;
      const group = indexed[position] as CompiledGroup;
      if (group.matches?.(properties)) member.push(group.id);
    }
    return member;
  };
}

async function staticMembersOf(
  db: FleetDb,
  tenantId: string,
  state: TenantState,
  affected: ReadonlySet<string>,
): Promise<Map<string, Set<string>>> {
  const assigned = state.groups
    .filter((group) => group.kind === 'assigned' && affected.has(group.id))
    .map((group) => group.id);
  const members = new Map<string, Set<string>>(assigned.map((id) => [id, new Set<string>()]));
  for (const ids of chunks(assigned)) {
    const rows = await db
      .selectFrom('group_static_members')
      .select(['group_id', 'device_id'])
      .where('tenant_id', '=', tenantId)
      .where('group_id', 'in', ids)
      .execute();
    for (const row of rows) members.get(row.group_id)?.add(row.device_id);
  }
  return members;
}

async function devicesTouchedByPolicies(
  db: FleetDb,
  tenantId: string,
  policyIds: readonly string[],
): Promise<string[]> {
  const devices = new Set<string>();
  for (const ids of chunks(policyIds)) {
    const versions = await db
      .selectFrom('policy_versions as v')
      .innerJoin('policies as p', 'p.id', 'v.policy_id')
      .select(['v.assignments'])
      .where('v.tenant_id', '=', tenantId)
      .where('v.policy_id', 'in', ids)
      .whereRef('v.version', '>=', (eb) => eb('p.current_version', '-', 1))
      .execute();
    const groups = new Set<string>();
    for (const version of versions) {
      const assignments = JSON.parse(version.assignments) as { include?: string[] };
      for (const id of assignments.include ?? []) groups.add(id);
    }
    await addDevicesOfPolicies(db, tenantId, groups, ids, devices);
  }
  return [...devices];
}

function sameTags(
  a: readonly { tag: string; source: string; ruleId?: string }[],
  b: readonly { tag: string; source: string; ruleId?: string }[],
): boolean {
  const key = (t: { tag: string; source: string; ruleId?: string }) =>
    `${t.tag}\u0000${t.source}\u0000${t.ruleId ?? ''}`;
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
