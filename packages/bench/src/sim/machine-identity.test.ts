import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { machineIdentity } from './machine-identity.js';

describe('machineIdentity', () => {
  it('is stable per (seed, index) and distinct across indexes and seeds', () => {
    const a = machineIdentity('seed-a', 3);
    expect(machineIdentity('seed-a', 3).machineId).toBe(a.machineId);
    expect(machineIdentity('seed-a', 3).publicKey).toBe(a.publicKey);
    expect(machineIdentity('seed-a', 4).machineId).not.toBe(a.machineId);
    expect(machineIdentity('seed-b', 3).publicKey).not.toBe(a.publicKey);
    expect(a.machineId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('derives a working Ed25519 key pair whose public half is what enroll sends', () => {
    const identity = machineIdentity('seed-a', 9);
    const publicKey = createPublicKey({
      key: Buffer.from(identity.publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    const signature = sign(null, Buffer.from('hello'), identity.privateKey);
    expect(verify(null, Buffer.from('hello'), publicKey, signature)).toBe(true);
    expect(identity.publicKey.length).toBeGreaterThanOrEqual(40);
  });
});
