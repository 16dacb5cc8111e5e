/**
 * Fixtures for tests that drive the fleet service directly (no HTTP): a fleet service over a
 * store, an onboarding token written straight into the store, and a Linux machine enrolled with it.
 */
import { randomUUID } from 'node:crypto';
import { type EnrollResponse, generateEd25519KeyPair } from '@palisade/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { hashSecret } from '../src/auth/secrets.js';
import { MemoryPushHub } from '../src/push/memory-push-hub.js';
import { enroll } from '../src/services/fleet/agent-service.js';
import { FleetService } from '../src/services/fleet/fleet-service.js';
import type { Store } from '../src/store/store.js';
import { linuxFacts } from './agent-sim.js';

/** A fleet service over the store, pushing in memory, logging nothing, its clock stopped at `now`. */
export function quietFleetService(store: Store, now: Date): FleetService {
  return new FleetService({
    store,
    push: new MemoryPushHub(),
    logger: pino({ level: 'silent' }),
    clock: { now: () => now },
    registry: new Registry(),
  });
}

/** A valid onboarding token of the tenant for an hour from `now`; returns the token. */
export async function insertOnboardingToken(
  store: Store,
  tenantId: string,
  now: Date,
): Promise<string> {
  const token = `token-${randomUUID()}`;
  await store.db
    .insertInto('onboarding_tokens')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      description: '',
      token_hash: hashSecret(token),
      token_hint: token.slice(0, 8),
      created_by: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 3_600_000).toISOString(),
      revoked_at: null,
    })
    .execute();
  return token;
}

/** Enrolls a new Linux machine (its own machine id and key) with the token. */
export function enrollLinux(
  fleet: FleetService,
  token: string,
  hostname: string,
): Promise<EnrollResponse> {
  return enroll(fleet, {
    token,
    machineId: `machine-${randomUUID()}`,
    publicKey: generateEd25519KeyPair().publicKey,
    facts: linuxFacts(hostname),
  });
}
