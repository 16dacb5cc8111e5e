/**
 * Migration 010 moves each (group, device) membership row into its device's one `device_groups`
 * row, numbers the existing groups, and numbers the groups created after it past them.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { decodeOrdinals } from '../src/services/fleet/memberships.js';
import { runMigrations } from '../src/store/migrate.js';
import { migrateBefore, unmigratedStore } from './migrations.js';
import { describeEachStore } from './stores.js';

describeEachStore('memberships migration', (target) => {
  const suite = unmigratedStore(target);

  it('keeps every membership, one row per device, and numbers new groups past the old', async () => {
    const { store, db } = suite;
    await migrateBefore(store, target, '010');

    const at = '2026-11-27T00:00:00.000Z';
    await sql`insert into tenants (id, name, public_key, private_key, settings, created_at)
      values ('t', 't', 'k', 'k', '{}', ${at})`.execute(db);
    for (const id of ['g1', 'g2', 'g3']) {
      await sql`insert into groups (id, tenant_id, name, description, kind, rule, created_at, updated_at)
        values (${id}, 't', ${id}, '', 'dynamic', '(device.displayName -eq "x")', ${at}, ${at})`.execute(
        db,
      );
    }
    for (const id of ['d1', 'd2', 'd3']) {
      await sql`insert into devices (id, tenant_id, machine_id, hostname, hostname_lower, platform,
          facts, credential_hash, public_key, enrollment_code, enrollment_name, managed_by, identity,
          directory_device_id, revision, config_hash, enrolled_at, last_check_in_at)
        values (${id}, 't', ${id}, ${id}, ${id}, 'linux', '{}', '', '', 1, 'Success', 'palisade',
          'synthetic', ${id}, 1, '', ${at}, ${at})`.execute(db);
    }
    for (const [group, device] of [
      ['g1', 'd1'],
      ['g3', 'd1'],
      ['g2', 'd2'],
    ]) {
      await sql`insert into group_memberships (tenant_id, group_id, device_id)
        values ('t', ${group}, ${device})`.execute(db);
    }

    await runMigrations(db, store.dialect);

    const ordinals = Object.fromEntries(
      (
        await sql<{ id: string; ordinal: number }>`select id, ordinal from groups`.execute(db)
      ).rows.map((row) => [row.id, Number(row.ordinal)]),
    );
    expect(new Set(Object.values(ordinals)).size).toBe(3);
    const rows = (
      await sql<{ device_id: string; tenant_id: string; ordinals: string }>`
        select device_id, tenant_id, ordinals from device_groups order by device_id`.execute(db)
    ).rows;
    expect(
      rows.map((row) => [row.device_id, row.tenant_id, decodeOrdinals(row.ordinals).sort()]),
    ).toEqual([
      ['d1', 't', [ordinals.g1, ordinals.g3].sort()],
      ['d2', 't', [ordinals.g2]],
    ]);
    // Comma-framed, so a group's members are found with LIKE.
    for (const row of rows) expect(row.ordinals).toMatch(/^,(\d+,)+$/);

    await sql`insert into groups (id, tenant_id, name, description, kind, rule, created_at, updated_at)
      values ('g4', 't', 'g4', '', 'assigned', null, ${at}, ${at})`.execute(db);
    const fourth = (
      await sql<{ ordinal: number }>`select ordinal from groups where id = 'g4'`.execute(db)
    ).rows[0];
    expect(Number(fourth?.ordinal)).toBeGreaterThan(Math.max(...Object.values(ordinals)));
  });
});
