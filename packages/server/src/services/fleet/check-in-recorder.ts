/**
 * The check-in history ("last seen" and the bounded list of recent check-ins) written with group
 * commit: check-ins that arrive while a batch is being written wait for the next one, and each
 * batch is one transaction. Every caller still waits until its own entry is committed, but a burst
 * of N check-ins costs one commit instead of four autocommitted statements each. The commit is a
 * relaxed one (Store.relaxedTransaction: it does not wait for the disk): the history is a record
 * for administrators, not a promise to an agent, and a power loss may forget its last moment;
 * reports, enrollments and admin changes keep fully durable commits.
 */
import { randomUUID } from 'node:crypto';
import { insertRows, PreparedStatement, parameterList } from '../../store/prepared.js';
import type { Store } from '../../store/store.js';
import { BatchQueue } from './batch-queue.js';
import { chunks, type FleetDb, fleetDb } from './fleet-db.js';

/** Check-in history kept per device. */
export const CHECK_IN_HISTORY = 50;

/** One check-in as the history records it. */
export interface CheckInEntry {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly at: string;
  readonly heldRevision: number | null;
  readonly sentRevision: number | null;
  readonly factsChanged: boolean;
  /**
   * Also move the device's "last seen" (`devices.last_check_in_at`). Kept to the resolution the
   * unchanged check-ins use (LAST_SEEN_RESOLUTION_MS): a check-in that delivers a configuration
   * moments after the last one records its history row but leaves the device row alone.
   */
  readonly lastSeen: boolean;
}

/** Devices whose "last seen" one UPDATE sets (two parameters each, one more for the id list). */
const LAST_SEEN_PER_STATEMENT = 200;

export class CheckInRecorder {
  private readonly queue = new BatchQueue<CheckInEntry, void>(async (entries) => {
    await this.store.relaxedTransaction((trx) => this.writeEntries(fleetDb(trx), entries));
    return [];
  });
  /** Entries written per device since its history was last trimmed (this process). */
  private readonly sinceTrim = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** Resolves once the entry is committed; rejects when it could not be written. */
  record(entry: CheckInEntry): Promise<void> {
    return this.queue.push(entry);
  }

  /**
   * Writes one entry inside the caller's transaction (a facts change records its check-in with
   * the change itself: one commit instead of two).
   */
  writeWithin(db: FleetDb, entry: CheckInEntry): Promise<void> {
    return this.writeEntries(db, [entry]);
  }

  /**
   * The batch's rows in a few multi-row inserts, each device's "last seen" once, and each
   * device's history trimmed once it has grown by TRIM_EVERY entries since its last trim (the
   * history holds between CHECK_IN_HISTORY and CHECK_IN_HISTORY + TRIM_EVERY rows; readers show
   * the newest CHECK_IN_HISTORY).
   */
  private async writeEntries(db: FleetDb, batch: readonly CheckInEntry[]): Promise<void> {
    // One device order for every batch, so two processes on PostgreSQL lock rows alike.
    const entries = [...batch].sort((a, b) => compare(a.deviceId, b.deviceId));
    const lastSeen = new Map<string, string>();
    for (const entry of entries) {
      if (!entry.lastSeen) continue;
      const seen = lastSeen.get(entry.deviceId);
      if (seen === undefined || seen < entry.at) lastSeen.set(entry.deviceId, entry.at);
    }
    // One statement per chunk of devices (`CASE id WHEN … THEN …`), not one per device: a "sync
    // now" of 10,000 devices was 10,000 UPDATEs, each a round trip on PostgreSQL.
    for (const seen of chunks([...lastSeen], LAST_SEEN_PER_STATEMENT)) {
      if (seen.length === 0) continue;
      const parameters: unknown[] = seen.flat();
      for (const [deviceId] of seen) parameters.push(deviceId);
      await UPDATE_LAST_SEEN.execute(db, seen.length, parameters);
    }
    for (const rows of chunks(entries, INSERT_ROWS)) {
      const parameters: unknown[] = [];
      for (const entry of rows) {
        parameters.push(
          randomUUID(),
          entry.tenantId,
          entry.deviceId,
          entry.at,
          entry.heldRevision,
          entry.sentRevision,
          entry.factsChanged ? 1 : 0,
        );
      }
      await INSERT_CHECK_INS.execute(db, rows.length, parameters);
    }
    for (const entry of entries) {
      const grown = (this.sinceTrim.get(entry.deviceId) ?? 0) + 1;
      if (grown < TRIM_EVERY) {
        this.sinceTrim.set(entry.deviceId, grown);
        continue;
      }
      this.sinceTrim.delete(entry.deviceId);
      await trimHistory(db, entry.deviceId);
    }
  }
}

/** Rows per insert statement (7 parameters each, well under either database's limit). */
const INSERT_ROWS = 200;
const CHECK_IN_COLUMNS = [
  'id',
  'tenant_id',
  'device_id',
  'at',
  'held_revision',
  'sent_revision',
  'facts_changed',
] as const;

/** Rows of CHECK_IN_COLUMNS (shape: how many rows). */
const INSERT_CHECK_INS = new PreparedStatement((db, parameter, rows) =>
  db.insertInto('check_ins').values(insertRows(CHECK_IN_COLUMNS, parameter, rows)),
);
/**
 * Each device's "last seen" (shape: how many devices; parameters: each device's id and time,
 * then the ids again for the WHERE).
 */
const UPDATE_LAST_SEEN = new PreparedStatement((db, parameter, count) =>
  db
    .updateTable('devices')
    .set((eb) => {
      let when = eb.case('id').when(parameter(0)).then(parameter(1));
      for (let i = 1; i < count; i += 1)
        when = when.when(parameter(2 * i)).then(parameter(2 * i + 1));
      return { last_check_in_at: when.else(eb.ref('last_check_in_at')).end() };
    })
    .where('id', 'in', parameterList(parameter, 2 * count, count)),
);
/** A device's history is trimmed after this many new entries (not on every check-in). */
export const TRIM_EVERY = 10;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bounded history: drop what is older than the newest CHECK_IN_HISTORY entries. */
async function trimHistory(db: FleetDb, deviceId: string): Promise<void> {
  const cutoff = await db
    .selectFrom('check_ins')
    .select('at')
    .where('device_id', '=', deviceId)
    .orderBy('at', 'desc')
    .offset(CHECK_IN_HISTORY)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) {
    await db
      .deleteFrom('check_ins')
      .where('device_id', '=', deviceId)
      .where('at', '<=', cutoff.at)
      .execute();
  }
}
