/**
 * Versioned migrations, run at start-up by openStore. Each migration is a file in migrations/
 * named `NNN-what.ts`; Kysely's migrator records the applied ones in `kysely_migration` and runs
 * the rest in order, each in a transaction (on PostgreSQL; SQLite's DDL runs in one too), under a
 * lock so that several server processes starting at once migrate exactly once.
 */
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import * as admin from './migrations/001-admin.js';
import * as fleet from './migrations/002-fleet.js';
import * as fleetSweep from './migrations/003-fleet-sweep.js';
import * as auditAppendOnly from './migrations/005-audit-append-only.js';
import * as fleetViews from './migrations/006-fleet-views.js';
import * as policyVersionsImmutable from './migrations/007-policy-versions-immutable.js';
import * as deviceTagsByDevice from './migrations/008-device-tags-by-device.js';
import * as deviceScanStamps from './migrations/009-device-scan-stamps.js';
import * as membershipsByDevice from './migrations/010-memberships-by-device.js';
import * as deviceFactsSeq from './migrations/011-device-facts-seq.js';
import * as scanStampPlainUpdate from './migrations/012-scan-stamp-plain-update.js';
import type { StoreDialect } from './store.js';

/** The context a migration gets: the dialect, for the few column types that differ. */
export type MigrationFactory = (dialect: StoreDialect) => Migration;

/** Every migration, in order. Add a line per new file. */
export const MIGRATIONS: Readonly<Record<string, MigrationFactory>> = {
  '001-admin': admin.migration,
  '002-fleet': fleet.migration,
  '003-fleet-sweep': fleetSweep.migration,
  '005-audit-append-only': auditAppendOnly.migration,
  '006-fleet-views': fleetViews.migration,
  '007-policy-versions-immutable': policyVersionsImmutable.migration,
  '008-device-tags-by-device': deviceTagsByDevice.migration,
  '009-device-scan-stamps': deviceScanStamps.migration,
  '010-memberships-by-device': membershipsByDevice.migration,
  '011-device-facts-seq': deviceFactsSeq.migration,
  '012-scan-stamp-plain-update': scanStampPlainUpdate.migration,
};

export async function runMigrations(db: Kysely<unknown>, dialect: StoreDialect): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, factory] of Object.entries(MIGRATIONS)) migrations[name] = factory(dialect);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its migration tables in any schema unless told which: with several
    // schemas in one database (test runs side by side), name ours.
    ...(dialect === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? 'public';
}
