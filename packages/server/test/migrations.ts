/**
 * For tests of one migration: the store migrated up to just before it, so the test can write
 * rows as they were, then run the rest (`runMigrations`) and look at what became of them.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../src/index.js';
import { MIGRATIONS } from '../src/store/migrate.js';
import type { StoreTarget } from './stores.js';

/** The suite's store, opened without migrations (set once its `beforeAll` has run). */
export interface UnmigratedStore {
  store: Store;
  /** The store's handle, untyped: the schema is whatever the migrations run so far made it. */
  db: Kysely<unknown>;
}

/** Opens the suite's store without migrating it before its tests, and closes it after them. */
export function unmigratedStore(target: StoreTarget): UnmigratedStore {
  const opened = {} as UnmigratedStore;
  beforeAll(async () => {
    opened.store = await openStore(target.database, {
      migrate: false,
      ...(target.searchPath ? { searchPath: target.searchPath } : {}),
    });
    opened.db = opened.store.db as unknown as Kysely<unknown>;
  });
  afterAll(async () => {
    await opened.store?.close();
  });
  return opened;
}

/** Runs every migration whose name sorts before `first` (e.g. '011'); throws if one fails. */
export async function migrateBefore(
  store: Store,
  target: StoreTarget,
  first: string,
): Promise<void> {
  const before: Record<string, Migration> = {};
  for (const [name, factory] of Object.entries(MIGRATIONS)) {
    if (name >= first) break;
    before[name] = factory(store.dialect);
  }
  const migrator = new Migrator({
    db: store.db as unknown as Kysely<unknown>,
    provider: { getMigrations: async () => before },
    ...(target.searchPath ? { migrationTableSchema: target.searchPath } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
