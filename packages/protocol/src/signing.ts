/**
 * Signing of effective configurations with the tenant's Ed25519 key. The server signs the exact
 * bytes it sends; the agent (and the fleet simulator) verify those bytes with the key pinned at
 * enrollment, then check device id and revision.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  type ConfigurationDocument,
  ConfigurationDocumentSchema,
  type SignedConfiguration,
} from './agent.js';

export interface Ed25519KeyPair {
  /** SPKI DER, base64. */
  readonly publicKey: string;
  /** PKCS#8 DER, base64. */
  readonly privateKey: string;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

const privateKeys = new Map<string, ReturnType<typeof createPrivateKey>>();
const publicKeys = new Map<string, ReturnType<typeof createPublicKey>>();

function privateKeyOf(der: string) {
  let key = privateKeys.get(der);
  if (!key) {
    key = createPrivateKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'pkcs8' });
    privateKeys.set(der, key);
  }
  return key;
}

function publicKeyOf(der: string) {
  let key = publicKeys.get(der);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(der, 'base64'), format: 'der', type: 'spki' });
    publicKeys.set(der, key);
  }
  return key;
}

/** Signs arbitrary bytes (base64 signature). */
export function signBytes(data: string | Buffer, privateKey: string): string {
  return sign(null, Buffer.from(data), privateKeyOf(privateKey)).toString('base64');
}

export function verifyBytes(data: string | Buffer, signature: string, publicKey: string): boolean {
  try {
    return verify(
      null,
      Buffer.from(data),
      publicKeyOf(publicKey),
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** {@link verifyBytes} on libuv's thread pool: the caller's event loop goes on meanwhile. */
export function verifyBytesOffThread(
  data: string | Buffer,
  signature: string,
  publicKey: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(
        null,
        Buffer.from(data),
        publicKeyOf(publicKey),
        Buffer.from(signature, 'base64'),
        (error, valid) => resolve(error === null && valid),
      );
    } catch {
      resolve(false);
    }
  });
}

export function signConfiguration(
  document: ConfigurationDocument,
  privateKey: string,
): SignedConfiguration {
  const payload = JSON.stringify(document);
  return { payload, signature: signBytes(payload, privateKey) };
}

export type VerifyResult =
  | { readonly ok: true; readonly document: ConfigurationDocument }
  | { readonly ok: false; readonly reason: string };

/**
 * What the agent does with every configuration it receives: the signature must verify with the
 * pinned tenant key, the document must be for this device, and its revision must not be lower
 * than the one held (no rollback by replay).
 */
export function verifySignedConfiguration(
  signed: SignedConfiguration,
  tenantPublicKey: string,
  expect: { readonly deviceId: string; readonly heldRevision: number | null },
): VerifyResult {
  if (!verifyBytes(signed.payload, signed.signature, tenantPublicKey)) return BAD_SIGNATURE;
  return checkSignedDocument(signed.payload, expect);
}

/**
 * {@link verifySignedConfiguration} with the signature checked on libuv's thread pool: the same
 * checks, for a process that verifies many configurations at once (the fleet simulator).
 */
export async function verifySignedConfigurationOffThread(
  signed: SignedConfiguration,
  tenantPublicKey: string,
  expect: { readonly deviceId: string; readonly heldRevision: number | null },
): Promise<VerifyResult> {
  if (!(await verifyBytesOffThread(signed.payload, signed.signature, tenantPublicKey))) {
    return BAD_SIGNATURE;
  }
  return checkSignedDocument(signed.payload, expect);
}

const BAD_SIGNATURE: VerifyResult = {
  ok: false,
  reason: 'the configuration signature does not verify with the pinned tenant key',
};

/** What follows a good signature: a configuration document, for this device, not older. */
function checkSignedDocument(
  payload: string,
  expect: { readonly deviceId: string; readonly heldRevision: number | null },
): VerifyResult {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'the signed payload is not JSON' };
  }
  const parsed = ConfigurationDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      reason: `the signed payload is not a configuration document: ${parsed.error.message}`,
    };
  }
  const document = parsed.data;
  if (document.deviceId !== expect.deviceId) {
    return {
      ok: false,
      reason: `the configuration is for device ${document.deviceId}, not this one`,
    };
  }
  if (expect.heldRevision !== null && document.revision < expect.heldRevision) {
    return {
      ok: false,
      reason: `revision ${document.revision} is older than the held revision ${expect.heldRevision}`,
    };
  }
  return { ok: true, document };
}
