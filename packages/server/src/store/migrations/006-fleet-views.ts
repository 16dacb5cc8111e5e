import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * `view_version` grows whenever anything a rule can read about a device changes (facts, tags,
 * memberships, enrollment, identity). The engine keeps the devices of a tenant in memory and, before
 * each scan (group rules, asset rules, previews), reads only (id, view_version) — an index-only
 * scan — to refetch the devices that changed, in whichever process they changed.
 *
 * The index also makes "active devices of a tenant" (`offboarded_at is null`) a covering range:
 * counts and keyset scans in id order never touch the table.
 */
export function migration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('devices')
        .addColumn('view_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('devices_active_by_id')
        .on('devices')
        .columns(['tenant_id', 'offboarded_at', 'id', 'view_version'])
        .execute();
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
