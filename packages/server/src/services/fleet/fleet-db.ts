/**
 * The database as the fleet engine sees it: the admin tables (D1) plus the fleet tables.
 */
import type { Kysely } from 'kysely';
import type { FleetTables } from '../../store/fleet-schema.js';
import type { Database } from '../../store/schema.js';

export type FleetDatabase = Database & FleetTables;
export type FleetDb = Kysely<FleetDatabase>;

/** Any Kysely handle over our schema (a transaction included) seen with the fleet tables. */
export function fleetDb(db: Kysely<Database>): FleetDb {
  return db as unknown as FleetDb;
}

/** Splits a list for `in (…)` lists: SQLite allows 32,766 variables, PostgreSQL 65,535. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
