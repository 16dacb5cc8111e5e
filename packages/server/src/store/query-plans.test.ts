/**
 * The lookups by device that every enrollment, recompute and device page makes must use an index
 * on the device, never a range over the whole tenant (which grows with the fleet: enrollment once
 * slowed from 269/s at 1,000 machines to 114/s at 10,000 that way). SQLite's planner is asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store.js';

const LOOKUPS = [
  "select device_id, tag, source, rule_id from device_tags where tenant_id = 't' and device_id in ('a', 'b')",
  "select device_id, group_id from group_static_members where tenant_id = 't' and device_id in ('a', 'b')",
  "select device_id, ordinals from device_groups where tenant_id = 't' and device_id in ('a', 'b')",
  "select id, ordinal from groups where tenant_id = 't' and ordinal in (1, 2)",
  "select * from devices where tenant_id = 't' and id in ('a', 'b') and offboarded_at is null order by id",
  "select setting_id, policy_id, status, error from setting_statuses where device_id = 'a' order by setting_id",
  "select device_id, tag from device_tags where tenant_id = 't' and device_id = 'a'",
];

describe('query plans of the lookups by device (SQLite)', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-plans-'));
    store = await openStore(join(dir, 'plans.sqlite'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const lookup of LOOKUPS) {
    it(lookup, async () => {
      const plan = await sql
        .raw<{ detail: string }>(`explain query plan ${lookup}`)
        .execute(store.db);
      const details = plan.rows.map((row) => row.detail).join(' | ');
      expect(details).toMatch(/\b(device_id|id|ordinal)=\?/);
      expect(details).not.toMatch(/\bSCAN\b/);
    });
  }
});
