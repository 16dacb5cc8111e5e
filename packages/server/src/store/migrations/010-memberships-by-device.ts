import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Current group memberships, one row per device instead of one per (group, device).
 *
 * A thousand dynamic groups over 100,000 devices are about 5.8 million memberships. As rows, with
 * an index by group and one by device, writing them ran at 34,000 rows/s on the benchmark machine
 * (each group's members land on thousands of pages of the index by device): minutes for a full
 * recompute. Here each device holds its groups as one short text of group ordinals
 * (`,3,17,250,`: sorted, comma-framed so that `like '%,17,%'` finds a group's members), written
 * once per device whose groups moved.
 *
 * A row's `version` moves with each write (rows are never deleted while the device lives: no
 * group is `''`), so the remembered devices (device-cache.ts) see a membership move without the
 * device's own, much wider row being rewritten for it; on SQLite its writes move the tenant's scan
 * stamp (migration 009) through triggers, as device writes do.
 *
 * `groups.ordinal`: a number per group, unique across tenants and never reused by a committed
 * group: a sequence on PostgreSQL, the largest so far plus one on SQLite (one writer at a time).
 */
export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await sql`alter table groups add column ordinal serial`.execute(db);
      } else {
        await sql`alter table groups add column ordinal integer`.execute(db);
        await sql`update groups set ordinal = rowid`.execute(db);
        await sql`create trigger groups_ordinal after insert on groups when new.ordinal is null begin
          update groups set ordinal = (select coalesce(max(ordinal), 0) + 1 from groups) where id = new.id;
        end`.execute(db);
      }
      await db.schema
        .createIndex('groups_by_ordinal')
        .on('groups')
        .column('ordinal')
        .unique()
        .execute();

      await db.schema
        .createTable('device_groups')
        .addColumn('device_id', 'text', (c) =>
          c.primaryKey().references('devices.id').onDelete('cascade'),
        )
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('ordinals', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      if (dialect === 'sqlite') {
        const bump = `insert into device_scan_stamps (tenant_id, stamp) values (new.tenant_id, 1)
          on conflict (tenant_id) do update set stamp = stamp + 1;`;
        await sql
          .raw(
            `create trigger device_groups_scan_stamp_insert after insert on device_groups begin ${bump} end`,
          )
          .execute(db);
        await sql
          .raw(
            `create trigger device_groups_scan_stamp_update after update of ordinals, version on device_groups begin ${bump} end`,
          )
          .execute(db);
      }
      await db.schema
        .createIndex('device_groups_by_tenant')
        .on('device_groups')
        .columns(['tenant_id', 'device_id'])
        .execute();
      const ordinals =
        dialect === 'postgres'
          ? sql`',' || string_agg(g.ordinal::text, ',' order by g.ordinal) || ','`
          : sql`',' || group_concat(g.ordinal, ',') || ','`;
      await sql`insert into device_groups (device_id, tenant_id, ordinals)
        select m.device_id, m.tenant_id, ${ordinals}
        from group_memberships m join groups g on g.id = m.group_id
        group by m.device_id, m.tenant_id`.execute(db);
      await db.schema.dropTable('group_memberships').execute();
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
