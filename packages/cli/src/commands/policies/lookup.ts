/** Finding a policy by name (or id) and reading version numbers, for the policies commands. */
import type { PolicySummary } from '@palisade/protocol';
import { connect, findByName, type PalisadeClient } from '../../client.js';
import { UsageError } from '../../config.js';

export interface VersionList {
  items: { version: number; change: string; createdAt: string; createdBy: string | null }[];
  total: number;
}

/** `3` or `v3` → 3; anything else is a usage error naming the argument. */
export function versionNumber(text: string, what: string): number {
  const value = Number(text.replace(/^v/i, ''));
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${what}: "${text}" is not a version number`);
  }
  return value;
}

/** A connected client and the policy named (or with that id). */
export async function findPolicy(
  name: string,
): Promise<{ client: PalisadeClient; summary: PolicySummary }> {
  const client = await connect();
  const summary = await findByName<PolicySummary>(client, '/api/v1/policies', name, 'policy');
  return { client, summary };
}
