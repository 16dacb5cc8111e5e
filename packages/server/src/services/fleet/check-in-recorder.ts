/**
 * The check-in history ("last seen" and the bounded list of recent check-ins) written with group
 * commit: check-ins that arrive while a batch is being written wait for the next one, and each
 * batch is one transaction. Every caller still waits until its own entry is committed (a check-in
 * is answered only after its history is durable), but a burst of N check-ins costs one commit
 * (one fsync under SQLite's synchronous=FULL) instead of four autocommitted statements each.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/store.js';
import { type FleetDb, fleetDb } from './fleet-db.js';

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
}

interface Pending {
  readonly entry: CheckInEntry;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class CheckInRecorder {
  private queue: Pending[] = [];
  private writing = false;

  constructor(private readonly store: Store) {}

  /** Resolves once the entry is committed; rejects when it could not be written. */
  record(entry: CheckInEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // Let the check-ins already parsed in this turn of the event loop join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.writeBatch(batch);
    }
    this.writing = false;
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    // One device order for every batch, so two processes on PostgreSQL lock rows alike.
    const ordered = [...batch].sort((a, b) => compare(a.entry.deviceId, b.entry.deviceId));
    try {
      await this.store.transaction(async (trx) => {
        for (const pending of ordered) await writeEntry(fleetDb(trx), pending.entry);
      });
      for (const pending of ordered) pending.resolve();
    } catch {
      // One failing entry (a device offboarded and deleted meanwhile) must not fail the others:
      // write each alone, so only its own check-in sees the error.
      for (const pending of ordered) {
        try {
          await this.store.transaction((trx) => writeEntry(fleetDb(trx), pending.entry));
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
      }
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function writeEntry(db: FleetDb, entry: CheckInEntry): Promise<void> {
  await db
    .updateTable('devices')
    .set({ last_check_in_at: entry.at })
    .where('id', '=', entry.deviceId)
    .execute();
  await db
    .insertInto('check_ins')
    .values({
      id: randomUUID(),
      tenant_id: entry.tenantId,
      device_id: entry.deviceId,
      at: entry.at,
      held_revision: entry.heldRevision,
      sent_revision: entry.sentRevision,
      facts_changed: entry.factsChanged ? 1 : 0,
    })
    .execute();
  // Bounded history: drop what is older than the newest CHECK_IN_HISTORY entries.
  const cutoff = await db
    .selectFrom('check_ins')
    .select('at')
    .where('device_id', '=', entry.deviceId)
    .orderBy('at', 'desc')
    .offset(CHECK_IN_HISTORY)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) {
    await db
      .deleteFrom('check_ins')
      .where('device_id', '=', entry.deviceId)
      .where('at', '<=', cutoff.at)
      .execute();
  }
}
