import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { systemPart } from '../../../../testing/system.js';
import { MemoryPushHub } from './memory-push-hub.js';
import { chunkNotices, NOTIFY_PAYLOAD_LIMIT, PostgresPushHub } from './postgres-push-hub.js';
import type { PushEvent, PushHub } from './push-hub.js';

const PG_URL = process.env.PALISADE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
const hasPostgres = await postgresAnswers();

/** Waits until `predicate` holds, polling; the contract is "soon", not "at once". */
async function eventually(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

/** One contract, every implementation: two hubs stand for two server processes. */
function pushHubContract(name: string, open: () => Promise<[PushHub, PushHub]>) {
  describe(`${name} push hub`, () => {
    let hubs: PushHub[] = [];
    afterEach(async () => {
      await Promise.all(hubs.map((hub) => hub.close()));
      hubs = [];
    });
    const both = async () => {
      hubs = await open();
      return hubs as [PushHub, PushHub];
    };

    it('delivers a notice to the listeners of the named devices only', async () => {
      const [a, b] = await both();
      const heard: string[] = [];
      b.subscribe('device-1', (event) => heard.push(`1:${event.kind}`));
      b.subscribe('device-2', (event) => heard.push(`2:${event.kind}`));
      b.subscribe('device-3', (event) => heard.push(`3:${event.kind}`));
      await a.publish('tenant-1', ['device-1', 'device-3'], { kind: 'revision' });
      await eventually(() => heard.length === 2, 'two deliveries');
      expect(heard.sort()).toEqual(['1:revision', '3:revision']);
    });

    it('carries the sync request id', async () => {
      const [a, b] = await both();
      const heard: PushEvent[] = [];
      b.subscribe('device-1', (event) => heard.push(event));
      await a.publish('tenant-1', ['device-1'], { kind: 'sync', syncRequestId: 'sync-42' });
      await eventually(() => heard.length === 1, 'the sync notice');
      expect(heard[0]).toEqual({ kind: 'sync', syncRequestId: 'sync-42' });
    });

    it('stops delivering after unsubscribe and counts listeners', async () => {
      const [a, b] = await both();
      const heard: string[] = [];
      const stop = b.subscribe('device-1', () => heard.push('x'));
      const stop2 = b.subscribe('device-1', () => heard.push('y'));
      expect(b.listenerCount).toBe(2);
      stop();
      stop();
      expect(b.listenerCount).toBe(1);
      await a.publish('tenant-1', ['device-1'], { kind: 'revision' });
      await eventually(() => heard.length === 1, 'one delivery');
      expect(heard).toEqual(['y']);
      stop2();
      expect(b.listenerCount).toBe(0);
    });

    it('delivers tenant-wide cache notices to tenant listeners', async () => {
      const [a, b] = await both();
      const heard: string[] = [];
      b.subscribeTenants((tenantId, event) => heard.push(`${tenantId}:${event.kind}`));
      await a.publish('tenant-9', [], { kind: 'caches' });
      await eventually(() => heard.length === 1, 'the cache notice');
      expect(heard).toEqual(['tenant-9:caches']);
    });

    it('delivers a notice naming thousands of devices', async () => {
      const [a, b] = await both();
      const ids = Array.from({ length: 3_000 }, () => randomUUID());
      const heard = new Set<string>();
      for (const id of ids) b.subscribe(id, () => heard.add(id));
      await a.publish('tenant-1', ids, { kind: 'revision' });
      await eventually(() => heard.size === ids.length, 'every device hears');
    });

    it('delivers notices published all at once, each in the order published', async () => {
      const [a, b] = await both();
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.message);
      process.on('warning', onWarning);
      try {
        const heard: string[] = [];
        b.subscribe('device-1', (event) => {
          if (event.kind === 'sync') heard.push(event.syncRequestId);
        });
        const ids = Array.from({ length: 50 }, (_, n) => `sync-${n}`);
        // As many afterCommit hooks publish at once (a burst of enrollments or check-ins).
        await Promise.all(
          ids.map((syncRequestId) =>
            a.publish('tenant-1', ['device-1'], { kind: 'sync', syncRequestId }),
          ),
        );
        await eventually(() => heard.length === ids.length, 'every notice');
        expect(heard).toEqual(ids);
        // Warnings are emitted on the next tick: give them one.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('isolates a listener that throws', async () => {
      const [a, b] = await both();
      let heard = 0;
      b.subscribe('device-1', () => {
        throw new Error('closed stream');
      });
      b.subscribe('device-1', () => {
        heard++;
      });
      await a.publish('tenant-1', ['device-1'], { kind: 'revision' });
      await eventually(() => heard === 1, 'the healthy listener hears');
    });
  });
}

describe('chunkNotices', () => {
  it('keeps every payload under the NOTIFY limit and loses no device id', () => {
    const ids = Array.from({ length: 1_000 }, () => randomUUID());
    const payloads = chunkNotices('tenant-1', ids, { kind: 'revision' });
    expect(payloads.length).toBeGreaterThan(1);
    const seen: string[] = [];
    for (const payload of payloads) {
      expect(Buffer.byteLength(payload)).toBeLessThan(NOTIFY_PAYLOAD_LIMIT);
      seen.push(...(JSON.parse(payload) as { d: string[] }).d);
    }
    expect(seen).toEqual(ids);
  });
});

pushHubContract('in-memory', async () => {
  // In-memory is one process: both "processes" are the same hub.
  const hub = new MemoryPushHub();
  return [hub, hub];
});

if (
  systemPart('PostgreSQL', hasPostgres, 'start PostgreSQL on 127.0.0.1:5432 with database test')
) {
  describe('PostgreSQL push hub after a lost connection', () => {
    it('reconnects, tells its listeners to re-check, and delivers notices again', async () => {
      const channel = `palisade_test_${randomUUID().replaceAll('-', '')}`;
      const name = `hub_${randomUUID().slice(0, 8)}`;
      const errors: Error[] = [];
      const a = await PostgresPushHub.start({ connection: { connectionString: PG_URL }, channel });
      const b = await PostgresPushHub.start({
        connection: { connectionString: PG_URL, application_name: name },
        channel,
        onError: (error) => errors.push(error),
      });
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        const heard: string[] = [];
        b.subscribe('device-1', (event) => heard.push(event.kind));
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [name],
        );
        // After reconnecting, every listener is told to re-check (notices may have been lost).
        await eventually(() => heard.includes('revision'), 'the re-check after reconnecting');
        expect(errors.length).toBeGreaterThan(0);
        heard.length = 0;
        await a.publish('tenant-1', ['device-1'], { kind: 'sync', syncRequestId: 's-1' });
        await eventually(() => heard.includes('sync'), 'a notice after reconnecting');
      } finally {
        await admin.end();
        await a.close();
        await b.close();
      }
    });
  });

  pushHubContract('PostgreSQL', async () => {
    const channel = `palisade_test_${randomUUID().replaceAll('-', '')}`;
    const connection = { connectionString: PG_URL };
    return [
      await PostgresPushHub.start({ connection, channel }),
      await PostgresPushHub.start({ connection, channel }),
    ];
  });
}
