/**
 * Group commit for the agents' write transactions (enrollments, reports) on SQLite. SQLite runs
 * one transaction at a time on the store's one connection, and each durable commit waits for an
 * fsync of the WAL (wal-sync.ts): one enrollment or report per commit would cap a server at the
 * disk's fsyncs per second, and a transaction per unit costs its BEGIN/COMMIT each. Here the units of work that arrive while a commit is
 * under way share the next transaction, each inside its own SAVEPOINT: a unit that fails is
 * rolled back alone and its caller gets the error; the others commit together. Every caller is
 * answered only after the commit that holds its work, so nothing is acknowledged before it is
 * durable. PostgreSQL runs transactions side by side on its pool: there each unit keeps its own.
 *
 * A unit must use only the transaction it is given (never the store's own handle: on SQLite that
 * would wait for the connection the batch holds).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { BatchQueue, type Pending } from './batch-queue.js';

/** At most this many units share one transaction (bounds how long one commit holds the store). */
export const GROUP_COMMIT_MAX_UNITS = 256;

type Work = (trx: Kysely<Database>) => Promise<unknown>;
type Unit = Pending<Work, unknown>;

type Settled =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

export class GroupCommit {
  private readonly queue = new BatchQueue<Work, unknown>(
    (batch) => this.commitBatch(batch),
    GROUP_COMMIT_MAX_UNITS,
  );

  constructor(private readonly store: Store) {}

  /** Runs `work` in a transaction (shared with other units on SQLite); resolves after commit. */
  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.store.dialect !== 'sqlite') return this.store.transaction(work);
    return this.queue.push(work) as Promise<T>;
  }

  private async commitBatch(batch: readonly Unit[]): Promise<void> {
    let settled: Settled[];
    try {
      settled = await this.store.transaction(async (trx) => {
        const results: Settled[] = [];
        for (const unit of batch) results.push(await runInSavepoint(trx, unit));
        return results;
      });
    } catch (error) {
      // The commit itself failed: none of the batch is written.
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, index) => {
      const result = settled[index];
      if (result?.ok) unit.resolve(result.value);
      else unit.reject(result ? result.error : new Error('group commit lost a unit'));
    });
  }
}

async function runInSavepoint(trx: Kysely<Database>, unit: Unit): Promise<Settled> {
  await sql`savepoint agent_unit`.execute(trx);
  try {
    const value = await unit.item(trx);
    await sql`release savepoint agent_unit`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to savepoint agent_unit`.execute(trx);
    await sql`release savepoint agent_unit`.execute(trx);
    return { ok: false, error };
  }
}
