/**
 * The stable identity of a simulated machine: its machine id (what /etc/machine-id is to a real
 * agent) and its Ed25519 device key. Both derive from (fleet seed, index), so running the
 * simulator again re-enrolls the same machines: the server answers with the same device ids.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface MachineIdentity {
  /** 32 lowercase hex characters, like /etc/machine-id. */
  readonly machineId: string;
  /** SPKI DER, base64: what enroll sends as `publicKey`. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function machineIdentity(seed: string, index: number): MachineIdentity {
  const machineId = digest(`${seed}:machine-id:${index}`).subarray(0, 16).toString('hex');
  const keySeed = digest(`${seed}:device-key:${index}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, keySeed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .toString('base64');
  return { machineId, publicKey, privateKey };
}
