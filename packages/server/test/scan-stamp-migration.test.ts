/**
 * Migration 012 (SQLite): the trigger moving a tenant's scan stamp when memberships are rewritten
 * becomes a plain UPDATE of the tenant's stamp row, and every tenant with devices gets such a row,
 * so that no memberships write can leave the remembered devices stale. PostgreSQL keeps no
 * stamps (it reads the devices' versions), and the migration leaves it alone.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { runMigrations } from '../src/store/migrate.js';
import { migrateBefore, unmigratedStore } from './migrations.js';
import { describeEachStore } from './stores.js';

describeEachStore('scan stamp migration', (target) => {
  const suite = unmigratedStore(target);

  const stampOf = async (tenant: string) => {
    const rows = await sql<{ stamp: number }>`select stamp from device_scan_stamps
      where tenant_id = ${tenant}`.execute(suite.db);
    return rows.rows[0]?.stamp;
  };

  it('moves the stamp of a tenant whose memberships are rewritten, even one that had no stamp row', async () => {
    const { store, db } = suite;
    await migrateBefore(store, target, '012');
    if (target.kind !== 'sqlite') {
      await runMigrations(db, store.dialect);
      const tables = await sql<{ n: number }>`select count(*) as n from information_schema.tables
        where table_name = 'device_scan_stamps'`.execute(db);
      expect(Number(tables.rows[0]?.n)).toBe(0);
      return;
    }
    const at = '2026-12-01T00:00:00.000Z';
    await sql`insert into tenants (id, name, public_key, private_key, settings, created_at)
      values ('t', 't', 'k', 'k', '{}', ${at})`.execute(db);
    for (const id of ['d1', 'd2']) {
      await sql`insert into devices (id, tenant_id, machine_id, hostname, hostname_lower, platform,
          facts, credential_hash, public_key, enrollment_code, enrollment_name, managed_by, identity,
          directory_device_id, revision, config_hash, enrolled_at, last_check_in_at)
        values (${id}, 't', ${id}, ${id}, ${id}, 'linux', '{}', '', '', 1, 'Success', 'palisade',
          'synthetic', ${id}, 1, 'h', ${at}, ${at})`.execute(db);
      await sql`insert into device_groups (device_id, tenant_id, ordinals)
        values (${id}, 't', ',1,')`.execute(db);
    }
    // As for a tenant whose devices and memberships all predate the stamps: no row.
    await sql`delete from device_scan_stamps`.execute(db);

    await runMigrations(db, store.dialect);

    const before = await stampOf('t');
    expect(before).toBeGreaterThan(0);
    await sql`update device_groups set ordinals = ',1,2,', version = version + 1`.execute(db);
    // One step per row rewritten, as before the migration.
    expect(await stampOf('t')).toBe((before ?? 0) + 2);
  });
});
