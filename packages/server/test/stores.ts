/**
 * Runs one test suite against every store: SQLite (a file in a temporary directory) and
 * PostgreSQL (127.0.0.1:5432, database `test`, a fresh schema `palisade_test_<random>` per suite,
 * dropped afterwards). PostgreSQL suites are skipped with a message when no server answers.
 *
 *   describeEachStore('policies', (target) => {
 *     let server: RunningServer;
 *     beforeAll(async () => { server = await target.startServer(); });
 *     it('…', async () => { … server.url … });
 *   });
 *
 * Every server started through `target.startServer` is closed in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { systemPart } from '../../../testing/system.js';
import {
  openStore,
  type RunningServer,
  type StartServerOptions,
  type Store,
  startServer,
} from '../src/index.js';

export const POSTGRES_URL =
  process.env.PALISADE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The password of the `admin` user created on first start of every test server. */
export const TEST_ADMIN_PASSWORD = 'test-admin-password-1';

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreTarget {
  readonly kind: StoreKind;
  /** What startServer / openStore take: the SQLite file or the PostgreSQL URL… */
  readonly database: string;
  /** …and, on PostgreSQL, the suite's own schema. */
  readonly searchPath: string | undefined;
  /** A URL that selects the suite's schema on its own (for spawned `palisade serve` processes). */
  readonly databaseUrlWithSchema: string;
  /** Starts a server on a free loopback port over this suite's database; closed in afterAll. */
  startServer(extra?: Partial<StartServerOptions>): Promise<RunningServer>;
  /** Opens the suite's store directly (e.g. to create a second tenant); closed in afterAll. */
  openStore(): Promise<Store>;
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgresAvailable = await postgresAnswers();

export function describeEachStore(name: string, suite: (target: StoreTarget) => void): void {
  describe(`${name} [sqlite]`, () => {
    suite(storeTarget('sqlite'));
  });
  describe(`${name} [postgres]`, () => {
    if (
      !systemPart(
        'PostgreSQL',
        postgresAvailable,
        'start PostgreSQL on 127.0.0.1:5432 with database test (trust auth)',
      )
    ) {
      return;
    }
    suite(storeTarget('postgres'));
  });
}

function storeTarget(kind: StoreKind): StoreTarget {
  let database = '';
  let searchPath: string | undefined;
  let cleanup: () => Promise<void> = async () => {};
  const servers: RunningServer[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'palisade-test-'));
      database = join(dir, 'palisade.sqlite');
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      return;
    }
    database = POSTGRES_URL;
    searchPath = `palisade_test_${randomBytes(6).toString('hex')}`;
    const schema = searchPath;
    await withClient((client) => client.query(`create schema ${schema}`));
    cleanup = () => withClient((client) => client.query(`drop schema ${schema} cascade`));
  });

  afterAll(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const store of stores.splice(0)) await store.close();
    await cleanup();
  });

  return {
    kind,
    get database() {
      return database;
    },
    get searchPath() {
      return searchPath;
    },
    get databaseUrlWithSchema() {
      if (!searchPath) return database;
      const url = new URL(database);
      url.searchParams.set('options', `-c search_path=${searchPath}`);
      return url.toString();
    },
    async startServer(extra = {}) {
      const server = await startServer({
        database,
        ...(searchPath ? { searchPath } : {}),
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        adminPassword: TEST_ADMIN_PASSWORD,
        webRoot: null,
        ...extra,
      });
      servers.push(server);
      return server;
    },
    async openStore() {
      const store = await openStore(database, searchPath ? { searchPath } : {});
      stores.push(store);
      return store;
    },
  };
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
