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
 * A checkpoint beside a busy writer does not let the WAL start over: SQLite starts it over only
 * when a write transaction begins with every frame already copied, and under a steady stream of
 * commits (an enrollment burst) frames written after the worker's checkpoint are always there
 * when the next one begins. The file grew without end (5 GB while enrolling 100,000 machines).
 * So once the WAL holds more than {@link WAL_LIMIT_BYTES} since it last started over, the worker
 * says so, the store holds its connection between two transactions (`betweenTransactions`: the
 * event loop goes on, queries wait their turn) while the worker copies the remainder, and the
 * next write, finding every frame copied, starts the WAL over (`journal_size_limit` then cuts the
 * file back). That copy is what was written since the worker's previous checkpoint; copying it on
 * the event loop instead took 45–85 ms each time while 10,000 agents checked in.
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
/** A WAL holding more than this since it last started over is finished by the store's connection. */
export const WAL_LIMIT_BYTES = 4 * CHECKPOINT_THRESHOLD_BYTES;

// The worker's whole program: open the file, checkpoint on a timer, stop when told.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const { statSync } = require('node:fs');
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
const frameBytes = db.pragma('page_size', { simple: true }) + 24;
// The checkpoint's result: the frames the WAL holds since it last started over (log), copied.
const passive = () => {
  try { return db.pragma('wal_checkpoint(PASSIVE)')[0]; } catch (error) { parentPort.postMessage(String(error)); }
};
const checkpoint = () => {
  const result = passive();
  // Past the limit, the WAL is not starting over: say so.
  if (result && result.log * frameBytes >= workerData.limitBytes) {
    parentPort.postMessage({ behind: result.log });
  }
};
// Asked while the store holds its connection between transactions: copy what is left.
const finish = () => {
  passive();
  parentPort.postMessage({ finished: true });
};
// Only once the WAL has grown: a page written again and again is then copied once, not on
// every tick (the same trade as SQLite's own threshold, without the wait on the event loop).
const timer = setInterval(() => {
  if (walSize() >= workerData.thresholdBytes) checkpoint();
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'finish') return finish();
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** When the worker looks and when it acts (the defaults are the constants above). */
export interface WalCheckpointLimits {
  readonly intervalMs?: number;
  readonly thresholdBytes?: number;
  readonly limitBytes?: number;
}

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
  options: WalCheckpointLimits & {
    /**
     * Runs `work` while the store's connection is held between two transactions (nothing is
     * written meanwhile); resolves when it has.
     */
    readonly betweenTransactions: (work: () => Promise<void>) => Promise<void>;
    readonly onProblem?: (message: string) => void;
  },
): WalCheckpointer | null {
  const onProblem = options.onProblem ?? ((message: string) => process.emitWarning(message));
  if (path === ':memory:' || database.memory) return null;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
        thresholdBytes: options.thresholdBytes ?? CHECKPOINT_THRESHOLD_BYTES,
        limitBytes: options.limitBytes ?? WAL_LIMIT_BYTES,
      },
    });
  } catch (error) {
    onProblem(`WAL checkpoint worker did not start: ${String(error)}`);
    return null;
  }
  database.pragma('wal_autocheckpoint = 0');
  let finished: (() => void) | undefined;
  let finishing = false;
  // Referenced while it copies for a held connection: a process with nothing else to do (a
  // command-line tool) waits for the answer instead of exiting under its own query.
  const finishOnWorker = () =>
    new Promise<void>((resolve) => {
      worker.ref();
      finished = () => {
        worker.unref();
        resolve();
      };
      worker.postMessage('finish');
    });
  worker.on('message', (message: unknown) => {
    if (typeof message !== 'object' || message === null) {
      onProblem(`WAL checkpoint: ${String(message)}`);
    } else if ('finished' in message) {
      finished?.();
      finished = undefined;
    } else if ('behind' in message && !finishing) {
      finishing = true;
      options
        .betweenTransactions(finishOnWorker)
        .catch((error: unknown) => onProblem(`WAL checkpoint: ${String(error)}`))
        .finally(() => {
          finishing = false;
        });
    }
  });
  worker.on('error', (error) => {
    onProblem(`WAL checkpoint worker failed: ${error.message}`);
    // A finish it was asked for will not come: let the store's connection go.
    finished?.();
    finished = undefined;
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
