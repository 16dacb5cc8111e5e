/**
 * The SQLite store checkpoints its WAL on a worker thread: the store's own connection never does
 * (`wal_autocheckpoint` 0), yet what is written reaches the database file within a moment, and
 * closing the store waits for the worker's last checkpoint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

it('keeps the WAL bounded under a steady stream of commits', async () => {
  // Small limits so a few megabytes show what 5 GB once showed: a checkpoint beside a writer that
  // never pauses leaves frames behind every time, and SQLite starts the WAL over only once a
  // write finds every frame copied. The store finishes the copy itself between transactions.
  const file = join(dir, 'stream.sqlite');
  const limits = { intervalMs: 20, thresholdBytes: 256 * 1024, limitBytes: 1024 * 1024 };
  const store = await openStore(file, { walCheckpoint: limits });
  await sql`create table filler (id integer primary key, v text)`.execute(store.db);
  let largest = 0;
  const started = Date.now();
  // ~40 MB in commits of 40 KB, one after the other (each waits for its fsync, as requests do).
  for (let i = 0; i < 1_000; i++) {
    await store.transaction(async (trx) => {
      for (let j = 0; j < 10; j++) {
        await sql`insert into filler (v) values (${'x'.repeat(4000)})`.execute(trx);
      }
    });
    largest = Math.max(largest, statSync(`${file}-wal`).size);
  }
  const seconds = (Date.now() - started) / 1000;
  // Bounded: a few times the limit, not the ~40 MB written (what the WAL grew to before).
  expect(largest, `largest WAL ${largest} bytes over ${seconds} s`).toBeLessThan(12 * 1024 * 1024);
  await store.close();
});

it('a process with nothing but its writes waits for a copy the store holds its connection for', () => {
  // A command-line tool writing a steady stream: when the store holds its connection for the
  // worker's copy, nothing else keeps the process alive but the worker. Unreferenced, the process
  // exited mid-stream (status 13: its own query never answered).
  const store = join(dirname(fileURLToPath(import.meta.url)), '../../dist/store/store.js');
  const file = join(dir, 'tool.sqlite');
  const program = `
    const { openStore } = await import(${JSON.stringify(store)});
    const limits = { intervalMs: 20, thresholdBytes: 256 * 1024, limitBytes: 1024 * 1024 };
    const store = await openStore(${JSON.stringify(file)}, { walCheckpoint: limits });
    await store.db.schema.createTable('filler').addColumn('v', 'text').execute();
    const started = Date.now();
    let commits = 0;
    while (Date.now() - started < 1500) {
      await store.relaxedTransaction(async (trx) => {
        for (let i = 0; i < 30; i++) {
          await trx.insertInto('filler').values({ v: 'x'.repeat(4000) }).execute();
        }
      });
      commits += 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await store.close();
    console.log(JSON.stringify({ commits }));
  `;
  const script = join(dir, 'tool.mjs');
  writeFileSync(script, program);
  const output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  expect(JSON.parse(output).commits).toBeGreaterThan(0);
});
