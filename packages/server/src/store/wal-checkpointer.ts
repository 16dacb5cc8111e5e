/**
 * SQLite WAL checkpoints on a worker thread. A checkpoint copies the WAL's pages into the database
 * file and syncs it; left to SQLite (`wal_autocheckpoint`), it runs inside whichever commit
 * crosses the threshold, on the event loop's thread: that request (a facts change, a report
 * batch) waits for it, and every request queued behind the store's one connection with it. Here
 * the store's connection never checkpoints (`wal_autocheckpoint = 0`); a worker thread holds a
 * second connection to the same file and runs a PASSIVE checkpoint (which never blocks the writer
 * or readers) whenever the WAL has grown past 32 MB, looking every half second, so the copy and
 * its fsync happen beside the event loop.
 *
 * If the worker cannot start, the connection goes back to SQLite's own automatic checkpoints.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker looks at the WAL (ms)… */
export const CHECKPOINT_INTERVAL_MS = 500;
/** …and checkpoints once it has grown past this (bytes; ~8,000 pages of 4 KiB). */
export const CHECKPOINT_THRESHOLD_BYTES = 32 * 1024 * 1024;

// The worker's whole program: open the file, checkpoint on a timer, stop when told.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const { statSync } = require('node:fs');
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
};
// Only once the WAL has grown: a page written again and again is then copied once, not on
// every tick (the same trade as SQLite's own threshold, without the wait on the event loop).
const timer = setInterval(() => {
  if (walSize() >= workerData.thresholdBytes) checkpoint();
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` on a worker thread and turns the connection's own automatic
 * checkpoints off; returns null (automatic checkpoints kept) for an in-memory database or when
 * the worker cannot start.
 */
export function startWalCheckpointer(
  database: SqliteDatabase.Database,
  path: string,
  onProblem: (message: string) => void = (message) => process.emitWarning(message),
): WalCheckpointer | null {
  if (path === ':memory:' || database.memory) return null;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: CHECKPOINT_INTERVAL_MS,
        thresholdBytes: CHECKPOINT_THRESHOLD_BYTES,
      },
    });
  } catch (error) {
    onProblem(`WAL checkpoint worker did not start: ${String(error)}`);
    return null;
  }
  database.pragma('wal_autocheckpoint = 0');
  worker.on('message', (message) => onProblem(`WAL checkpoint: ${String(message)}`));
  worker.on('error', (error) => {
    onProblem(`WAL checkpoint worker failed: ${error.message}`);
    // Nobody checkpoints any more: SQLite's automatic checkpoints take over again.
    if (database.open) database.pragma('wal_autocheckpoint = 1000');
  });
  worker.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        // Referenced again while it finishes: a process closing its store waits for the last
        // checkpoint instead of exiting under it.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
