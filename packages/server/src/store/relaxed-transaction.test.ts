/**
 * Store.relaxedTransaction: all or nothing like any transaction, answered without waiting for the
 * disk; on SQLite ordinary commits and autocommit writes are answered after a WAL fsync.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../test/stores.js';
import { createTenant } from '../services/tenants.js';
import type { Store } from './store.js';

describeEachStore('relaxed transaction', (target) => {
  let store: Store;
  let tenantId: string;

  beforeAll(async () => {
    store = await target.openStore();
    const now = new Date();
    tenantId = (await store.transaction((trx) => createTenant(trx, { name: 'Relaxed', now }))).id;
  });

  const insertToken = (db: Store['db'], id: string) =>
    db
      .insertInto('onboarding_tokens')
      .values({
        id,
        tenant_id: tenantId,
        description: 'relaxed',
        token_hash: id,
        token_hint: id.slice(0, 8),
        created_by: null,
        created_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        revoked_at: null,
      })
      .execute();
  const exists = async (id: string) =>
    (await store.db
      .selectFrom('onboarding_tokens')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst()) !== undefined;

  it('commits all of its work', async () => {
    const id = randomUUID();
    await store.relaxedTransaction((trx) => insertToken(trx, id));
    expect(await exists(id)).toBe(true);
  });

  it('writes none of it when the work fails', async () => {
    const id = randomUUID();
    await expect(
      store.relaxedTransaction(async (trx) => {
        await insertToken(trx, id);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await exists(id)).toBe(false);
  });

  it('is not waited on for the disk, where ordinary commits and autocommit writes are (SQLite)', async () => {
    if (store.dialect !== 'sqlite') return;
    const before = store.durableCommits();
    const timed: number[] = [];
    const stop = store.observeDurableCommits((seconds) => timed.push(seconds));
    await store.relaxedTransaction((trx) => insertToken(trx, randomUUID()));
    expect(store.durableCommits()).toBe(before);
    // A durable transaction is answered after a WAL fsync that began after its commit…
    await store.transaction((trx) => insertToken(trx, randomUUID()));
    expect(store.durableCommits()).toBe(before + 1);
    // …and so is a write made outside any transaction…
    await insertToken(store.db, randomUUID());
    expect(store.durableCommits()).toBe(before + 2);
    // …but not a read.
    await exists(randomUUID());
    expect(store.durableCommits()).toBe(before + 2);
    // Each fsync's time is told to observers (the server's palisade_store_wal_sync_seconds).
    stop();
    expect(timed).toHaveLength(2);
    expect(timed.every((seconds) => seconds >= 0 && seconds < 60)).toBe(true);
    // The connection never waits for the disk inside COMMIT (the fsync runs on the thread pool).
    expect(
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db)).rows[0]
        ?.synchronous,
    ).toBe(1);
  });
});
