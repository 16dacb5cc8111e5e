/**
 * The agent's checks on a signed configuration, on the event loop (`verifySignedConfiguration`)
 * and with the signature checked on the thread pool (`verifySignedConfigurationOffThread`, the
 * fleet simulator's): the same verdict for a good document, a tampered payload, a signature by
 * another key, a document for another device and one older than the revision held.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigurationDocument } from './agent.js';
import {
  generateEd25519KeyPair,
  signConfiguration,
  verifySignedConfiguration,
  verifySignedConfigurationOffThread,
} from './signing.js';

const tenant = generateEd25519KeyPair();
const stranger = generateEd25519KeyPair();

function document(revision: number, deviceId = 'device-1'): ConfigurationDocument {
  return {
    deviceId,
    tenantId: 'tenant-1',
    revision,
    issuedAt: '2026-11-26T00:00:00.000Z',
    enrollment: {
      code: 1,
      name: 'Success',
      managedBy: 'palisade',
      identity: 'create-synthetic',
      meaning: 'Enrolled.',
      fix: null,
      withheldProfiles: [],
    },
    configuration: { settings: [], conflicts: [], hash: 'h' },
  } as ConfigurationDocument;
}

describe('verifying a signed configuration', () => {
  const good = signConfiguration(document(5), tenant.privateKey);
  const cases = [
    { name: 'a good one', signed: good, held: 4, ok: true },
    { name: 'the one held', signed: good, held: 5, ok: true },
    {
      name: 'a tampered payload',
      signed: { ...good, payload: good.payload.replace('"revision":5', '"revision":6') },
      held: 4,
      ok: false,
      reason: /signature/,
    },
    {
      name: 'another key',
      signed: signConfiguration(document(5), stranger.privateKey),
      held: 4,
      ok: false,
      reason: /signature/,
    },
    {
      name: 'another device',
      signed: signConfiguration(document(5, 'device-2'), tenant.privateKey),
      held: 4,
      ok: false,
      reason: /device device-2/,
    },
    { name: 'an older revision', signed: good, held: 6, ok: false, reason: /older/ },
  ];
  for (const each of cases) {
    it(`gives the same verdict on and off the event loop: ${each.name}`, async () => {
      const expect_ = { deviceId: 'device-1', heldRevision: each.held };
      const onLoop = verifySignedConfiguration(each.signed, tenant.publicKey, expect_);
      const offThread = await verifySignedConfigurationOffThread(
        each.signed,
        tenant.publicKey,
        expect_,
      );
      expect(offThread).toEqual(onLoop);
      expect(offThread.ok).toBe(each.ok);
      if (!offThread.ok && each.reason) expect(offThread.reason).toMatch(each.reason);
    });
  }
});
