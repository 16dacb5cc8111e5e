/**
 * The check-in hot path: when nothing changed, the whole answer costs one indexed read (the
 * credential check by primary key, which also yields the revision), and none at all once the
 * device's row is in the credential cache (SQLite's default) — counted here with a Kysely plugin
 * that sees the result of every statement the fleet service executes (compiled ones included).
 * Then the cache's promise: whatever moves a device's revision or credential is seen at once.
 */
import { randomUUID } from 'node:crypto';
import { generateEd25519KeyPair } from '@palisade/protocol';
import type { KyselyPlugin, QueryResult, RootOperationNode } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { beforeAll, expect, it } from 'vitest';
import { linuxFacts } from '../../../test/agent-sim.js';
import { enrollLinux, insertOnboardingToken } from '../../../test/fleet-fixtures.js';
import { describeEachStore } from '../../../test/stores.js';
import { MemoryPushHub } from '../../push/memory-push-hub.js';
import type { Store } from '../../store/store.js';
import { createTenant } from '../tenants.js';
import { authenticateDevice, checkIn, enroll, LAST_SEEN_RESOLUTION_MS } from './agent-service.js';
import { CHECK_IN_HISTORY, TRIM_EVERY } from './check-in-recorder.js';
import { offboardDevice } from './device-admin.js';
import { FleetService } from './fleet-service.js';

class StatementCounter implements KyselyPlugin {
  reads = 0;
  writes = 0;
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    return args.node;
  }
  async transformResult<R extends QueryResult<unknown>>(args: { result: R }): Promise<R> {
    if (args.result.numAffectedRows === undefined) this.reads++;
    else this.writes++;
    return args.result;
  }
  reset(): void {
    this.reads = 0;
    this.writes = 0;
  }
}

describeEachStore('check-in hot path', (target) => {
  let fleet: FleetService;
  let cached: FleetService;
  let counter: StatementCounter;
  let credential: string;
  let store: Store;
  let token: string;

  beforeAll(async () => {
    store = await target.openStore();
    counter = new StatementCounter();
    const counted: Store = { ...store, db: store.db.withPlugin(counter) };
    // A fixed clock: "last seen" was just written, so the unchanged check-in must not write it.
    const now = new Date();
    const push = new MemoryPushHub();
    const parts = {
      store: counted,
      push,
      logger: pino({ level: 'silent' }),
      clock: { now: () => now },
    };
    fleet = new FleetService({ ...parts, registry: new Registry(), credentialCache: false });
    cached = new FleetService({ ...parts, registry: new Registry(), credentialCache: true });
    const tenant = await store.transaction((trx) => createTenant(trx, { name: 'Hot path', now }));
    token = await insertOnboardingToken(store, tenant.id, now);
    const enrolled = await enrollLinux(fleet, token, 'hot-01');
    credential = enrolled.credential;
  });

  it('answers "unchanged" with one indexed read and no write', async () => {
    const bearer = `Bearer ${credential}`;
    const first = await checkIn(fleet, await authenticateDevice(fleet, bearer), {
      revision: null,
    });
    expect(first.s).toBe('c');
    const revision =
      first.s === 'c' ? (JSON.parse(first.configuration.payload).revision as number) : 0;

    counter.reset();
    const device = await authenticateDevice(fleet, bearer);
    const answer = await checkIn(fleet, device, { revision });
    expect(answer).toEqual({ s: 'u', n: expect.any(Number) });
    expect({ reads: counter.reads, writes: counter.writes }).toEqual({ reads: 1, writes: 0 });
  });

  it('answers "unchanged" from the credential cache without touching the store', async () => {
    const bearer = `Bearer ${credential}`;
    const warm = await authenticateDevice(cached, bearer);
    // The first check-in also loads this service's tenant state (cached from then on).
    await checkIn(cached, warm, { revision: warm.revision });
    counter.reset();
    const device = await authenticateDevice(cached, bearer);
    const answer = await checkIn(cached, device, { revision: warm.revision });
    expect(answer).toEqual({ s: 'u', n: expect.any(Number) });
    expect({ reads: counter.reads, writes: counter.writes }).toEqual({ reads: 0, writes: 0 });
    // A wrong secret for a cached device is refused (and reads the row, in case it moved).
    const wrong = `Bearer ${device.id}.not-the-secret`;
    await expect(authenticateDevice(cached, wrong)).rejects.toMatchObject({
      code: 'device_unauthenticated',
    });
  });

  it('compares the facts number from the credential cache, and keeps it true after a facts change', async () => {
    const enrolled = await enrollLinux(cached, token, 'hot-seq');
    const bearer = `Bearer ${enrolled.credential}`;
    const first = await authenticateDevice(cached, bearer);
    expect(first.factsSeq).toBe(0);
    const delivered = await checkIn(cached, first, { revision: null, factsSeq: 0 });
    const revision =
      delivered.s === 'c' ? (JSON.parse(delivered.configuration.payload).revision as number) : 0;
    counter.reset();
    const unchanged = await checkIn(cached, await authenticateDevice(cached, bearer), {
      revision,
      factsSeq: 0,
    });
    expect(unchanged).toEqual({ s: 'u', n: expect.any(Number) });
    expect({ reads: counter.reads, writes: counter.writes }).toEqual({ reads: 0, writes: 0 });
    // Another number: "send all your facts", still without touching the store.
    const asked = await checkIn(cached, await authenticateDevice(cached, bearer), {
      revision,
      factsSeq: 9,
    });
    expect(asked).toEqual({ s: 'u', n: expect.any(Number), f: 1 });
    expect({ reads: counter.reads, writes: counter.writes }).toEqual({ reads: 0, writes: 0 });
    // A facts change (number 1) moves the cached number with it.
    const changed = await checkIn(cached, await authenticateDevice(cached, bearer), {
      revision,
      facts: { tags: ['hot-seq'] },
      factsSeq: 1,
    });
    expect(changed.f).toBeUndefined();
    const after = await authenticateDevice(cached, bearer);
    expect(after.factsSeq).toBe(1);
    const next = await checkIn(cached, after, { revision: after.revision, factsSeq: 1 });
    expect(next.f).toBeUndefined();
    expect((await authenticateDevice(fleet, bearer)).factsSeq).toBe(1);
  });

  it('reads the stored facts only when the agent sends a delta, and writes only on change', async () => {
    const bearer = `Bearer ${credential}`;
    const device = await authenticateDevice(fleet, bearer);
    counter.reset();
    await checkIn(fleet, device, { revision: device.revision, facts: { hostname: 'hot-01' } });
    // The delta equals the stored facts: one more read, still no write.
    expect({ reads: counter.reads, writes: counter.writes }).toEqual({ reads: 1, writes: 0 });
  });

  it('sees a revision moved by another service at once (its notice drops the cached row)', async () => {
    const bearer = `Bearer ${credential}`;
    const before = await authenticateDevice(cached, bearer);
    await store.db
      .updateTable('devices')
      .set({ revision: before.revision + 1 })
      .where('id', '=', before.id)
      .execute();
    // What every recompute does after commit, here from the other service on the same hub.
    await fleet.afterCommit(before.tenantId, [before.id], false)();
    expect((await authenticateDevice(cached, bearer)).revision).toBe(before.revision + 1);
  });

  it('refuses an offboarded device and an old credential after re-enrollment at once', async () => {
    const machineId = `machine-${randomUUID()}`;
    const publicKey = generateEd25519KeyPair().publicKey;
    const facts = linuxFacts('hot-02');
    const first = await enroll(cached, { token, machineId, publicKey, facts });
    const oldBearer = `Bearer ${first.credential}`;
    await authenticateDevice(cached, oldBearer);
    const again = await enroll(fleet, { token, machineId, publicKey, facts });
    expect(again.deviceId).toBe(first.deviceId);
    await expect(authenticateDevice(cached, oldBearer)).rejects.toMatchObject({
      code: 'device_unauthenticated',
    });
    const newBearer = `Bearer ${again.credential}`;
    expect((await authenticateDevice(cached, newBearer)).id).toBe(first.deviceId);
    await offboardDevice(fleet, first.tenantId, first.deviceId, {
      type: 'user',
      id: 'test',
      name: 'test',
    });
    await expect(authenticateDevice(cached, newBearer)).rejects.toMatchObject({
      code: 'device_unauthenticated',
    });
  });

  it('records a facts change with its check-in in one transaction (one commit)', async () => {
    const bearer = `Bearer ${credential}`;
    const device = await authenticateDevice(fleet, bearer);
    counter.reset();
    const commits = countCommits(fleet.store);
    const answer = await checkIn(fleet, device, {
      revision: device.revision,
      facts: { tags: ['history-probe'] },
    });
    expect(commits()).toBe(1);
    const history = await store.db
      .selectFrom('check_ins')
      .select(['held_revision', 'sent_revision', 'facts_changed'])
      .where('device_id', '=', device.id)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(history.held_revision).toBe(device.revision);
    expect(history.facts_changed).toBe(1);
    const after = await authenticateDevice(fleet, bearer);
    expect(history.sent_revision).toBe(answer.s === 'c' ? after.revision : null);
  });

  it('records every delivering check-in, but moves "last seen" only at its resolution', async () => {
    let now = new Date();
    const timed = new FleetService({
      store,
      push: new MemoryPushHub(),
      logger: pino({ level: 'silent' }),
      clock: { now: () => now },
      registry: new Registry(),
      credentialCache: true,
    });
    const enrolled = await enrollLinux(timed, token, 'seen-01');
    const bearer = `Bearer ${enrolled.credential}`;
    const lastSeen = async () =>
      (
        await store.db
          .selectFrom('devices')
          .select('last_check_in_at')
          .where('id', '=', enrolled.deviceId)
          .executeTakeFirstOrThrow()
      ).last_check_in_at;
    const history = async () =>
      (
        await store.db
          .selectFrom('check_ins')
          .select('at')
          .where('device_id', '=', enrolled.deviceId)
          .execute()
      ).length;
    const enrolledSeen = await lastSeen();
    // Holding nothing, so each check-in delivers the configuration.
    now = new Date(now.getTime() + 10_000);
    expect(
      (await checkIn(timed, await authenticateDevice(timed, bearer), { revision: null })).s,
    ).toBe('c');
    expect(await history()).toBe(1);
    expect(await lastSeen()).toBe(enrolledSeen);
    now = new Date(now.getTime() + LAST_SEEN_RESOLUTION_MS);
    expect(
      (await checkIn(timed, await authenticateDevice(timed, bearer), { revision: null })).s,
    ).toBe('c');
    expect(await history()).toBe(2);
    expect(await lastSeen()).toBe(now.toISOString());
  });

  it('moves every device\'s "last seen" to its own newest check-in when a burst is written together', async () => {
    const devices = await Promise.all(
      ['seen-01', 'seen-02', 'seen-03'].map((name) => enrollLinux(fleet, token, name)),
    );
    const base = Date.parse('2031-06-01T00:00:00.000Z');
    const at = (i: number, k: number) => new Date(base + i * 60_000 + k * 1000).toISOString();
    const entry = (deviceId: string, when: string, lastSeen: boolean) => ({
      tenantId: devices[0]?.tenantId ?? '',
      deviceId,
      at: when,
      heldRevision: null,
      sentRevision: null,
      factsChanged: false,
      lastSeen,
    });
    // One burst: two check-ins each (the later one wins), and one that does not move last seen.
    await Promise.all([
      ...devices.flatMap((device, i) => [
        fleet.checkIns.record(entry(device.deviceId, at(i, 1), true)),
        fleet.checkIns.record(entry(device.deviceId, at(i, 0), true)),
      ]),
      fleet.checkIns.record(entry(devices[0]?.deviceId ?? '', at(9, 9), false)),
    ]);
    const rows = await store.db
      .selectFrom('devices')
      .select(['id', 'last_check_in_at'])
      .where(
        'id',
        'in',
        devices.map((device) => device.deviceId),
      )
      .execute();
    const seen = new Map(rows.map((row) => [row.id, row.last_check_in_at]));
    expect(devices.map((device) => seen.get(device.deviceId))).toEqual([
      at(0, 1),
      at(1, 1),
      at(2, 1),
    ]);
  });

  it('keeps a bounded check-in history: the newest entries, trimmed every few check-ins', async () => {
    const device = await authenticateDevice(fleet, `Bearer ${credential}`);
    const start = Date.parse('2030-01-01T00:00:00.000Z');
    const total = CHECK_IN_HISTORY * 2 + 7;
    for (let i = 0; i < total; i++) {
      await fleet.checkIns.record({
        tenantId: device.tenantId,
        deviceId: device.id,
        at: new Date(start + i * 1000).toISOString(),
        heldRevision: i,
        sentRevision: null,
        factsChanged: false,
        lastSeen: true,
      });
    }
    const rows = await store.db
      .selectFrom('check_ins')
      .select(['at', 'held_revision'])
      .where('device_id', '=', device.id)
      .orderBy('at', 'desc')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(CHECK_IN_HISTORY);
    expect(rows.length).toBeLessThan(CHECK_IN_HISTORY + TRIM_EVERY);
    expect(rows[0]?.held_revision).toBe(total - 1);
    const device2 = await store.db
      .selectFrom('devices')
      .select('last_check_in_at')
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(device2.last_check_in_at).toBe(new Date(start + (total - 1) * 1000).toISOString());
  });
});

/** Counts the store's transactions from now on (ordinary and relaxed). */
function countCommits(store: Store): () => number {
  let count = 0;
  const transaction = store.transaction.bind(store);
  const relaxed = store.relaxedTransaction.bind(store);
  const target = store as { -readonly [K in keyof Store]: Store[K] };
  target.transaction = (work) => {
    count++;
    return transaction(work);
  };
  target.relaxedTransaction = (work) => {
    count++;
    return relaxed(work);
  };
  return () => count;
}
