/**
 * The check-in hot path: when nothing changed, the whole answer costs one indexed read (the
 * credential check by primary key, which also yields the revision) — counted here with a Kysely
 * plugin that sees every statement the fleet service runs.
 */
import { randomUUID } from 'node:crypto';
import { generateEd25519KeyPair } from '@palisade/protocol';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { beforeAll, expect, it } from 'vitest';
import { linuxFacts } from '../../../test/agent-sim.js';
import { describeEachStore } from '../../../test/stores.js';
import { hashSecret } from '../../auth/secrets.js';
import { MemoryPushHub } from '../../push/memory-push-hub.js';
import type { Store } from '../../store/store.js';
import { createTenant } from '../tenants.js';
import { authenticateDevice, checkIn, enroll } from './agent-service.js';
import { FleetService } from './fleet-service.js';

class StatementCounter implements KyselyPlugin {
  statements: string[] = [];
  transformQuery(args: { node: RootOperationNode }): RootOperationNode {
    this.statements.push(args.node.kind);
    return args.node;
  }
  async transformResult<R>(args: { result: R }): Promise<R> {
    return args.result;
  }
}

describeEachStore('check-in hot path', (target) => {
  let fleet: FleetService;
  let counter: StatementCounter;
  let credential: string;

  beforeAll(async () => {
    const store = await target.openStore();
    counter = new StatementCounter();
    const counted: Store = { ...store, db: store.db.withPlugin(counter) };
    // A fixed clock: "last seen" was just written, so the unchanged check-in must not write it.
    const now = new Date();
    fleet = new FleetService({
      store: counted,
      push: new MemoryPushHub(),
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      clock: { now: () => now },
    });
    const tenant = await store.transaction((trx) => createTenant(trx, { name: 'Hot path', now }));
    const token = `token-${randomUUID()}`;
    await store.db
      .insertInto('onboarding_tokens')
      .values({
        id: randomUUID(),
        tenant_id: tenant.id,
        description: '',
        token_hash: hashSecret(token),
        token_hint: token.slice(0, 8),
        created_by: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
        revoked_at: null,
      })
      .execute();
    const enrolled = await enroll(fleet, {
      token,
      machineId: `machine-${randomUUID()}`,
      publicKey: generateEd25519KeyPair().publicKey,
      facts: linuxFacts('hot-01'),
    });
    credential = enrolled.credential;
  });

  it('answers "unchanged" with one indexed read and no write', async () => {
    const bearer = `Bearer ${credential}`;
    const first = await checkIn(fleet, await authenticateDevice(fleet.db, bearer), {
      revision: null,
    });
    expect(first.s).toBe('c');
    const revision =
      first.s === 'c' ? (JSON.parse(first.configuration.payload).revision as number) : 0;

    counter.statements = [];
    const device = await authenticateDevice(fleet.db, bearer);
    const answer = await checkIn(fleet, device, { revision });
    expect(answer).toEqual({ s: 'u', n: expect.any(Number) });
    expect(counter.statements).toEqual(['SelectQueryNode']);
  });

  it('reads the stored facts only when the agent sends a delta, and writes only on change', async () => {
    const bearer = `Bearer ${credential}`;
    const device = await authenticateDevice(fleet.db, bearer);
    counter.statements = [];
    await checkIn(fleet, device, { revision: device.revision, facts: { hostname: 'hot-01' } });
    // The delta equals the stored facts: one more read, still no write.
    expect(counter.statements).toEqual(['SelectQueryNode']);
  });
});
