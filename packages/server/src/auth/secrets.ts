/**
 * Secrets handed out once (session tokens, onboarding tokens, device credentials) and kept only
 * as a hash. They are long random values, so a fast hash (sha256) is enough to store them; user
 * passwords, which people choose, use argon2id instead (passwords.ts).
 */
import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: 43 characters. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
