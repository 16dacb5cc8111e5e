/**
 * The audit log is append-only, and the database itself says so: a trigger refuses every UPDATE
 * and DELETE of its rows, whatever code (or person with a SQL prompt and the app's role) tries.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

const REFUSAL = 'the audit log is append-only';

export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        for (const operation of ['UPDATE', 'DELETE']) {
          await sql
            .raw(
              `CREATE TRIGGER audit_log_no_${operation.toLowerCase()} BEFORE ${operation} ON audit_log ` +
                `BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
            )
            .execute(db);
        }
        return;
      }
      await sql
        .raw(
          `CREATE FUNCTION palisade_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
            `BEGIN RAISE EXCEPTION '${REFUSAL}'; END $$`,
        )
        .execute(db);
      await sql
        .raw(
          'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log ' +
            'FOR EACH ROW EXECUTE FUNCTION palisade_audit_append_only()',
        )
        .execute(db);
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
