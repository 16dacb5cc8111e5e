import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * The revision each device last reported, so the fallback sweep can find devices that were told
 * of a revision long ago and have not reported it (a lost notice, a sleeping laptop).
 */
export function migration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('devices').addColumn('reported_revision', 'integer').execute();
      await db.schema
        .createIndex('effective_configurations_by_issued')
        .on('effective_configurations')
        .column('issued_at')
        .execute();
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
