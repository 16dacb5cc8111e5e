import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionQueue, FairSqliteDialect } from './sqlite-driver.js';

/** Lets every pending promise callback run (a macrotask turn comes after all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConnectionQueue', () => {
  it('hands the lock over in the order it was asked for', async () => {
    const queue = new ConnectionQueue();
    const order: number[] = [];
    await queue.lock();
    const waiters = [1, 2, 3, 4].map((n) =>
      queue.lock().then(() => {
        order.push(n);
      }),
    );
    for (let released = 0; released < 4; released += 1) {
      queue.unlock();
      await settle();
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(queue.held).toBe(true);
    queue.unlock();
    expect(queue.held).toBe(false);
  });

  it('wakes exactly one waiter per release', async () => {
    const queue = new ConnectionQueue();
    let woken = 0;
    await queue.lock();
    const waiters = Array.from({ length: 5 }, () =>
      queue.lock().then(() => {
        woken += 1;
      }),
    );
    await settle();
    expect(woken).toBe(0);
    expect(queue.waiting).toBe(5);
    for (let released = 1; released <= 5; released += 1) {
      queue.unlock();
      await settle();
      expect(woken).toBe(released);
      expect(queue.waiting).toBe(5 - released);
    }
    await Promise.all(waiters);
    queue.unlock();
    expect(queue.held).toBe(false);
  });

  it('keeps the order across many waiters (the consumed part of the queue is dropped)', async () => {
    const queue = new ConnectionQueue();
    const order: number[] = [];
    await queue.lock();
    const count = 3000;
    const waiters = Array.from({ length: count }, (_, n) =>
      queue.lock().then(() => {
        order.push(n);
        queue.unlock();
      }),
    );
    queue.unlock();
    await Promise.all(waiters);
    expect(order).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(queue.held).toBe(false);
  });

  it('refuses an unlock when nobody holds the lock', () => {
    expect(() => new ConnectionQueue().unlock()).toThrow(/not held/);
  });
});

describe('FairSqliteDialect', () => {
  let db: Kysely<{ item: { id: number; name: string } }> | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  async function open() {
    db = new Kysely({
      dialect: new FairSqliteDialect({ database: new SqliteDatabase(':memory:') }),
    });
    await sql`create table item (id integer primary key, name text not null unique)`.execute(db);
    return db;
  }

  it('runs concurrent queries one at a time in the order they were issued', async () => {
    const kysely = await open();
    const inserts = Array.from({ length: 50 }, (_, n) =>
      kysely
        .insertInto('item')
        .values({ id: n, name: `item-${n}` })
        .execute(),
    );
    await Promise.all(inserts);
    const rows = await kysely.selectFrom('item').select('id').orderBy('id').execute();
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 50 }, (_, n) => n));
  });

  it('releases the connection when a query fails', async () => {
    const kysely = await open();
    await kysely.insertInto('item').values({ id: 1, name: 'a' }).execute();
    const results = await Promise.allSettled([
      kysely.insertInto('item').values({ id: 2, name: 'a' }).execute(),
      kysely.insertInto('item').values({ id: 3, name: 'b' }).execute(),
    ]);
    expect(results[0]?.status).toBe('rejected');
    expect(results[1]?.status).toBe('fulfilled');
    const rows = await kysely.selectFrom('item').select('name').orderBy('id').execute();
    expect(rows.map((row) => row.name)).toEqual(['a', 'b']);
  });

  it('rolls back a failed transaction, releases the connection, and keeps savepoints', async () => {
    const kysely = await open();
    const failing = kysely.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ id: 1, name: 'lost' }).execute();
      throw new Error('work failed');
    });
    const after = kysely.insertInto('item').values({ id: 2, name: 'kept' }).execute();
    await expect(failing).rejects.toThrow('work failed');
    await after;

    const trx = await kysely.startTransaction().execute();
    await trx.insertInto('item').values({ id: 3, name: 'before savepoint' }).execute();
    const savepoint = await trx.savepoint('inner').execute();
    await savepoint.insertInto('item').values({ id: 4, name: 'undone' }).execute();
    await savepoint.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();

    const rows = await kysely.selectFrom('item').select('name').orderBy('id').execute();
    expect(rows.map((row) => row.name)).toEqual(['kept', 'before savepoint']);
  });

  it('streams a select and frees the connection when the stream ends', async () => {
    const kysely = await open();
    await kysely
      .insertInto('item')
      .values([1, 2, 3].map((id) => ({ id, name: `item-${id}` })))
      .execute();
    const ids: number[] = [];
    for await (const row of kysely.selectFrom('item').select('id').orderBy('id').stream()) {
      ids.push(row.id);
    }
    expect(ids).toEqual([1, 2, 3]);
    expect(await kysely.selectFrom('item').select('id').execute()).toHaveLength(3);
  });
});
