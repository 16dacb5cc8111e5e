import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * SQLite: the trigger that moves a tenant's scan stamp when memberships are rewritten (migration
 * 010) ran an upsert into `device_scan_stamps` for every `device_groups` row updated — a third of
 * the time of the statement that writes a full recompute's memberships (27,174 devices on a copy
 * of a benchmark's database: 382 and 346 ms with it, 245 and 234 ms without it, 277 and 260 ms
 * with a plain UPDATE in the trigger). A row is inserted before it can be updated, and its insert
 * trigger (kept, an upsert) makes the tenant's stamp row; so the update trigger now only moves the
 * row that is there. Every tenant with devices gets a stamp row here as well, so that nothing
 * written before the stamps existed can leave one missing (a missing row reads as 0 and would
 * never move: remembered devices served stale).
 */
export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      await sql`insert into device_scan_stamps (tenant_id, stamp)
        select distinct tenant_id, 1 from devices where true
        on conflict (tenant_id) do update set stamp = stamp + 1`.execute(db);
      await sql`drop trigger device_groups_scan_stamp_update`.execute(db);
      await sql`create trigger device_groups_scan_stamp_update
        after update of ordinals, version on device_groups begin
          update device_scan_stamps set stamp = stamp + 1 where tenant_id = new.tenant_id;
        end`.execute(db);
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
