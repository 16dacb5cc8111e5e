/**
 * The database as the fleet engine sees it: the whole schema (schema.ts's Database includes the
 * fleet tables of fleet-schema.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

export type FleetDatabase = Database;
export type FleetDb = Kysely<FleetDatabase>;

/** Any Kysely handle over our schema, a transaction included. */
export function fleetDb(db: Kysely<Database>): FleetDb {
  return db;
}

/** Splits a list for `in (…)` lists: SQLite allows 32,766 variables, PostgreSQL 65,535. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
