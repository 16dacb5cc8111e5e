/**
 * The storage port: one Kysely instance over SQLite (embedded, a file in WAL mode) or PostgreSQL
 * (several stateless server processes on one database). Everything above this file speaks Kysely
 * and never asks which engine it runs on, except where SQL really differs (the `dialect` field).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type SqliteDatabase as KyselySqliteDatabase, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { runMigrations } from './migrate.js';
import type { Database } from './schema.js';
import { FairSqliteDialect } from './sqlite-driver.js';
import { startWalCheckpointer, type WalCheckpointLimits } from './wal-checkpointer.js';
import { WalSync } from './wal-sync.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Runs `work` in one transaction: all of it is written, or none of it. */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * The same, but its commit does not wait for the disk (SQLite: no WAL fsync awaited,
   * PostgreSQL `synchronous_commit = off`): still all or nothing, and it survives the process
   * being killed, but a power loss may forget it. For what is not a promise to anyone (the
   * check-in history); it becomes durable with the next ordinary commit.
   */
  relaxedTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** SQLite: the WAL fsyncs that have made commits durable so far (0 on PostgreSQL). */
  durableCommits(): number;
  /**
   * SQLite: calls `observer` with the seconds each of those fsyncs took (what the disk adds to a
   * durable commit); returns a function that stops it. PostgreSQL: never called.
   */
  observeDurableCommits(observer: (seconds: number) => void): () => void;
  /** Answers whether the database is reachable (for /healthz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema to use (`search_path`), e.g. one per test run. */
  readonly searchPath?: string;
  /** PostgreSQL only: pool size (default 10). */
  readonly poolSize?: number;
  /** Run the migrations (default true). */
  readonly migrate?: boolean;
  /** SQLite only: the WAL checkpointer's thresholds (tests use small ones; see wal-checkpointer.ts). */
  readonly walCheckpoint?: WalCheckpointLimits;
}

/**
 * Opens the store named by `url`: `postgres://…` / `postgresql://…` for PostgreSQL, otherwise a
 * SQLite file path (optionally `sqlite:` prefixed; `:memory:` for a throw-away database). Runs the
 * versioned migrations before returning.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(url)) {
    const store = openPostgres(url, options);
    if (options.migrate !== false) await migrateOrClose(store, () => migrate(store));
    return store;
  }
  const { store, database, durable } = openSqlite(url, options.walCheckpoint);
  if (options.migrate !== false) {
    // Kysely runs SQLite migrations without a transaction or a lock. Run them all inside one
    // IMMEDIATE transaction on the store's single connection instead: a process killed half-way
    // leaves nothing applied, and a process restarted while the old one still migrates waits for
    // it (busy_timeout), then finds every migration done. One process per SQLite file otherwise.
    await migrateOrClose(store, async () => {
      database.exec('BEGIN IMMEDIATE');
      try {
        await migrate(store);
        database.exec('COMMIT');
        await durable();
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    });
  }
  return store;
}

function migrate(store: Store): Promise<void> {
  return runMigrations(store.db as unknown as Kysely<unknown>, store.dialect);
}

async function migrateOrClose(store: Store, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await store.close();
    throw error;
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function openSqlite(
  url: string,
  limits: WalCheckpointLimits | undefined,
): {
  store: Store;
  database: SqliteDatabase.Database;
  durable: () => Promise<void>;
} {
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const database = new SqliteDatabase(path);
  // WAL lets readers run beside the one writer. A durable commit is acknowledged only after an
  // fsync of the WAL that began after it; that fsync runs on libuv's thread pool instead of
  // inside COMMIT on the event loop (synchronous=NORMAL + WalSync: see wal-sync.ts), which keeps
  // the guarantee of synchronous=FULL: no acknowledged write is lost to a crash or power loss.
  // A file system without shared memory refuses WAL: that database keeps SQLite's rollback
  // journal and fsyncs inside COMMIT (synchronous=FULL), with nothing for WalSync to sync.
  const wal = database.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  database.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  // After a checkpoint lets the WAL start over, a WAL grown past this is cut back to it.
  database.pragma('journal_size_limit = 67108864');
  // WAL checkpoints run on a worker thread, never inside a request's commit (wal-checkpointer.ts);
  // to let a busy WAL start over, the worker copies its remainder while no transaction runs.
  const checkpointer = startWalCheckpointer(database, path, {
    ...limits,
    betweenTransactions: (work) => db.connection().execute(() => work()),
  });
  const walSync = database.memory || !wal ? null : new WalSync(path);
  const durable = walSync ? () => walSync.sync() : () => Promise.resolve();
  const statements = withStatementCache(database);
  // Kysely's SQLite dialect with a FIFO connection lock (see sqlite-driver.ts); a write made
  // outside a transaction (autocommit) is answered once it is on the disk, like a transaction.
  const db = new Kysely<Database>({
    dialect: new FairSqliteDialect({
      database: statements,
      afterRelease: () => (statements.takeAutocommitWrite() ? durable() : undefined),
    }),
  });
  const store: Store = {
    db,
    dialect: 'sqlite',
    transaction: async (work) => {
      const result = await db.transaction().execute(work);
      await durable();
      return result;
    },
    // Committed (all or nothing, and it survives the process being killed) without waiting for
    // the WAL's fsync: the next durable commit's fsync carries it to the disk.
    relaxedTransaction: (work) => db.transaction().execute(work),
    durableCommits: () => walSync?.completed ?? 0,
    observeDurableCommits: (observer) => walSync?.observe(observer) ?? (() => {}),
    ping: async () => {
      try {
        database.prepare('select 1').get();
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
      walSync?.close();
    },
  };
  return { store, database, durable };
}

/** Distinct SQL texts kept prepared; `in (…)` lists of many lengths make the set open-ended. */
const STATEMENT_CACHE_SIZE = 1000;

interface CachedStatements extends KyselySqliteDatabase {
  /** Whether a statement that writes ran outside a transaction since the last call (and resets). */
  takeAutocommitWrite(): boolean;
}

/**
 * Kysely's SQLite driver prepares every query afresh; preparing (parsing and planning the SQL)
 * costs more than running the primary-key reads of the agent's hot path. Statements are kept by
 * their SQL text and reused. Kysely runs one query at a time on this single connection (a stream
 * holds it until it ends), so a cached statement is never used twice at once.
 *
 * It also notes a statement that writes outside a transaction (kysely prepares each statement
 * just before running it, so the connection's transaction state then is the statement's).
 */
function withStatementCache(database: SqliteDatabase.Database): CachedStatements {
  const statements = new Map<string, SqliteDatabase.Statement>();
  let autocommitWrite = false;
  return {
    close: () => database.close(),
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      // BEGIN, COMMIT and the like count as read-only: only real writes are noted.
      if (!statement.readonly && !database.inTransaction) autocommitWrite = true;
      return statement;
    },
    takeAutocommitWrite: () => {
      const wrote = autocommitWrite;
      autocommitWrite = false;
      return wrote;
    },
  };
}

/**
 * Why `url` cannot open a PostgreSQL session, found before connecting; undefined when it can. A
 * URL without a user name falls back to `PGUSER`, then `USER` (as psql does); where neither is
 * set (a container, a service) the server would only answer "no PostgreSQL user name specified in
 * startup packet", which names neither the URL nor the fix.
 */
export function postgresUrlProblem(
  url: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Left to the driver, whose parser accepts more than WHATWG URLs do.
    return undefined;
  }
  const userParameter = parsed.searchParams.get('user');
  if (parsed.username === '' && !userParameter && !env.PGUSER && !env.USER) {
    return `"${redactedUrl(url)}" names no user, and neither PGUSER nor USER is set: write it as postgres://USER@${parsed.host || 'host'}${parsed.pathname || '/database'}`;
  }
  return undefined;
}

/** The URL with its password, if any, replaced by `***` (for messages and logs). */
function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

function openPostgres(url: string, options: OpenStoreOptions): Store {
  const problem = postgresUrlProblem(url);
  if (problem) throw new Error(`PostgreSQL: ${problem}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    transaction: (work) => db.transaction().execute(work),
    relaxedTransaction: (work) =>
      db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      }),
    durableCommits: () => 0,
    observeDurableCommits: () => () => {},
    ping: async () => {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

/** A unique constraint refused the write (SQLite SQLITE_CONSTRAINT_UNIQUE/PK, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
