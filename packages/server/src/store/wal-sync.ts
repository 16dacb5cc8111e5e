/**
 * Durable SQLite commits without an fsync on the event loop's thread.
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside every COMMIT, and better-sqlite3 runs
 * that COMMIT on the event loop's thread: for the ~1 ms (often more) the disk takes, nothing else
 * runs — no request is parsed, no other answer written — and every commit waits in line for the
 * one before it. Here the connection runs with `synchronous = NORMAL` (a COMMIT appends its frames
 * to the WAL and returns) and a durable commit is acknowledged only once an fsync of the WAL file,
 * begun after that COMMIT, has finished on libuv's thread pool. The guarantee is FULL's: the WAL
 * holds the commit's frames, checksummed, and the fsync puts them on the disk; SQLite's own
 * checkpoints still sync the WAL before copying it and the database file after.
 *
 * Commits that arrive while an fsync runs share the next one (its start is after their COMMIT),
 * so under load one fsync serves a whole burst of transactions, and the thread that parses
 * requests never waits for the disk.
 */
import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WalSyncOptions {
  /** Syncs a file descriptor's data to the disk (node's `fs.fdatasync` unless told otherwise). */
  readonly syncFile?: (fd: number, done: (error: Error | null) => void) => void;
}

/** Told the seconds each finished fsync took (the disk's share of a durable commit). */
export type SyncObserver = (seconds: number) => void;

export class WalSync {
  readonly #walPath: string;
  readonly #syncFile: (fd: number, done: (error: Error | null) => void) => void;
  #fd: number | null = null;
  /** The fsync under way, if any. */
  #running: Promise<void> | null = null;
  /** The fsync that starts once the running one ends (for commits made while it runs). */
  #queued: Promise<void> | null = null;
  #completed = 0;
  #closed = false;
  readonly #observers = new Set<SyncObserver>();

  /** `databasePath` is the SQLite file; its WAL is `<databasePath>-wal`. */
  constructor(databasePath: string, options: WalSyncOptions = {}) {
    this.#walPath = `${databasePath}-wal`;
    this.#syncFile = options.syncFile ?? fdatasync;
  }

  /** Calls `observer` after each finished fsync; returns a function that stops it. */
  observe(observer: SyncObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Finished fsyncs so far (for metrics and tests). */
  get completed(): number {
    return this.#completed;
  }

  /**
   * Resolves once everything committed before this call is on the disk: an fsync that starts
   * after the call has finished. Rejects when the fsync fails (the commit then is not durable, and
   * whoever waits must not acknowledge it).
   */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    if (!this.#running) return this.#start();
    // The running fsync may have begun before the caller's commit: wait for the next one.
    this.#queued ??= this.#running.then(
      () => this.#startQueued(),
      () => this.#startQueued(),
    );
    return this.#queued;
  }

  /** Closes the WAL's descriptor (the store is closing; later calls reject). */
  close(): void {
    this.#closed = true;
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }

  #startQueued(): Promise<void> {
    this.#queued = null;
    return this.#start();
  }

  #start(): Promise<void> {
    const running = new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        fd = this.#descriptor();
      } catch (error) {
        reject(error);
        return;
      }
      const started = performance.now();
      this.#syncFile(fd, (error) => {
        if (error) reject(new Error(`could not sync the database's WAL: ${error.message}`));
        else {
          this.#completed += 1;
          const seconds = (performance.now() - started) / 1000;
          for (const observer of this.#observers) observer(seconds);
          resolve();
        }
      });
    });
    this.#running = running;
    const clear = () => {
      if (this.#running === running) this.#running = null;
    };
    running.then(clear, clear);
    return running;
  }

  /**
   * The WAL's descriptor, opened on first use (SQLite creates the file with the first write and
   * keeps it, truncated at most, while the database is open). The first time, the directory is
   * synced too, so the new file's name is on the disk as well as its content.
   */
  #descriptor(): number {
    if (this.#closed) throw new Error('the store is closed');
    if (this.#fd === null) {
      this.#fd = openSync(this.#walPath, 'r');
      const directory = openSync(dirname(this.#walPath), 'r');
      try {
        syncDirectory(directory);
      } finally {
        closeSync(directory);
      }
    }
    return this.#fd;
  }
}

function syncDirectory(fd: number): void {
  // Once per store, at its first durable commit: a synchronous call is fine here.
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the file's own syncs still hold.
  }
}
