/**
 * Fixtures for tests that drive the fleet service directly (no HTTP): an onboarding token written
 * straight into the store, and a Linux machine enrolled with it.
 */
import { randomUUID } from 'node:crypto';
import { type EnrollResponse, generateEd25519KeyPair } from '@palisade/protocol';
import { hashSecret } from '../src/auth/secrets.js';
import { enroll } from '../src/services/fleet/agent-service.js';
import type { FleetService } from '../src/services/fleet/fleet-service.js';
import type { Store } from '../src/store/store.js';
import { linuxFacts } from './agent-sim.js';

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
