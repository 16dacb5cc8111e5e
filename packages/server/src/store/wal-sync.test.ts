/**
 * WalSync: a durable commit is answered only after an fsync of the WAL that began after it, and
 * commits made while an fsync runs share the next one. The fsyncs here are real (a temporary
 * file); the tests only hold each one open until they let it finish, to see who waits for which.
 */
import { fdatasync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { WalSync } from './wal-sync.js';

const directory = mkdtempSync(join(tmpdir(), 'palisade-wal-sync-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A WAL file, and a WalSync whose fsyncs start for real but finish only when released. */
function heldSync(name: string, fail?: Error) {
  const database = join(directory, name);
  writeFileSync(`${database}-wal`, 'frames');
  const started: Array<() => void> = [];
  const sync = new WalSync(database, {
    syncFile: (fd, done) =>
      fdatasync(fd, (error) => {
        started.push(() => done(fail ?? error));
      }),
  });
  const releaseNext = async () => {
    while (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    started.shift()?.();
  };
  return { sync, started, releaseNext };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
};

it('answers a commit after an fsync that began after it; later commits share the next one', async () => {
  const { sync, releaseNext } = heldSync('shared.db');
  const first = sync.sync();
  // Both arrive while the first fsync runs: it may have begun before their commits.
  const second = sync.sync();
  const third = sync.sync();
  expect(second).toBe(third);
  await releaseNext();
  await first;
  expect(await settled(second)).toBe(false);
  await releaseNext();
  await Promise.all([second, third]);
  expect(sync.completed).toBe(2);
  // Nothing running: the next commit starts its own fsync at once.
  const fourth = sync.sync();
  await releaseNext();
  await fourth;
  expect(sync.completed).toBe(3);
  sync.close();
});

it('rejects the commits an fsync was for when it fails, and goes on afterwards', async () => {
  const failing = heldSync('failing.db', new Error('EIO: i/o error'));
  const waiting = failing.sync.sync();
  await failing.releaseNext();
  await expect(waiting).rejects.toThrow("could not sync the database's WAL: EIO: i/o error");
  failing.sync.close();

  const { sync, releaseNext } = heldSync('after-failure.db');
  const first = sync.sync();
  const queued = sync.sync();
  await releaseNext();
  await first;
  await releaseNext();
  await queued;
  expect(sync.completed).toBe(2);
  sync.close();
});

it('refuses to sync once closed, and says what is missing when there is no WAL', async () => {
  const { sync } = heldSync('closed.db');
  sync.close();
  await expect(sync.sync()).rejects.toThrow('the store is closed');
  const missing = new WalSync(join(directory, 'no-such.db'));
  await expect(missing.sync()).rejects.toThrow(/ENOENT/);
  missing.close();
});
