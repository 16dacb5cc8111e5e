/**
 * The devices as rules see them, kept between scans. On SQLite a scan of a tenant that did not
 * change since the remembered scan reads one number (the tenant's scan stamp, kept by triggers)
 * instead of every device's version; whatever a scan would see move — a version bump, an
 * offboarding, a new device — moves the stamp, and the next scan reads the versions again. On
 * PostgreSQL every scan reads the versions. Statements are counted with a Kysely plugin.
 */
import { randomUUID } from 'node:crypto';
import { generateEd25519KeyPair } from '@palisade/protocol';
import type { KyselyPlugin, QueryResult, RootOperationNode } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { linuxFacts } from '../../../test/agent-sim.js';
import {
  enrollLinux,
  insertOnboardingToken,
  quietFleetService,
} from '../../../test/fleet-fixtures.js';
import { describeEachStore } from '../../../test/stores.js';
import type { Store } from '../../store/store.js';
import { createTenant } from '../tenants.js';
import { enroll } from './agent-service.js';
import { rememberedOf } from './device-cache.js';
import { loadDeviceRecords } from './device-records.js';
import { fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { addCurrentMembers, writeDeviceGroups } from './memberships.js';

class ReadCounter implements KyselyPlugin {
  reads = 0;
  /** The tables the selects read from, in order. */
  tables: string[] = [];
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    const node = args.node as {
      kind: string;
      from?: { froms: { table?: { identifier?: { name?: string } } }[] };
    };
    if (node.kind === 'SelectQueryNode') {
      for (const from of node.from?.froms ?? [])
        this.tables.push(from.table?.identifier?.name ?? '?');
    }
    return args.node;
  }
  async transformResult<R extends QueryResult<unknown>>(args: { result: R }): Promise<R> {
    if (args.result.numAffectedRows === undefined) this.reads++;
    return args.result;
  }
}

describeEachStore('device view cache', (target) => {
  let store: Store;
  let fleet: FleetService;
  let tenantId: string;
  let token: string;
  const counter = new ReadCounter();
  const scan = async () => {
    counter.reads = 0;
    counter.tables = [];
    const records = await fleet.views.devices(fleetDb(store.db.withPlugin(counter)), tenantId, {
      remember: true,
    });
    return { records, reads: counter.reads, tables: counter.tables };
  };
  const enrollOne = (hostname: string) => enrollLinux(fleet, token, hostname);

  beforeAll(async () => {
    store = await target.openStore();
    const now = new Date();
    fleet = quietFleetService(store, now);
    tenantId = (await store.transaction((trx) => createTenant(trx, { name: 'Views', now }))).id;
    token = await insertOnboardingToken(store, tenantId, now);
    for (const name of ['view-01', 'view-02', 'view-03']) await enrollOne(name);
  });

  it('scans an unchanged tenant from memory, and sees every change a scan must see', async () => {
    const first = await scan();
    expect(first.records).toHaveLength(3);
    const unchanged = await scan();
    expect(unchanged.records.map((r) => r.id)).toEqual(first.records.map((r) => r.id));
    // SQLite: the stamp alone. PostgreSQL: the versions (nothing to refetch).
    expect(unchanged.tables).toEqual(
      store.dialect === 'sqlite' ? ['device_scan_stamps'] : ['devices'],
    );

    // A version bump (what a facts, tags or membership change writes): that device is refetched.
    const [bumped, offboarded] = first.records;
    if (!bumped || !offboarded) throw new Error('three devices expected');
    await store.db
      .updateTable('devices')
      .set((eb) => ({ view_version: eb('view_version', '+', 1), hostname_lower: 'renamed-01' }))
      .where('id', '=', bumped.id)
      .execute();
    const afterBump = await scan();
    expect(afterBump.tables).toContain('devices');
    expect(afterBump.records.find((r) => r.id === bumped.id)?.hostnameLower).toBe('renamed-01');

    // A membership write alone (the device's row untouched, as another process's group change
    // writes it): that device is refetched with its new groups.
    const at = new Date().toISOString();
    const group = await store.db
      .insertInto('groups')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        name: 'written elsewhere',
        description: '',
        kind: 'assigned',
        rule: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      // On SQLite a trigger numbers the group after the insert: read it back.
      .then(({ id }) =>
        store.db
          .selectFrom('groups')
          .select(['id', 'ordinal'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow(),
      );
    await writeDeviceGroups(fleetDb(store.db), tenantId, [
      { deviceId: bumped.id, ordinals: [Number(group.ordinal)] },
    ]);
    const afterMove = await scan();
    expect(afterMove.records.find((r) => r.id === bumped.id)?.groupIds).toEqual([group.id]);
    await writeDeviceGroups(fleetDb(store.db), tenantId, [{ deviceId: bumped.id, ordinals: [] }]);
    await store.db.deleteFrom('groups').where('id', '=', group.id).execute();
    const afterEmpty = await scan();
    expect(afterEmpty.records.find((r) => r.id === bumped.id)?.groupIds).toEqual([]);

    // Offboarded: gone from the scan.
    await store.db
      .updateTable('devices')
      .set({ offboarded_at: new Date().toISOString() })
      .where('id', '=', offboarded.id)
      .execute();
    const afterOffboard = await scan();
    expect(afterOffboard.records.map((r) => r.id)).not.toContain(offboarded.id);

    // A new device: in the scan.
    const added = await enrollOne('view-04');
    const afterEnroll = await scan();
    expect(afterEnroll.records.map((r) => r.id)).toContain(added.deviceId);
    expect(afterEnroll.records).toHaveLength(3);

    // Unchanged again: memory alone (SQLite) once more.
    expect((await scan()).tables).toEqual(
      store.dialect === 'sqlite' ? ['device_scan_stamps'] : ['devices'],
    );
  });

  it('keeps enrolled devices as they are stored, without a scan reading them again', async () => {
    // A tenant of its own: nothing of it is remembered until a scan.
    const now = new Date();
    const fresh = (await store.transaction((trx) => createTenant(trx, { name: 'Absorb', now }))).id;
    const freshToken = await insertOnboardingToken(store, fresh, now);
    const machine = (name: string, hostname = name) =>
      enroll(fleet, {
        token: freshToken,
        machineId: `machine-${name}`,
        publicKey: generateEd25519KeyPair().publicKey,
        facts: linuxFacts(hostname),
      });
    const scanOf = async (id: string) => {
      counter.reads = 0;
      counter.tables = [];
      const records = await fleet.views.devices(fleetDb(store.db.withPlugin(counter)), id, {
        remember: true,
      });
      return { records, tables: counter.tables };
    };
    const early = await machine('absorb-00');
    expect(fleet.views.cachedCount(fresh)).toBe(0);
    expect((await scanOf(fresh)).records.map((r) => r.id)).toEqual([early.deviceId]);
    const enrolled = await Promise.all(
      ['absorb-01', 'absorb-02', 'absorb-03'].map((n) => machine(n)),
    );
    const first = await scanOf(fresh);
    // SQLite: the enrollments were absorbed, the scan reads the stamp alone.
    if (store.dialect === 'sqlite') expect(first.tables).toEqual(['device_scan_stamps']);
    // Exactly what loading them from the store gives, in id order.
    const ids = [early, ...enrolled].map((e) => e.deviceId).sort();
    const stored = await loadDeviceRecords(fleet.db, fresh, ids);
    expect(first.records.map((r) => r.id)).toEqual(ids);
    expect(first.records).toEqual(stored.map(rememberedOf));
    // Re-enrolling replaces the remembered device, a new one joins it, in id order.
    const [again, more] = await Promise.all([
      machine('absorb-02', 'absorb-02-renamed'),
      machine('absorb-04'),
    ]);
    expect(again.deviceId).toBe(enrolled[1]?.deviceId);
    const second = await scanOf(fresh);
    if (store.dialect === 'sqlite') expect(second.tables).toEqual(['device_scan_stamps']);
    const all = [...ids, more.deviceId].sort();
    expect(second.records.map((r) => r.id)).toEqual(all);
    expect(second.records).toEqual(
      (await loadDeviceRecords(fleet.db, fresh, all)).map(rememberedOf),
    );
    expect(second.records.find((r) => r.id === again.deviceId)?.device.displayName).toBe(
      'absorb-02-renamed',
    );
  });

  it('a scan result the caller reorders does not reorder what is remembered', async () => {
    const { records } = await scan();
    const ids = records.map((r) => r.id);
    records.reverse();
    expect((await scan()).records.map((r) => r.id)).toEqual(ids);
  });

  it('a group change that only moves memberships updates the remembered devices', async () => {
    const before = await scan();
    const createGroup = async (name: string, rule: string) => {
      const id = randomUUID();
      const now = new Date().toISOString();
      const afterCommit = await store.transaction(async (trx) => {
        await trx
          .insertInto('groups')
          .values({
            id,
            tenant_id: tenantId,
            name,
            description: '',
            kind: 'dynamic',
            rule,
            created_at: now,
            updated_at: now,
          })
          .execute();
        return fleet.groupsChanged(trx, tenantId, [id]);
      });
      await afterCommit();
      return id;
    };
    const renamed = before.records[0];
    if (!renamed) throw new Error('a device expected');
    const name = renamed.device.displayName;
    const first = await createGroup('one device', `(device.displayName -eq "${name}")`);
    // Read from memory, not the database: the devices as remembered carry the new membership,
    // under the version the transaction wrote, and what rules see of them reads it.
    const after = await scan();
    if (store.dialect === 'sqlite') expect(after.tables).toEqual(['device_scan_stamps']);
    const moved = after.records.find((r) => r.id === renamed.id);
    expect(moved?.groupIds).toEqual([first]);
    const stored = await store.db
      .selectFrom('devices')
      .select('view_version')
      .where('id', '=', renamed.id)
      .executeTakeFirstOrThrow();
    expect(moved?.viewVersion).toBe(stored.view_version);
    expect(moved?.device.memberOf).toEqual([first]);
    // A second group reading the first through memberOf finds its member from those properties.
    const second = await createGroup(
      'in one device',
      `device.memberOf -any (group.objectId -in ["${first}"])`,
    );
    const members = new Set<string>();
    await addCurrentMembers(fleet.db, tenantId, [second], members);
    expect([...members]).toEqual([renamed.id]);
    const last = (await scan()).records.find((r) => r.id === renamed.id);
    expect(last?.groupIds).toEqual([first, second].sort());
  });
});
