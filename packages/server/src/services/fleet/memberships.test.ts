/**
 * Member counts as a plan reports them (the devices each group reaches, before and after), read
 * from the stored lists of ordinals, on SQLite and PostgreSQL: every group counted once per
 * device, ordinals past the first few hundred included, a device in no group counting for none,
 * and an ordinal whose group is gone counting for nothing.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import {
  enrollLinux,
  insertOnboardingToken,
  quietFleetService,
} from '../../../test/fleet-fixtures.js';
import { describeEachStore } from '../../../test/stores.js';
import type { Store } from '../../store/store.js';
import { createTenant } from '../tenants.js';
import { fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { memberCounts, writeDeviceGroups } from './memberships.js';

describeEachStore('member counts', (target) => {
  let store: Store;
  let fleet: FleetService;
  let tenantId: string;
  const devices: string[] = [];

  beforeAll(async () => {
    store = await target.openStore();
    const now = new Date();
    fleet = quietFleetService(store, now);
    tenantId = (await store.transaction((trx) => createTenant(trx, { name: 'Counts', now }))).id;
    const token = await insertOnboardingToken(store, tenantId, now);
    for (const name of ['count-01', 'count-02', 'count-03']) {
      devices.push((await enrollLinux(fleet, token, name)).deviceId);
    }
  });

  it('counts each group once per device that lists it, past the first 256 ordinals', async () => {
    const at = new Date().toISOString();
    const groups: { id: string; ordinal: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const id = randomUUID();
      await store.db
        .insertInto('groups')
        .values({
          id,
          tenant_id: tenantId,
          name: `count group ${i}`,
          description: '',
          kind: 'assigned',
          rule: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      // On SQLite a trigger numbers the group after the insert: read it back.
      const row = await store.db
        .selectFrom('groups')
        .select('ordinal')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      groups.push({ id, ordinal: Number(row.ordinal) });
    }
    const [first, middle, last] = [groups[0], groups[150], groups[299]];
    if (!first || !middle || !last) throw new Error('groups missing');
    expect(last.ordinal).toBeGreaterThanOrEqual(300);
    const gone = Math.max(...groups.map((g) => g.ordinal)) + 1_000;
    await writeDeviceGroups(fleetDb(store.db), tenantId, [
      { deviceId: devices[0] as string, ordinals: [first.ordinal, middle.ordinal, last.ordinal] },
      { deviceId: devices[1] as string, ordinals: [last.ordinal, gone] },
      { deviceId: devices[2] as string, ordinals: [] },
    ]);
    const counts = await memberCounts(fleetDb(store.db), tenantId);
    expect(Object.fromEntries(counts)).toEqual({
      [first.id]: 1,
      [middle.id]: 1,
      [last.id]: 2,
    });
  });
});
