/**
 * The SQLite store checkpoints its WAL on a worker thread: the store's own connection never does
 * (`wal_autocheckpoint` 0), yet what is written reaches the database file within a moment, and
 * closing the store waits for the worker's last checkpoint.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { openStore } from './store.js';
import { CHECKPOINT_INTERVAL_MS, CHECKPOINT_THRESHOLD_BYTES } from './wal-checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('checkpoints the WAL beside the event loop, never inside a commit', async () => {
  const file = join(dir, 'wal.sqlite');
  const store = await openStore(file);
  const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
    store.db,
  );
  expect(auto.rows[0]?.wal_autocheckpoint).toBe(0);
  await sql`create table filler (id integer primary key, v text)`.execute(store.db);
  const before = statSync(file).size;
  // Past the threshold: enough rows of 4 KB to grow the WAL beyond it.
  const rows = Math.ceil(CHECKPOINT_THRESHOLD_BYTES / 4000) + 500;
  await store.transaction(async (trx) => {
    for (let i = 0; i < rows; i++) {
      await sql`insert into filler (v) values (${'x'.repeat(4000)})`.execute(trx);
    }
  });
  // The commit wrote the WAL only; the worker copies it into the database file shortly after.
  const deadline = Date.now() + CHECKPOINT_INTERVAL_MS * 10;
  while (statSync(file).size < before + rows * 4000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(statSync(file).size).toBeGreaterThanOrEqual(before + rows * 4000);
  await store.close();
});
