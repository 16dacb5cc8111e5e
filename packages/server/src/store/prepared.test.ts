/**
 * PreparedStatement, on SQLite and PostgreSQL: a statement built once per shape runs with each
 * call's own parameters (inside and outside transactions), keeps the constants it was built
 * with, compiles each shape once, and is built anew for a Kysely instance with plugins (which
 * may rewrite a query). A value Kysely would write into the SQL text is refused.
 */
import { randomUUID } from 'node:crypto';
import { type KyselyPlugin, type QueryResult, type RootOperationNode, sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../../test/stores.js';
import { createTenant } from '../services/tenants.js';
import { insertRows, PreparedStatement, parameterList } from './prepared.js';
import type { Store } from './store.js';

const TOKEN_COLUMNS = ['id', 'tenant_id', 'token_hash', 'token_hint', 'expires_at'] as const;

describeEachStore('prepared statements', (target) => {
  let store: Store;
  let tenantId: string;
  let builds = 0;

  // description and created_at are constants of the statement, not parameters.
  const insertTokens = new PreparedStatement((db, parameter, rows) => {
    builds += 1;
    return db.insertInto('onboarding_tokens').values(
      insertRows(TOKEN_COLUMNS, parameter, rows).map((row) => ({
        ...row,
        description: 'prepared',
        created_by: null,
        created_at: '2026-01-01T00:00:00.000Z',
        revoked_at: null,
      })),
    );
  });
  const readTokens = new PreparedStatement((db, parameter, count) =>
    db
      .selectFrom('onboarding_tokens')
      .select(['id', 'token_hint', 'description', 'created_at'])
      .where('tenant_id', '=', parameter(0))
      .where('id', 'in', parameterList(parameter, 1, count))
      .orderBy('token_hint'),
  );
  const row = (id: string, hint: string) => [id, tenantId, `hash-${id}`, hint, '2099-01-01'];

  beforeAll(async () => {
    store = await target.openStore();
    const now = new Date();
    tenantId = (await store.transaction((trx) => createTenant(trx, { name: 'Prepared', now }))).id;
  });

  it('runs each call with its own parameters and keeps the built constants', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await insertTokens.execute(store.db, 2, [...row(a, 'a'), ...row(b, 'b')]);
    await store.transaction((trx) => insertTokens.execute(trx, 1, row(c, 'c')));
    // Two shapes (2 rows, 1 row), each built once, the second inside a transaction.
    await insertTokens.execute(store.db, 1, row(randomUUID(), 'd'));
    expect(builds).toBe(2);
    const read = await readTokens.execute<{ id: string; token_hint: string; description: string }>(
      store.db,
      3,
      [tenantId, a, b, c],
    );
    expect(read.rows.map((r) => [r.id, r.token_hint, r.description])).toEqual([
      [a, 'a', 'prepared'],
      [b, 'b', 'prepared'],
      [c, 'c', 'prepared'],
    ]);
    const one = await readTokens.execute<{ id: string; created_at: string }>(store.db, 1, [
      tenantId,
      b,
    ]);
    expect(one.rows).toEqual([
      expect.objectContaining({ id: b, created_at: '2026-01-01T00:00:00.000Z' }),
    ]);
  });

  it('builds anew for an instance with plugins, and refuses an inlined parameter', async () => {
    let transformed = 0;
    const plugin: KyselyPlugin = {
      transformQuery: (args: { node: RootOperationNode }) => {
        transformed += 1;
        return args.node;
      },
      transformResult: async <R extends QueryResult<unknown>>(args: { result: R }) => args.result,
    };
    const withPlugin = store.db.withPlugin(plugin);
    const id = randomUUID();
    await insertTokens.execute(withPlugin, 1, row(id, 'p'));
    await readTokens.execute(withPlugin, 1, [tenantId, id]);
    await readTokens.execute(withPlugin, 1, [tenantId, id]);
    expect(transformed).toBe(3);

    const inlined = new PreparedStatement((db, parameter) =>
      db
        .selectFrom('onboarding_tokens')
        .select('id')
        .where('id', '=', sql.lit(parameter(0))),
    );
    await expect(inlined.execute(store.db, 0, [id])).rejects.toThrow(/inlined/);
  });
});
