/**
 * Reads for the admin API: device list (filters, sorting, keyset paging that stays fast at
 * 100,000 devices), device detail, group members, per-policy report and the dashboard. All
 * tenant-scoped; every filter is served by an index that leads with tenant_id.
 */
import {
  describeEnrollmentStatus,
  devicePropertiesOf,
  REPORT_STATUSES,
  type ReportStatus,
  STATUS_SEVERITY,
} from '@palisade/core';
import type {
  ConfigurationDocument,
  Dashboard,
  DeviceDetail,
  DeviceList,
  DeviceListQuerySchema,
  DeviceSummary,
  PolicyReport,
} from '@palisade/protocol';
import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { z } from 'zod';
import { ApiError } from '../../errors.js';
import { type DeviceRow, groupBy, loadDeviceRecords, toDeviceTag } from './device-records.js';
import type { FleetDatabase, FleetDb } from './fleet-db.js';
import { currentMembersOf, storedGroupsOf } from './memberships.js';
import { storedView } from './recompute.js';

type DeviceQuery = SelectQueryBuilder<FleetDatabase, 'devices', object>;
type ParsedListQuery = z.output<typeof DeviceListQuerySchema>;

/** Sort key → the columns of its index (the last one is the unique tiebreaker). */
const SORT_COLUMNS = {
  hostname: ['hostname_lower', 'id'],
  lastCheckInAt: ['last_check_in_at', 'id'],
  platform: ['platform', 'hostname_lower', 'id'],
  enrollmentStatus: ['enrollment_code', 'hostname_lower', 'id'],
} as const;

export async function listDevices(
  db: FleetDb,
  tenantId: string,
  query: ParsedListQuery,
  now: Date,
): Promise<DeviceList> {
  const filtered = applyFilters(db, tenantId, query, now);
  const totalRow = await filtered
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const columns = SORT_COLUMNS[query.sort];
  const direction = query.order;
  let page = filtered.selectAll();
  for (const column of columns) page = page.orderBy(column, direction);
  if (query.cursor) {
    const values = decodeCursor(query.cursor, columns.length);
    page = page.where((eb) =>
      eb(
        eb.refTuple(...(columns as unknown as [never, never])),
        direction === 'asc' ? '>' : '<',
        eb.tuple(...(values as [never, never])),
      ),
    );
  } else {
    page = page.offset(query.offset);
  }
  const rows = await page.limit(query.limit + 1).execute();
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: await summaries(db, tenantId, items),
    total: Number(totalRow?.n ?? 0),
    nextCursor:
      more && last ? encodeCursor(columns.map((column) => last[column as keyof DeviceRow])) : null,
  };
}

function applyFilters(
  db: FleetDb,
  tenantId: string,
  query: ParsedListQuery,
  now: Date,
): DeviceQuery {
  let q = db
    .selectFrom('devices')
    .where('devices.tenant_id', '=', tenantId)
    .where('offboarded_at', 'is', null);
  if (query.platform) q = q.where('platform', '=', query.platform);
  if (query.managedBy) q = q.where('managed_by', '=', query.managedBy);
  if (query.reportStatus) q = q.where('report_status', '=', query.reportStatus);
  if (query.enrollmentStatus) {
    const code = Number(query.enrollmentStatus);
    q = Number.isInteger(code)
      ? q.where('enrollment_code', '=', code)
      : q.where('enrollment_name', '=', query.enrollmentStatus);
  }
  if (query.tag) {
    const tag = query.tag;
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('device_tags')
        .select('device_tags.device_id')
        .where('device_tags.tenant_id', '=', tenantId)
        .where('device_tags.tag', '=', tag),
    );
  }
  if (query.group) {
    const group = query.group;
    q = q.where('id', 'in', (eb) => currentMembersOf(eb, tenantId, group));
  }
  if (query.search) {
    const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<SqlBool>`hostname_lower like ${pattern} escape '\\'`);
  }
  if (query.notSeenForMinutes) {
    const since = new Date(now.getTime() - query.notSeenForMinutes * 60_000).toISOString();
    q = q.where('last_check_in_at', '<', since);
  }
  return q;
}

function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(values) &&
      values.length === length &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return values;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('validation_failed', 'query.cursor: not a cursor from this listing and sort', [
    { path: 'query.cursor', message: 'not a cursor from this listing and sort' },
  ]);
}

/** Device rows → the list's summary shape, with each device's tag names (one query per page). */
export async function summaries(
  db: FleetDb,
  tenantId: string,
  rows: readonly DeviceRow[],
): Promise<DeviceSummary[]> {
  if (rows.length === 0) return [];
  const tags = await db
    .selectFrom('device_tags')
    .select(['device_id', 'tag'])
    .where('tenant_id', '=', tenantId)
    .where(
      'device_id',
      'in',
      rows.map((row) => row.id),
    )
    .execute();
  const tagsOf = groupBy(tags, (tag) => tag.device_id);
  return rows.map((row) =>
    summaryOf(row, [...new Set((tagsOf.get(row.id) ?? []).map((t) => t.tag))]),
  );
}

/** The summaries of the devices given by id, in that order (ids of no device are left out). */
export async function summariesOf(
  db: FleetDb,
  tenantId: string,
  ids: readonly string[],
): Promise<DeviceSummary[]> {
  if (ids.length === 0) return [];
  const rows = new Map<string, DeviceRow>();
  for (const row of await db
    .selectFrom('devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute()) {
    rows.set(row.id, row);
  }
  return summaries(
    db,
    tenantId,
    ids.flatMap((id) => rows.get(id) ?? []),
  );
}

export function summaryOf(row: DeviceRow, tags: readonly string[]): DeviceSummary {
  const facts = JSON.parse(row.facts) as { osVersion?: string };
  return {
    id: row.id,
    hostname: row.hostname,
    platform: row.platform as DeviceSummary['platform'],
    osVersion: facts.osVersion ?? '',
    enrollment: { code: row.enrollment_code, name: row.enrollment_name },
    managedBy: row.managed_by as DeviceSummary['managedBy'],
    revision: row.revision,
    reportStatus: row.report_status as ReportStatus | null,
    tags: [...tags].sort(),
    enrolledAt: row.enrolled_at,
    lastCheckInAt: row.last_check_in_at,
    lastReportAt: row.last_report_at,
  };
}

export async function deviceDetail(
  db: FleetDb,
  tenantId: string,
  deviceId: string,
): Promise<DeviceDetail> {
  const row = await db
    .selectFrom('devices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No device ${deviceId}.`);
  const [record] =
    row.offboarded_at === null ? await loadDeviceRecords(db, tenantId, [deviceId]) : [];
  const [tags, groups, configuration, statuses, lastReport, checkIns] = await Promise.all([
    db
      .selectFrom('device_tags as t')
      .leftJoin('asset_rules as r', 'r.id', 't.rule_id')
      .select(['t.tag', 't.source', 't.rule_id', 'r.name as rule_name'])
      .where('t.tenant_id', '=', tenantId)
      .where('t.device_id', '=', deviceId)
      .orderBy('t.tag')
      .execute(),
    groupsOfDevice(db, tenantId, deviceId),
    db
      .selectFrom('effective_configurations')
      .select(['revision', 'payload', 'issued_at'])
      .where('device_id', '=', deviceId)
      .executeTakeFirst(),
    db
      .selectFrom('setting_statuses')
      .select(['setting_id', 'policy_id', 'status', 'error'])
      // By device alone (its primary key's prefix): the device was found in this tenant above,
      // and a tenant filter here makes SQLite range over the tenant's statuses instead.
      .where('device_id', '=', deviceId)
      .orderBy('setting_id')
      .execute(),
    db
      .selectFrom('reports')
      .select(['report_id', 'revision', 'received_at'])
      .where('device_id', '=', deviceId)
      .orderBy('received_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('check_ins')
      .select(['at', 'held_revision', 'sent_revision', 'facts_changed'])
      .where('device_id', '=', deviceId)
      .orderBy('at', 'desc')
      .limit(50)
      .execute(),
  ]);
  const status = describeEnrollmentStatus(row.enrollment_code);
  const bySetting = groupBy(statuses, (s) => s.setting_id);
  return {
    ...summaryOf(row, [...new Set(tags.map((t) => t.tag))]),
    machineId: row.machine_id,
    facts: JSON.parse(row.facts) as DeviceDetail['facts'],
    enrollment: {
      code: row.enrollment_code,
      name: row.enrollment_name,
      meaning: status?.meaning ?? 'The device has not been through an enrollment decision yet.',
      fix: status?.fix ?? null,
    },
    identity: {
      kind: row.identity === 'existing' ? 'existing' : 'synthetic',
      directoryDeviceId: row.directory_device_id,
    },
    tagSources: tags.map((t) => ({
      ...toDeviceTag(t),
      ...(t.rule_name ? { ruleName: t.rule_name } : {}),
    })),
    groups,
    ruleProperties: record ? { ...devicePropertiesOf(storedView(record)) } : {},
    configuration: configuration
      ? {
          revision: configuration.revision,
          issuedAt: configuration.issued_at,
          effective: (JSON.parse(configuration.payload) as ConfigurationDocument).configuration,
        }
      : null,
    settingReports: [...bySetting].map(([settingId, rows]) => ({
      settingId,
      status: (rows[0]?.status ?? 'pending') as ReportStatus,
      error: rows[0]?.error ?? null,
      policyIds: rows.map((r) => r.policy_id).filter((id) => id !== ''),
    })),
    lastReport: lastReport
      ? {
          reportId: lastReport.report_id,
          revision: lastReport.revision,
          receivedAt: lastReport.received_at,
        }
      : null,
    checkIns: checkIns.map((c) => ({
      at: c.at,
      heldRevision: c.held_revision,
      sentRevision: c.sent_revision,
      factsChanged: c.facts_changed === 1,
    })),
    offboardedAt: row.offboarded_at,
  };
}

export async function groupMembers(
  db: FleetDb,
  tenantId: string,
  groupId: string,
  page: { limit: number; offset: number },
): Promise<{ items: DeviceSummary[]; total: number }> {
  const group = await db
    .selectFrom('groups')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!group) throw new ApiError('not_found', `No group ${groupId}.`);
  const members = db
    .selectFrom('devices')
    .where('devices.tenant_id', '=', tenantId)
    .where('offboarded_at', 'is', null)
    .where('id', 'in', (eb) => currentMembersOf(eb, tenantId, groupId));
  const [total, rows] = await Promise.all([
    members.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
    members
      .selectAll()
      .orderBy('hostname_lower')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return { items: await summaries(db, tenantId, rows), total: Number(total?.n ?? 0) };
}

/** SQL rank of a status, worst first (core's STATUS_SEVERITY): min() of it is the worst status. */
function severitySql(column: Expression<string>) {
  const cases = STATUS_SEVERITY.map((status, i) => sql`when ${status} then ${sql.lit(i)}`);
  return sql<number>`case ${column} ${sql.join(cases, sql` `)} else ${sql.lit(STATUS_SEVERITY.length)} end`;
}

function emptyCounts(): Record<ReportStatus, number> {
  return Object.fromEntries(REPORT_STATUSES.map((s) => [s, 0])) as Record<ReportStatus, number>;
}

export async function policyReport(
  db: FleetDb,
  tenantId: string,
  policyId: string,
  page: { limit: number; offset: number; status?: ReportStatus | undefined },
): Promise<PolicyReport> {
  const policy = await db
    .selectFrom('policies')
    .select(['id', 'name', 'current_version'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', policyId)
    .executeTakeFirst();
  if (!policy) throw new ApiError('not_found', `No policy ${policyId}.`);
  const rows = db
    .selectFrom('setting_statuses')
    .where('setting_statuses.tenant_id', '=', tenantId)
    .where('setting_statuses.policy_id', '=', policyId);
  const [bySetting, deviceCount] = await Promise.all([
    rows
      .select(['setting_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy(['setting_id', 'status'])
      .orderBy('setting_id')
      .execute(),
    rows
      .select((eb) => eb.fn.count<number | string>('device_id').distinct().as('n'))
      .executeTakeFirst(),
  ]);
  const counts = emptyCounts();
  const settings = new Map<string, Record<ReportStatus, number>>();
  for (const row of bySetting) {
    const n = Number(row.n);
    const status = row.status as ReportStatus;
    counts[status] += n;
    let perSetting = settings.get(row.setting_id);
    if (!perSetting) {
      perSetting = emptyCounts();
      settings.set(row.setting_id, perSetting);
    }
    perSetting[status] += n;
  }
  // Devices with their worst status for this policy, paged in SQL.
  const worst = severitySql(sql.ref('setting_statuses.status'));
  let perDevice = rows
    .select(['setting_statuses.device_id', (eb) => eb.fn.min(worst).as('rank')])
    .groupBy('setting_statuses.device_id');
  if (page.status) {
    perDevice = perDevice.having(
      (eb) => eb.fn.min(worst),
      '=',
      STATUS_SEVERITY.indexOf(page.status),
    );
  }
  const [devicePage, filteredTotal] = await Promise.all([
    perDevice
      .orderBy('rank')
      .orderBy('setting_statuses.device_id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom(perDevice.as('d'))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst(),
  ]);
  const ids = devicePage.map((d) => d.device_id);
  const [devices, details] = ids.length
    ? await Promise.all([
        db
          .selectFrom('devices')
          .select(['id', 'hostname', 'platform'])
          .where('id', 'in', ids)
          .execute(),
        rows
          .select(['device_id', 'setting_id', 'status', 'error'])
          .where('device_id', 'in', ids)
          .orderBy('setting_id')
          .execute(),
      ])
    : [[], []];
  const deviceById = new Map(devices.map((d) => [d.id, d]));
  const detailsOf = groupBy(details, (d) => d.device_id);
  return {
    policyId: policy.id,
    name: policy.name,
    version: policy.current_version,
    devices: Number(deviceCount?.n ?? 0),
    counts,
    settings: [...settings].map(([settingId, c]) => ({ settingId, counts: c })),
    deviceStatuses: {
      items: devicePage.map((d) => ({
        deviceId: d.device_id,
        hostname: deviceById.get(d.device_id)?.hostname ?? '',
        platform: (deviceById.get(d.device_id)?.platform ??
          'linux') as PolicyReport['deviceStatuses']['items'][number]['platform'],
        status: STATUS_SEVERITY[Number(d.rank)] ?? 'pending',
        settings: (detailsOf.get(d.device_id) ?? []).map((s) => ({
          settingId: s.setting_id,
          status: s.status as ReportStatus,
          error: s.error,
        })),
      })),
      total: Number(filteredTotal?.n ?? 0),
    },
  };
}

export async function dashboard(
  db: FleetDb,
  tenantId: string,
  notSeenForMinutes: number,
  now: Date,
): Promise<Dashboard> {
  const active = db
    .selectFrom('devices')
    .where('devices.tenant_id', '=', tenantId)
    .where('offboarded_at', 'is', null);
  const statuses = db
    .selectFrom('setting_statuses')
    .where('setting_statuses.tenant_id', '=', tenantId);
  const since = new Date(now.getTime() - notSeenForMinutes * 60_000).toISOString();
  const [enrollment, byReport, bySetting, byPolicy, policyDevices, policies, failing, notSeen] =
    await Promise.all([
      active
        .select([
          'enrollment_code',
          'enrollment_name',
          'platform',
          (eb) => eb.fn.countAll<number | string>().as('n'),
        ])
        .groupBy(['enrollment_code', 'enrollment_name', 'platform'])
        .orderBy('enrollment_code')
        .orderBy('platform')
        .execute(),
      active
        .select(['report_status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('report_status')
        .execute(),
      statuses
        .select([
          'setting_id',
          'status',
          (eb) => eb.fn.count<number | string>('device_id').distinct().as('n'),
        ])
        .groupBy(['setting_id', 'status'])
        .orderBy('setting_id')
        .execute(),
      statuses
        .select(['policy_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('policy_id', '!=', '')
        .groupBy(['policy_id', 'status'])
        .execute(),
      statuses
        .select(['policy_id', (eb) => eb.fn.count<number | string>('device_id').distinct().as('n')])
        .where('policy_id', '!=', '')
        .groupBy('policy_id')
        .execute(),
      db
        .selectFrom('policies')
        .select(['id', 'name', 'platform', 'profile'])
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .execute(),
      active
        .selectAll()
        .where('report_status', '=', 'failed')
        .orderBy('hostname_lower')
        .limit(20)
        .execute(),
      active
        .selectAll()
        .where('last_check_in_at', '<', since)
        .orderBy('last_check_in_at')
        .limit(20)
        .execute(),
    ]);
  const [notSeenCount] = await Promise.all([
    active
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('last_check_in_at', '<', since)
      .executeTakeFirst(),
  ]);
  const deviceStatus = { ...emptyCounts(), none: 0 };
  let devices = 0;
  for (const row of byReport) {
    const n = Number(row.n);
    devices += n;
    if (row.report_status === null) deviceStatus.none += n;
    else deviceStatus[row.report_status as ReportStatus] += n;
  }
  const settingStatus = emptyCounts();
  const settings = new Map<string, Record<ReportStatus, number>>();
  for (const row of bySetting) {
    const n = Number(row.n);
    settingStatus[row.status as ReportStatus] += n;
    const counts = settings.get(row.setting_id) ?? emptyCounts();
    counts[row.status as ReportStatus] += n;
    settings.set(row.setting_id, counts);
  }
  const policyCounts = new Map<string, Record<ReportStatus, number>>();
  for (const row of byPolicy) {
    const counts = policyCounts.get(row.policy_id) ?? emptyCounts();
    counts[row.status as ReportStatus] += Number(row.n);
    policyCounts.set(row.policy_id, counts);
  }
  const devicesOfPolicy = new Map(policyDevices.map((row) => [row.policy_id, Number(row.n)]));
  const failingCount = deviceStatus.failed;
  return {
    devices,
    enrollment: enrollment.map((row) => ({
      code: row.enrollment_code,
      name: row.enrollment_name,
      meaning: describeEnrollmentStatus(row.enrollment_code)?.meaning ?? '',
      platform: row.platform as Dashboard['enrollment'][number]['platform'],
      devices: Number(row.n),
    })),
    deviceStatus,
    settingStatus,
    policies: policies.map((p) => ({
      policyId: p.id,
      name: p.name,
      platform: p.platform as Dashboard['policies'][number]['platform'],
      profile: p.profile as Dashboard['policies'][number]['profile'],
      devices: devicesOfPolicy.get(p.id) ?? 0,
      counts: policyCounts.get(p.id) ?? emptyCounts(),
    })),
    settings: [...settings].map(([settingId, counts]) => ({ settingId, counts })),
    failingDevices: await summaries(db, tenantId, failing),
    failingDeviceCount: failingCount,
    notSeen: {
      minutes: notSeenForMinutes,
      count: Number(notSeenCount?.n ?? 0),
      devices: await summaries(db, tenantId, notSeen),
    },
  };
}

/** The device's current groups, by name. */
async function groupsOfDevice(
  db: FleetDb,
  tenantId: string,
  deviceId: string,
): Promise<{ id: string; name: string; kind: string }[]> {
  const ids = (await storedGroupsOf(db, tenantId, [deviceId])).get(deviceId)?.groupIds ?? [];
  if (ids.length === 0) return [];
  return db
    .selectFrom('groups')
    .select(['id', 'name', 'kind'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .orderBy('name')
    .execute();
}
