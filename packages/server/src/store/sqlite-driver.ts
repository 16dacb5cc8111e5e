/**
 * SQLite access through kysely with a fair connection lock.
 *
 * A SQLite store has one connection (better-sqlite3 is synchronous), so every query waits its turn
 * for it. Kysely 0.28's SqliteDriver guards it with a mutex whose release wakes *every* waiting
 * query, each of which re-checks and goes back to sleep but one: under load (hundreds of check-ins
 * queued) the cost is quadratic in the queue length and was the top cost in the check-in benchmark.
 * Here the connection is handed over through a FIFO queue instead: a release wakes exactly the
 * next waiter, in the order they asked. Measured (in-memory database, N `select` queries issued at
 * once, 2 shared cores): N = 500 took 27.5 ms with kysely's mutex and 4.5 ms here; N = 2,000
 * 253 ms vs 27 ms; N = 5,000 1,184 ms vs 66 ms (kysely's grows with N², this one with N).
 *
 * Everything else (begin/commit/rollback, savepoints, streaming, how statements are prepared, so
 * the store's statement cache) stays kysely's own: the driver below only puts the queue in front of
 * kysely's mutex, which is then never contended (one holder at a time reaches it).
 */
import {
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * A lock handed over in first-come order: `lock()` resolves when the caller holds it, `unlock()`
 * passes it straight to the longest waiter (waking that one only) or frees it when none waits.
 */
export class ConnectionQueue {
  #held = false;
  /** Waiters from `#head` on; the consumed prefix is dropped in batches (no O(n) shift each time). */
  #waiters: Array<() => void> = [];
  #head = 0;

  /** Resolves once the caller holds the lock. */
  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  /** Hands the lock to the next waiter (it stays held), or frees it when nobody waits. */
  unlock(): void {
    if (!this.#held) throw new Error('ConnectionQueue.unlock: the lock is not held');
    if (this.#head === this.#waiters.length) {
      this.#held = false;
      return;
    }
    const next = this.#waiters[this.#head] as () => void;
    this.#head += 1;
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
    next();
  }

  /** Queries waiting for the connection (not counting the holder). */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  get held(): boolean {
    return this.#held;
  }
}

export interface FairSqliteDialectConfig extends SqliteDialectConfig {
  /**
   * Called as the connection is handed on; a promise it returns is awaited before the holder's
   * query settles (the store uses it to answer an autocommit write once it is durable, without
   * holding the connection meanwhile).
   */
  readonly afterRelease?: () => Promise<void> | undefined;
}

/** Kysely's SqliteDriver with the single connection handed out through a {@link ConnectionQueue}. */
export class FairSqliteDriver extends SqliteDriver implements Driver {
  readonly #queue = new ConnectionQueue();
  readonly #afterRelease: (() => Promise<void> | undefined) | undefined;

  constructor(config: FairSqliteDialectConfig) {
    super(config);
    this.#afterRelease = config.afterRelease;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.lock();
    try {
      // Only the queue's holder gets here, so kysely's own mutex is free and returns at once.
      return await super.acquireConnection();
    } catch (error) {
      this.#queue.unlock();
      throw error;
    }
  }

  override async releaseConnection(): Promise<void> {
    // Free kysely's mutex first (synchronously), then hand the connection to the next in line.
    try {
      await super.releaseConnection();
    } finally {
      this.#queue.unlock();
    }
    const pending = this.#afterRelease?.();
    if (pending) await pending;
  }
}

/** Kysely's SqliteDialect (same compiler, adapter, introspector) on the {@link FairSqliteDriver}. */
export class FairSqliteDialect extends SqliteDialect {
  readonly #config: FairSqliteDialectConfig;

  constructor(config: FairSqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new FairSqliteDriver(this.#config);
  }
}
