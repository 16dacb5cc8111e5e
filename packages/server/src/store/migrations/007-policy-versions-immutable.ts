/**
 * A saved policy version never changes: every save writes a new one (revert included). The
 * database refuses UPDATE of policy_versions rows; deleting a policy still removes its versions
 * (the audit log keeps what they were).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../store.js';

const REFUSAL = 'policy versions are immutable: save a new version';

export function migration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        await sql
          .raw(
            'CREATE TRIGGER policy_versions_no_update BEFORE UPDATE ON policy_versions ' +
              `BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
          )
          .execute(db);
        return;
      }
      await sql
        .raw(
          'CREATE FUNCTION palisade_policy_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ ' +
            `BEGIN RAISE EXCEPTION '${REFUSAL}'; END $$`,
        )
        .execute(db);
      await sql
        .raw(
          'CREATE TRIGGER policy_versions_immutable BEFORE UPDATE ON policy_versions ' +
            'FOR EACH ROW EXECUTE FUNCTION palisade_policy_versions_immutable()',
        )
        .execute(db);
    },
    async down() {
      throw new Error('migrations are forward-only');
    },
  };
}
