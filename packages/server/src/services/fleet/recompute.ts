/**
 * Recompute of one device, in two halves: `evaluateDevice` is pure (facts + tenant state → tags,
 * enrollment decision, identity, groups, effective configuration) and `applyOutcome` writes only
 * what differs, bumping the revision only when the configuration's hash or the enrollment moved.
 *
 * Order of evaluation, and why: asset rules may read the onboarding status, and the enrollment
 * decision may read tags (tagged enforcement scope). To break that cycle, asset rules see a
 * preliminary decision made from the device's own tags (manual + set on the machine); the final
 * decision is then made from the full tag set. Dynamic groups then see the final decision, and
 * the configuration is resolved from the groups.
 */
import {
  assetPropertiesOf,
  type DeviceTag,
  type DeviceView,
  decideEnrollment,
  devicePropertiesOf,
  type EffectiveConfiguration,
  type EnrollmentDecision,
  filterPropertiesOf,
  type ManagedBy,
  type PolicyVersion,
  type ReportStatus,
  resolveEffectiveConfiguration,
  rollUpDevice,
  type SettingResult,
} from '@palisade/core';
import { type ConfigurationDocument, signConfiguration } from '@palisade/protocol';
import { inOrder, insertRows, PreparedStatement, parameterList } from '../../store/prepared.js';
import type { CachedConfiguration } from './configuration-cache.js';
import type { DeviceRecord } from './device-records.js';
import { chunks, type FleetDb } from './fleet-db.js';
import { type DeviceGroupsWrite, ordinalsOf, writeDeviceGroups } from './memberships.js';
import type { TenantState } from './tenant-state.js';

/** The enrollment code that means "enrolled and managed by Palisade". */
export const MANAGED_CODE = 1;

export interface DeviceOutcome {
  /** Sorted by tag, then source. */
  readonly tags: readonly DeviceTag[];
  readonly decision: EnrollmentDecision;
  readonly identity: 'synthetic' | 'existing';
  readonly directoryDeviceId: string;
  /** Sorted. */
  readonly groupIds: readonly string[];
  readonly view: DeviceView;
  readonly configuration: EffectiveConfiguration;
}

export function evaluateDevice(state: TenantState, record: DeviceRecord): DeviceOutcome {
  const { facts } = record;
  const { tags, tagNames } = evaluateTags(state, record);
  const context = { tenantId: state.tenantId, tags: tagNames };
  const decision = decideEnrollment(facts, state.settings, context);
  const groupIds = evaluateGroups(state, record, viewOf(record, decision, tagNames, []));
  const view = viewOf(record, decision, tagNames, groupIds);
  const configuration = configurationFor(state, view, decision, state.policies);
  return {
    tags,
    decision,
    identity: view.identity,
    directoryDeviceId: view.directoryDeviceId,
    groupIds,
    view,
    configuration,
  };
}

/**
 * The device's full tag set: manual tags (kept as stored), tags set on the machine (from facts),
 * and asset-rule tags evaluated against a preliminary enrollment decision (see above).
 */
export function evaluateTags(
  state: TenantState,
  record: DeviceRecord,
): { tags: DeviceTag[]; tagNames: string[] } {
  const own: DeviceTag[] = [
    ...record.tags.filter((tag) => tag.source === 'manual'),
    ...[...new Set(record.facts.tags)].map((tag): DeviceTag => ({ tag, source: 'device' })),
  ];
  const ownNames = uniqueNames(own);
  if (state.assetRules.length === 0) {
    const tags = sortTags(own);
    return { tags, tagNames: ownNames };
  }
  const preliminary = decideEnrollment(record.facts, state.settings, {
    tenantId: state.tenantId,
    tags: ownNames,
  });
  const assetProperties = assetPropertiesOf(viewOf(record, preliminary, ownNames, []));
  const fromRules: DeviceTag[] = state.assetRules
    .filter((rule) => rule.matches(assetProperties))
    .map((rule) => ({ tag: rule.tag, source: 'asset-rule', ruleId: rule.id }));
  const tags = sortTags([...own, ...fromRules]);
  return { tags, tagNames: uniqueNames(tags) };
}

/** The device as stored (no re-deciding): what previews and group scans evaluate rules against. */
export function storedView(record: DeviceRecord): DeviceView {
  const { row } = record;
  return {
    deviceId: row.id,
    facts: record.facts,
    managedBy: row.managed_by as ManagedBy,
    enrollmentCode: row.enrollment_code,
    identity: row.identity === 'existing' ? 'existing' : 'synthetic',
    directoryDeviceId: row.directory_device_id,
    tags: uniqueNames(record.tags),
    groupIds: record.groupIds,
    enrolledAt: row.enrolled_at,
  };
}

/** Group memberships in dependency order: a memberOf rule sees the memberships decided before it. */
export function evaluateGroups(
  state: TenantState,
  record: DeviceRecord,
  view: DeviceView,
): string[] {
  const member: string[] = [];
  for (const group of state.groups) {
    if (group.kind === 'assigned' && record.staticGroupIds.has(group.id)) member.push(group.id);
  }
  // The device's properties are built once; `memberOf` is the list being built, so each rule
  // sees exactly the memberships decided before it (candidates come in dependency order).
  const properties = { ...devicePropertiesOf(view), memberOf: member };
  // Only the rules whose guard (e.g. `deviceOSType -eq "Linux"`) the device passes can match it:
  // with a thousand dynamic groups, evaluating every rule for every device dominated recomputes.
  const { groups, index } = state.dynamicGroups;
  for (const position of index.candidates(properties)) {
    const group = groups[position];
    if (group?.matches?.(properties)) member.push(group.id);
  }
  return member.sort();
}

/**
 * What the device must enforce under the given policies. A device that is not managed by
 * Palisade gets the empty configuration (its document still carries the enrollment decision).
 */
export function configurationFor(
  state: TenantState,
  view: DeviceView,
  decision: EnrollmentDecision,
  policies: readonly PolicyVersion[],
): EffectiveConfiguration {
  const managed = decision.code === MANAGED_CODE && decision.managedBy === 'palisade';
  const filterProperties = filterPropertiesOf(view);
  return resolveEffectiveConfiguration({
    device: {
      platform: view.facts.platform,
      groupIds: view.groupIds,
      withheldProfiles: decision.withheldProfiles,
    },
    policies: managed ? policies : [],
    matchesFilter: (filter) => state.filterRule(filter)?.(filterProperties) ?? false,
  });
}

export function viewOf(
  record: DeviceRecord,
  decision: EnrollmentDecision,
  tags: readonly string[],
  groupIds: readonly string[],
): DeviceView {
  const join = record.facts.directoryJoin;
  const existing = decision.identity === 'use-existing' && join !== null;
  return {
    deviceId: record.row.id,
    facts: record.facts,
    managedBy: decision.managedBy,
    enrollmentCode: decision.code,
    identity: existing ? 'existing' : 'synthetic',
    // A synthetic identity is the device's own id: stable across re-enrollment of the machine.
    directoryDeviceId: existing ? join.deviceId : record.row.id,
    tags,
    groupIds,
    enrolledAt: record.row.enrolled_at,
  };
}

export interface ApplyResult {
  readonly revision: number;
  /** The revision moved: the agent must be told. */
  readonly bumped: boolean;
  /** Tags or memberships changed (something an admin view shows moved). */
  readonly changed: boolean;
  /** The new signed configuration, when the revision moved (for the cache, once committed). */
  readonly signed?: CachedConfiguration;
}

/** A result's new signed configuration as the map `FleetService.afterCommit` takes (or none). */
export function signedOf(
  deviceId: string,
  result: { readonly signed?: CachedConfiguration },
): ReadonlyMap<string, CachedConfiguration> | undefined {
  return result.signed ? new Map([[deviceId, result.signed]]) : undefined;
}

/** Writes what differs between the stored device and its outcome. */
export async function applyOutcome(
  db: FleetDb,
  state: TenantState,
  record: DeviceRecord,
  outcome: DeviceOutcome,
  now: Date,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const [result] = await applyOutcomes(db, state, [{ record, outcome }], now, options);
  if (!result) throw new Error('applyOutcomes answered nothing for one device');
  return result;
}

interface PendingWrite {
  readonly record: DeviceRecord;
  readonly outcome: DeviceOutcome;
  readonly bumped: boolean;
  readonly viewChanged: boolean;
  /** The enrollment decision moved (its columns are set only then: each is in an index). */
  readonly enrollmentChanged: boolean;
  readonly statuses: { rows: SettingStatusRow[]; status: ReportStatus | null } | null;
}

/**
 * Writes the outcomes of many devices with few statements: tags and memberships per device only
 * where they moved (rare outside facts changes), device rows grouped by identical change, signed
 * configurations and per-setting statuses in multi-row statements. A policy reaching 25,000
 * devices is a few hundred statements, not 100,000.
 */
export interface ApplyOptions {
  /** Sign the configuration under a new revision even when it did not change. */
  readonly reissue?: boolean;
}

export async function applyOutcomes(
  db: FleetDb,
  state: TenantState,
  items: readonly { readonly record: DeviceRecord; readonly outcome: DeviceOutcome }[],
  now: Date,
  options: ApplyOptions = {},
): Promise<ApplyResult[]> {
  const results = new Map<string, ApplyResult>();
  const pending: PendingWrite[] = [];
  const memberships: DeviceGroupsWrite[] = [];
  for (const { record, outcome } of items) {
    const { row } = record;
    const tagsChanged = await writeTags(db, state.tenantId, record, outcome.tags);
    const groupsChanged = !sameIds(record.groupIds, outcome.groupIds);
    if (groupsChanged) {
      memberships.push({ deviceId: row.id, ordinals: ordinalsOf(state, outcome.groupIds) });
    }
    const { decision, configuration } = outcome;
    const enrollmentChanged =
      row.enrollment_code !== decision.code ||
      row.enrollment_name !== decision.name ||
      row.managed_by !== decision.managedBy;
    const bumped =
      options.reissue === true ||
      enrollmentChanged ||
      row.config_hash !== configuration.hash ||
      row.revision === 0;
    const identityChanged =
      row.identity !== outcome.identity || row.directory_device_id !== outcome.directoryDeviceId;
    if (identityChanged) {
      await db
        .updateTable('devices')
        .set({ identity: outcome.identity, directory_device_id: outcome.directoryDeviceId })
        .where('id', '=', row.id)
        .execute();
    }
    // What rules read about the device moved: scans refetch it (see migration 006).
    const viewChanged = tagsChanged || groupsChanged || identityChanged || enrollmentChanged;
    if (!bumped && !viewChanged) {
      results.set(row.id, { revision: row.revision, bumped: false, changed: false });
      continue;
    }
    const statuses = bumped ? settingStatusesOf(configuration, []) : null;
    pending.push({ record, outcome, bumped, viewChanged, enrollmentChanged, statuses });
  }
  await writeDeviceGroups(db, state.tenantId, memberships);
  const revisions = await updateDeviceRows(db, state.tenantId, pending);
  const bumped = pending.filter((write) => write.bumped);
  const signed = await writeSignedConfigurations(db, state, bumped, revisions, now);
  await replaceSettingStatuses(db, state.tenantId, bumped, revisions, now);
  for (const write of pending) {
    const id = write.record.row.id;
    const configuration = signed.get(id);
    results.set(id, {
      revision: revisions.get(id) ?? write.record.row.revision,
      bumped: write.bumped,
      changed: true,
      ...(configuration ? { signed: configuration } : {}),
    });
  }
  return items.map(
    ({ record }) =>
      results.get(record.row.id) ?? {
        revision: record.row.revision,
        bumped: false,
        changed: false,
      },
  );
}

/**
 * One UPDATE per distinct change (devices reached by one policy mostly share theirs). The revision
 * is incremented in the database, not from the value read: two recomputes of one device racing on
 * PostgreSQL serialise on the row and get distinct, increasing revisions.
 */
/**
 * The device rows' part of a recompute. Shape: `<e><v><b>:<n>`, the parts it sets (enrollment,
 * view version, configuration) and how many devices; parameters: the enrollment's code, name
 * and manager (e), the configuration hash and report status (b), the tenant, the device ids.
 */
const UPDATE_DEVICES = new PreparedStatement<string>((db, parameter, shape) => {
  const [parts = '', count = '0'] = shape.split(':');
  const p = inOrder(parameter);
  return db
    .updateTable('devices')
    .set((eb) => ({
      ...(parts.includes('e')
        ? { enrollment_code: p(), enrollment_name: p(), managed_by: p() }
        : {}),
      ...(parts.includes('v') ? { view_version: eb('view_version', '+', 1) } : {}),
      ...(parts.includes('b')
        ? { revision: eb('revision', '+', 1), config_hash: p(), report_status: p() }
        : {}),
    }))
    .where('tenant_id', '=', p())
    .where(
      'id',
      'in',
      Array.from({ length: Number(count) }, () => p()),
    )
    .returning(['id', 'revision']);
});

async function updateDeviceRows(
  db: FleetDb,
  tenantId: string,
  writes: readonly PendingWrite[],
): Promise<Map<string, number>> {
  const groups = new Map<string, { write: PendingWrite; ids: string[] }>();
  for (const write of writes) {
    const { decision, configuration } = write.outcome;
    const key = JSON.stringify([
      write.enrollmentChanged ? [decision.code, decision.name, decision.managedBy] : null,
      write.viewChanged,
      write.bumped ? configuration.hash : null,
      write.statuses?.status ?? null,
    ]);
    const group = groups.get(key);
    if (group) group.ids.push(write.record.row.id);
    else groups.set(key, { write, ids: [write.record.row.id] });
  }
  const revisions = new Map<string, number>();
  for (const { write, ids } of groups.values()) {
    const { decision, configuration } = write.outcome;
    for (const batch of chunks(ids)) {
      const parameters: unknown[] = [];
      if (write.enrollmentChanged)
        parameters.push(decision.code, decision.name, decision.managedBy);
      if (write.bumped) parameters.push(configuration.hash, write.statuses?.status ?? null);
      parameters.push(tenantId, ...batch);
      const shape = `${write.enrollmentChanged ? 'e' : ''}${write.viewChanged ? 'v' : ''}${
        write.bumped ? 'b' : ''
      }:${batch.length}`;
      const { rows } = await UPDATE_DEVICES.execute<{ id: string; revision: number }>(
        db,
        shape,
        parameters,
      );
      for (const row of rows) revisions.set(row.id, row.revision);
    }
  }
  return revisions;
}

const CONFIGURATION_COLUMNS = [
  'device_id',
  'tenant_id',
  'revision',
  'hash',
  'payload',
  'signature',
  'issued_at',
] as const;

/** Rows of CONFIGURATION_COLUMNS, replacing a device's stored one (shape: how many rows). */
const UPSERT_CONFIGURATIONS = new PreparedStatement((db, parameter, rows) =>
  db
    .insertInto('effective_configurations')
    .values(insertRows(CONFIGURATION_COLUMNS, parameter, rows))
    .onConflict((conflict) =>
      conflict.column('device_id').doUpdateSet((eb) => ({
        revision: eb.ref('excluded.revision'),
        hash: eb.ref('excluded.hash'),
        payload: eb.ref('excluded.payload'),
        signature: eb.ref('excluded.signature'),
        issued_at: eb.ref('excluded.issued_at'),
      })),
    ),
);

async function writeSignedConfigurations(
  db: FleetDb,
  state: TenantState,
  writes: readonly PendingWrite[],
  revisions: ReadonlyMap<string, number>,
  now: Date,
): Promise<Map<string, CachedConfiguration>> {
  const issuedAt = now.toISOString();
  const rows = writes.map(({ record, outcome }) => {
    const deviceId = record.row.id;
    const revision = revisions.get(deviceId) ?? record.row.revision + 1;
    const document = {
      deviceId,
      tenantId: state.tenantId,
      revision,
      issuedAt,
      enrollment: outcome.decision,
      configuration: outcome.configuration,
    } as unknown as ConfigurationDocument;
    const signed = signConfiguration(document, state.privateKey);
    return {
      device_id: deviceId,
      tenant_id: state.tenantId,
      revision,
      hash: outcome.configuration.hash,
      payload: signed.payload,
      signature: signed.signature,
      issued_at: issuedAt,
    };
  });
  for (const batch of chunks(rows, 50)) {
    const parameters: unknown[] = [];
    for (const row of batch) {
      parameters.push(
        row.device_id,
        row.tenant_id,
        row.revision,
        row.hash,
        row.payload,
        row.signature,
        row.issued_at,
      );
    }
    await UPSERT_CONFIGURATIONS.execute(db, batch.length, parameters);
  }
  return new Map(
    rows.map((row) => [
      row.device_id,
      { revision: row.revision, payload: row.payload, signature: row.signature },
    ]),
  );
}

/** A new revision resets the devices' per-setting statuses (pending until they report). */
async function replaceSettingStatuses(
  db: FleetDb,
  tenantId: string,
  writes: readonly PendingWrite[],
  revisions: ReadonlyMap<string, number>,
  now: Date,
): Promise<void> {
  const updatedAt = now.toISOString();
  await replaceStatusRows(
    db,
    writes.map((write) => ({
      tenantId,
      deviceId: write.record.row.id,
      revision: revisions.get(write.record.row.id) ?? write.record.row.revision + 1,
      rows: write.statuses?.rows ?? [],
      updatedAt,
    })),
  );
}

/** One device's per-setting statuses as they are to be stored. */
export interface DeviceStatuses {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly revision: number;
  readonly rows: readonly SettingStatusRow[];
  readonly updatedAt: string;
}

/**
 * Replaces the per-setting statuses of the given devices (a recompute's "pending", a report's
 * results) in multi-row statements: the devices' rows deleted, the new ones inserted.
 */
export async function replaceStatusRows(
  db: FleetDb,
  devices: readonly DeviceStatuses[],
): Promise<void> {
  for (const batch of chunks(devices)) {
    await DELETE_STATUSES.execute(
      db,
      batch.length,
      batch.map((device) => device.deviceId),
    );
  }
  const parameters: unknown[] = [];
  for (const device of devices) {
    for (const row of device.rows) {
      parameters.push(
        device.tenantId,
        device.deviceId,
        row.policyId,
        row.settingId,
        row.status,
        row.error,
        device.revision,
        device.updatedAt,
      );
    }
  }
  const perRow = STATUS_COLUMNS.length;
  for (let at = 0; at < parameters.length; at += STATUS_ROWS_PER_STATEMENT * perRow) {
    const batch = parameters.slice(at, at + STATUS_ROWS_PER_STATEMENT * perRow);
    await INSERT_STATUSES.execute(db, batch.length / perRow, batch);
  }
}

const STATUS_ROWS_PER_STATEMENT = 100;
const STATUS_COLUMNS = [
  'tenant_id',
  'device_id',
  'policy_id',
  'setting_id',
  'status',
  'error',
  'revision',
  'updated_at',
] as const;

/** The statuses of the given devices (shape: how many). */
const DELETE_STATUSES = new PreparedStatement((db, parameter, count) =>
  db.deleteFrom('setting_statuses').where('device_id', 'in', parameterList(parameter, 0, count)),
);

/** Rows of STATUS_COLUMNS (shape: how many rows). */
const INSERT_STATUSES = new PreparedStatement((db, parameter, rows) =>
  db.insertInto('setting_statuses').values(insertRows(STATUS_COLUMNS, parameter, rows)),
);

const TAG_COLUMNS = ['tenant_id', 'device_id', 'tag', 'source', 'rule_id'] as const;

/** Rows of TAG_COLUMNS (shape: how many rows). */
const INSERT_TAGS = new PreparedStatement((db, parameter, rows) =>
  db.insertInto('device_tags').values(insertRows(TAG_COLUMNS, parameter, rows)),
);

/** One tag of a device: its id, the tag, the source, the asset rule ('' for none). */
const DELETE_TAG = new PreparedStatement((db, parameter) =>
  db
    .deleteFrom('device_tags')
    .where('device_id', '=', parameter(0))
    .where('tag', '=', parameter(1))
    .where('source', '=', parameter(2))
    .where('rule_id', '=', parameter(3)),
);

async function writeTags(
  db: FleetDb,
  tenantId: string,
  record: DeviceRecord,
  tags: readonly DeviceTag[],
): Promise<boolean> {
  const key = (tag: DeviceTag) => `${tag.tag}\u0000${tag.source}\u0000${tag.ruleId ?? ''}`;
  const before = new Map(record.tags.map((tag) => [key(tag), tag]));
  const after = new Map(tags.map((tag) => [key(tag), tag]));
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, tag]) => tag);
  const added = [...after].filter(([k]) => !before.has(k)).map(([, tag]) => tag);
  for (const tag of removed) {
    await DELETE_TAG.execute(db, 0, [record.row.id, tag.tag, tag.source, tag.ruleId ?? '']);
  }
  if (added.length > 0) {
    const parameters: unknown[] = [];
    for (const tag of added) {
      parameters.push(tenantId, record.row.id, tag.tag, tag.source, tag.ruleId ?? '');
    }
    await INSERT_TAGS.execute(db, added.length, parameters);
  }
  return removed.length + added.length > 0;
}

/** Whether two lists hold the same ids (each list without duplicates). */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = new Set(a);
  return b.every((id) => left.has(id));
}

export interface SettingStatusRow {
  readonly policyId: string;
  readonly settingId: string;
  readonly status: ReportStatus;
  readonly error: string | null;
}

/**
 * Per setting and contributing policy, core's roll-up of the results against the configuration:
 * the reported status, `pending` when not reported yet, `conflict` for conflicts (one row per
 * candidate policy). `status` is the device's worst.
 */
export function settingStatusesOf(
  configuration: EffectiveConfiguration,
  results: readonly SettingResult[],
): { rows: SettingStatusRow[]; status: ReportStatus | null } {
  const rollup = rollUpDevice(results, configuration);
  const rows: SettingStatusRow[] = [];
  for (const setting of rollup.settings) {
    const policyIds = setting.sources.length > 0 ? setting.sources.map((s) => s.policyId) : [''];
    for (const policyId of new Set(policyIds)) {
      rows.push({
        policyId,
        settingId: setting.id,
        status: setting.status,
        error: setting.error ?? null,
      });
    }
  }
  return { rows, status: rollup.status };
}

function uniqueNames(tags: readonly DeviceTag[]): string[] {
  return [...new Set(tags.map((tag) => tag.tag))].sort();
}

function sortTags(tags: readonly DeviceTag[]): DeviceTag[] {
  const seen = new Set<string>();
  const unique: DeviceTag[] = [];
  for (const tag of tags) {
    const key = `${tag.tag}\u0000${tag.source}\u0000${tag.ruleId ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(tag);
  }
  return unique.sort((a, b) =>
    a.tag === b.tag ? a.source.localeCompare(b.source) : a.tag.localeCompare(b.tag),
  );
}
