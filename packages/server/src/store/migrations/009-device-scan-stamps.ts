import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * SQLite: one number per tenant that moves whenever any of its devices changes in a way a scan
 * sees (a device enrolled, deleted or offboarded, or its `view_version` bumped), kept by triggers
 * so that no write path can forget it. Before a scan, the in-memory devices are then checked with
 * one read of this number instead of reading every device's `(id, view_version)`: a tenant that
 * did not change since the last scan is scanned from memory alone (a rule preview typed
 * keystroke by keystroke over 100,000 devices, consecutive group changes).
 *
 * PostgreSQL keeps reading the versions: there every device write would then update the same
 * row of the tenant, and concurrent writers from several processes would queue on its lock.
 */
export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      await db.schema
        .createTable('device_scan_stamps')
        .addColumn('tenant_id', 'text', (c) => c.primaryKey())
        .addColumn('stamp', 'integer', (c) => c.notNull())
        .execute();
      const bump = (tenant: string) =>
        sql.raw(
          `insert into device_scan_stamps (tenant_id, stamp) values (${tenant}, 1)
           on conflict (tenant_id) do update set stamp = stamp + 1;`,
        );
      await sql`create trigger devices_scan_stamp_insert after insert on devices begin ${bump('new.tenant_id')} end`.execute(
        db,
      );
      await sql`create trigger devices_scan_stamp_update after update of view_version, offboarded_at, tenant_id on devices begin ${bump('new.tenant_id')} ${bump('old.tenant_id')} end`.execute(
        db,
      );
      await sql`create trigger devices_scan_stamp_delete after delete on devices begin ${bump('old.tenant_id')} end`.execute(
        db,
      );
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
