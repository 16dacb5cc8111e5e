import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * `devices.facts_seq`: the number of the agent's facts send whose facts the device's row holds
 * (`factsSeq` of the agent protocol), or null when the server does not know it. A check-in compares
 * the agent's number with it to tell whether the server still holds the facts the agent's next
 * delta is based on (agent-service.ts: facts changes commit without waiting for the disk, and a
 * power loss may forget one).
 *
 * The devices that exist now are null (unknown: their agent is asked for all of its facts once);
 * a device enrolled from now on starts at 0, the number of the facts sent with enroll.
 */
export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await sql`alter table devices add column facts_seq integer`.execute(db);
        await sql`alter table devices alter column facts_seq set default 0`.execute(db);
        return;
      }
      // SQLite cannot change a column's default: the column is added with it, which existing rows
      // also read, and they are then set to unknown.
      await sql`alter table devices add column facts_seq integer default 0`.execute(db);
      await sql`update devices set facts_seq = null`.execute(db);
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
