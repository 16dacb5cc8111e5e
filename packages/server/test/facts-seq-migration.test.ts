/**
 * Migration 011 adds `devices.facts_seq`: the devices that exist keep everything and read null
 * (their facts' number unknown: the agent is asked for all of them once), and a device written
 * afterwards without a number starts at 0 (the facts sent with enroll).
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { runMigrations } from '../src/store/migrate.js';
import { migrateBefore, unmigratedStore } from './migrations.js';
import { describeEachStore } from './stores.js';

describeEachStore('facts number migration', (target) => {
  const suite = unmigratedStore(target);

  const insertDevice = (id: string, at: string) =>
    sql`insert into devices (id, tenant_id, machine_id, hostname, hostname_lower, platform,
        facts, credential_hash, public_key, enrollment_code, enrollment_name, managed_by, identity,
        directory_device_id, revision, config_hash, enrolled_at, last_check_in_at)
      values (${id}, 't', ${id}, ${id}, ${id}, 'linux', ${`{"hostname":"${id}"}`}, '', '', 1,
        'Success', 'palisade', 'synthetic', ${id}, 3, 'h', ${at}, ${at})`.execute(suite.db);

  it('leaves existing devices unknown (null) and starts new ones at 0', async () => {
    const { store, db } = suite;
    await migrateBefore(store, target, '011');

    const at = '2026-12-01T00:00:00.000Z';
    await sql`insert into tenants (id, name, public_key, private_key, settings, created_at)
      values ('t', 't', 'k', 'k', '{}', ${at})`.execute(db);
    for (const id of ['d1', 'd2']) await insertDevice(id, at);

    await runMigrations(db, store.dialect);

    await insertDevice('d3', at);
    const rows = (
      await sql<{ id: string; facts_seq: number | null; facts: string; revision: number }>`
        select id, facts_seq, facts, revision from devices order by id`.execute(db)
    ).rows;
    expect(rows.map((row) => [row.id, row.facts_seq, row.facts, Number(row.revision)])).toEqual([
      ['d1', null, '{"hostname":"d1"}', 3],
      ['d2', null, '{"hostname":"d2"}', 3],
      ['d3', 0, '{"hostname":"d3"}', 3],
    ]);
    // Numbered writes store any 32-bit number, and null again.
    await sql`update devices set facts_seq = 2147483647 where id = 'd1'`.execute(db);
    await sql`update devices set facts_seq = null where id = 'd3'`.execute(db);
    const moved = (
      await sql<{ id: string; facts_seq: number | null }>`
        select id, facts_seq from devices where id in ('d1', 'd3') order by id`.execute(db)
    ).rows;
    expect(moved.map((row) => [row.id, row.facts_seq])).toEqual([
      ['d1', 2147483647],
      ['d3', null],
    ]);
  });
});
