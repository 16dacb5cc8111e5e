/**
 * Agent reports written in bulk. A propagation brings one report per device within seconds; each
 * written alone was about eight statements (insert, read the revision, replace the per-setting
 * statuses, update the device, the sync request) inside its own savepoint. Here the reports that
 * arrive while a batch is being written wait for the next one, and a batch is a handful of
 * multi-row statements in one fully durable transaction: every caller is answered after the
 * commit that holds its report, as before.
 *
 * What a report means is unchanged: the first report with a given (device, reportId) is stored
 * and later ones are recognised as retries (`duplicate`); a report of the device's current
 * revision replaces its per-setting statuses and report status; any report sets "last report";
 * a report answering a sync request marks the device as reported for it. Within a batch, a
 * device's later report wins, as it would have one after the other.
 *
 * If the batch fails (a device deleted meanwhile, say), each report is written alone with the
 * same code, so only the failing one's caller sees the error.
 */
import type { EffectiveConfiguration, ReportStatus, SettingResult } from '@palisade/core';
import type { ReportRequest } from '@palisade/protocol';
import { inOrder, insertRows, PreparedStatement, parameterList } from '../../store/prepared.js';
import type { Store } from '../../store/store.js';
import { BatchQueue } from './batch-queue.js';
import type { ConfigurationCache } from './configuration-cache.js';
import { chunks, type FleetDb, fleetDb } from './fleet-db.js';
import { replaceStatusRows, type SettingStatusRow, settingStatusesOf } from './recompute.js';

export interface ReportEntry {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly request: ReportRequest;
  readonly now: Date;
}

/** Rows per multi-row statement (at most 8 parameters a row: far under either database's limit). */
const ROWS_PER_STATEMENT = 200;
/** Reports per transaction (bounds how long one batch holds SQLite's connection). */
const MAX_BATCH = 512;

export class ReportWriter {
  private readonly queue = new BatchQueue<ReportEntry, boolean>(
    (entries) =>
      this.store.transaction((trx) =>
        writeReports(fleetDb(trx), this.configurations, entries, {
          lockDevices: this.lockDevices,
        }),
      ),
    MAX_BATCH,
  );

  /** PostgreSQL: lock the batch's devices first, in id order (see `writeReports`). */
  private readonly lockDevices: boolean;

  constructor(
    private readonly store: Store,
    private readonly configurations: ConfigurationCache,
  ) {
    this.lockDevices = store.dialect === 'postgres';
  }

  /** Resolves after the commit holding the report: true when it was a retry of a stored one. */
  write(entry: ReportEntry): Promise<boolean> {
    return this.queue.push(entry);
  }
}

interface DeviceOutcome {
  tenantId: string;
  lastReportAt: string;
  /** Set when one of its reports is of the current revision (the last such one wins). */
  current?: { revision: number; rows: SettingStatusRow[]; status: ReportStatus | null };
}

const REPORT_COLUMNS = [
  'tenant_id',
  'device_id',
  'report_id',
  'revision',
  'sync_request_id',
  'results',
  'received_at',
] as const;

/** Rows of REPORT_COLUMNS, a retried one (same device and report id) left out (shape: rows). */
const INSERT_REPORTS = new PreparedStatement((db, parameter, rows) =>
  db
    .insertInto('reports')
    .values(insertRows(REPORT_COLUMNS, parameter, rows))
    .onConflict((conflict) => conflict.columns(['device_id', 'report_id']).doNothing())
    .returning(['device_id', 'report_id']),
);

/** The stored configurations' revisions of some devices (shape: how many). */
const READ_REVISIONS = new PreparedStatement((db, parameter, count) =>
  db
    .selectFrom('effective_configurations')
    .select(['device_id', 'revision'])
    .where('device_id', 'in', parameterList(parameter, 0, count)),
);

/**
 * What a report moves on device rows. Shape `<r>:<n>`: with the current revision's status (r)
 * or the time alone, for n devices; parameters: the time, the status and revision (r), the ids.
 */
const UPDATE_REPORTED = new PreparedStatement<string>((db, parameter, shape) => {
  const [parts = '', count = '0'] = shape.split(':');
  const status = parts.includes('r');
  const p = inOrder(parameter);
  return db
    .updateTable('devices')
    .set(
      status
        ? { last_report_at: p(), report_status: p(), reported_revision: p() }
        : { last_report_at: p() },
    )
    .where(
      'id',
      'in',
      Array.from({ length: Number(count) }, () => p()),
    );
});

/**
 * Writes the reports (in order) and returns, for each, whether it was a retry. Exported for the
 * tests; callers go through {@link ReportWriter}.
 *
 * `lockDevices` (PostgreSQL): the devices' rows are locked first, in id order, as a recompute
 * locks them. Otherwise the batch took its locks in another order (a key-share lock on each
 * device by the reports' foreign key, the devices' statuses, then the devices' rows), and a
 * policy saved while reports came in could deadlock with it: PostgreSQL then aborted one of the
 * two, and a save answered 500.
 */
export async function writeReports(
  db: FleetDb,
  configurations: ConfigurationCache,
  entries: readonly ReportEntry[],
  options: { readonly lockDevices?: boolean } = {},
): Promise<boolean[]> {
  if (options.lockDevices) {
    for (const ids of chunks([...new Set(entries.map((entry) => entry.deviceId))].sort())) {
      await db
        .selectFrom('devices')
        .select('id')
        .where('id', 'in', ids)
        .orderBy('id')
        .forUpdate()
        .execute();
    }
  }
  const key = (deviceId: string, reportId: string) => `${deviceId}\u0000${reportId}`;
  const inserted = new Set<string>();
  for (const rows of chunks(entries, ROWS_PER_STATEMENT)) {
    const parameters: unknown[] = [];
    for (const { tenantId, deviceId, request, now } of rows) {
      parameters.push(
        tenantId,
        deviceId,
        request.reportId,
        request.revision,
        request.syncRequestId ?? null,
        JSON.stringify(request.results),
        now.toISOString(),
      );
    }
    const { rows: returned } = await INSERT_REPORTS.execute<{
      device_id: string;
      report_id: string;
    }>(db, rows.length, parameters);
    for (const row of returned) inserted.add(key(row.device_id, row.report_id));
  }
  // The first entry of each inserted key is the stored one; anything else is a retry.
  const duplicates = entries.map((entry) => {
    const k = key(entry.deviceId, entry.request.reportId);
    if (!inserted.has(k)) return true;
    inserted.delete(k);
    return false;
  });
  const accepted = entries.filter((_, i) => !duplicates[i]);
  if (accepted.length === 0) return duplicates;

  const deviceIds = [...new Set(accepted.map((entry) => entry.deviceId))].sort();
  const revisions = new Map<string, number>();
  for (const ids of chunks(deviceIds)) {
    const { rows } = await READ_REVISIONS.execute<{ device_id: string; revision: number }>(
      db,
      ids.length,
      ids,
    );
    for (const row of rows) revisions.set(row.device_id, row.revision);
  }
  const documents = await configurationsOf(db, configurations, accepted, revisions);

  const outcomes = new Map<string, DeviceOutcome>();
  for (const { tenantId, deviceId, request, now } of accepted) {
    const outcome = outcomes.get(deviceId) ?? { tenantId, lastReportAt: now.toISOString() };
    outcome.lastReportAt = now.toISOString();
    const revision = revisions.get(deviceId);
    const configuration = documents.get(deviceId);
    // Only a report of the current revision counts as "reported" for the fallback sweep.
    if (revision === request.revision && configuration) {
      const statuses = settingStatusesOf(configuration, request.results as SettingResult[]);
      outcome.current = { revision, ...statuses };
      // The agent holds this revision now: it will not ask for the document again.
      configurations.forget(deviceId);
    }
    outcomes.set(deviceId, outcome);
  }

  await replaceStatuses(db, outcomes);
  await updateDevices(db, outcomes);
  await markSyncRequests(db, accepted);
  return duplicates;
}

/** The configuration documents of the reports that are of their device's current revision. */
async function configurationsOf(
  db: FleetDb,
  cache: ConfigurationCache,
  accepted: readonly ReportEntry[],
  revisions: ReadonlyMap<string, number>,
): Promise<Map<string, EffectiveConfiguration>> {
  const documents = new Map<string, EffectiveConfiguration>();
  const missing = new Set<string>();
  for (const { deviceId, request } of accepted) {
    const revision = revisions.get(deviceId);
    if (revision !== request.revision || documents.has(deviceId)) continue;
    const parsed = cache.parsed(deviceId, revision);
    if (parsed) documents.set(deviceId, parsed);
    else missing.add(deviceId);
  }
  for (const ids of chunks([...missing])) {
    const rows = await db
      .selectFrom('effective_configurations')
      .select(['device_id', 'revision', 'payload'])
      .where('device_id', 'in', ids)
      .execute();
    for (const row of rows) {
      if (row.revision !== revisions.get(row.device_id)) continue;
      const document = JSON.parse(row.payload) as { configuration: EffectiveConfiguration };
      documents.set(row.device_id, document.configuration);
    }
  }
  return documents;
}

function replaceStatuses(db: FleetDb, outcomes: ReadonlyMap<string, DeviceOutcome>) {
  return replaceStatusRows(
    db,
    [...outcomes].flatMap(([deviceId, outcome]) =>
      outcome.current
        ? [
            {
              tenantId: outcome.tenantId,
              deviceId,
              revision: outcome.current.revision,
              rows: outcome.current.rows,
              updatedAt: outcome.lastReportAt,
            },
          ]
        : [],
    ),
  );
}

/** One UPDATE per distinct change: devices of one propagation share theirs. */
async function updateDevices(
  db: FleetDb,
  outcomes: ReadonlyMap<string, DeviceOutcome>,
): Promise<void> {
  const groups = new Map<string, { set: DeviceSet; ids: string[] }>();
  for (const [deviceId, outcome] of outcomes) {
    const set: DeviceSet = outcome.current
      ? {
          last_report_at: outcome.lastReportAt,
          report_status: outcome.current.status,
          reported_revision: outcome.current.revision,
        }
      : { last_report_at: outcome.lastReportAt };
    const k = JSON.stringify(set);
    const group = groups.get(k);
    if (group) group.ids.push(deviceId);
    else groups.set(k, { set, ids: [deviceId] });
  }
  for (const { set, ids } of groups.values()) {
    for (const batch of chunks(ids)) {
      const parameters =
        'report_status' in set
          ? [set.last_report_at, set.report_status, set.reported_revision, ...batch]
          : [set.last_report_at, ...batch];
      await UPDATE_REPORTED.execute(
        db,
        `${'report_status' in set ? 'r' : ''}:${batch.length}`,
        parameters,
      );
    }
  }
}

type DeviceSet =
  | { last_report_at: string }
  | { last_report_at: string; report_status: ReportStatus | null; reported_revision: number };

async function markSyncRequests(db: FleetDb, accepted: readonly ReportEntry[]): Promise<void> {
  const bySync = new Map<string, { at: string; ids: string[] }>();
  for (const { deviceId, request, now } of accepted) {
    if (!request.syncRequestId) continue;
    const group = bySync.get(request.syncRequestId);
    if (group) group.ids.push(deviceId);
    else bySync.set(request.syncRequestId, { at: now.toISOString(), ids: [deviceId] });
  }
  for (const [syncRequestId, { at, ids }] of bySync) {
    for (const batch of chunks(ids)) {
      await db
        .updateTable('sync_request_devices')
        .set({ reported_at: at })
        .where('sync_request_id', '=', syncRequestId)
        .where('device_id', 'in', batch)
        .where('reported_at', 'is', null)
        .execute();
    }
  }
}
