/**
 * Onboarding tokens: per tenant, expiring, revocable; the server keeps only their sha256. The
 * enroll route (fleet engine) resolves a token with `resolveOnboardingToken`; the admin routes
 * create, list and revoke them and show the per-platform command to run with one.
 */
import type { OnboardingInstructions, OnboardingToken } from '@palisade/protocol';
import type { Kysely } from 'kysely';
import { hashSecret } from '../auth/secrets.js';
import { ApiError } from '../errors.js';
import type { Database, OnboardingTokenTable } from '../store/schema.js';

/** Every onboarding token starts with this, so a pasted token is recognisable. */
export const ONBOARDING_TOKEN_PREFIX = 'pot_';

export function onboardingTokenStatus(
  row: Pick<OnboardingTokenTable, 'revoked_at' | 'expires_at'>,
  now: Date,
): OnboardingToken['status'] {
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now.toISOString() ? 'expired' : 'active';
}

/**
 * The tenant a device enrolls into, from the token it presents. Throws token_invalid (unknown),
 * token_expired or token_revoked, each with a sentence telling the administrator what to do.
 */
export async function resolveOnboardingToken(
  db: Kysely<Database>,
  token: string,
  now: Date,
): Promise<{ readonly tenantId: string; readonly tokenId: string }> {
  const row = await db
    .selectFrom('onboarding_tokens')
    .select(['id', 'tenant_id', 'expires_at', 'revoked_at'])
    .where('token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row) {
    throw new ApiError(
      'token_invalid',
      'The onboarding token is not known to this server: copy it again from the console.',
    );
  }
  switch (onboardingTokenStatus(row, now)) {
    case 'revoked':
      throw new ApiError('token_revoked', 'The onboarding token was revoked: create a new one.');
    case 'expired':
      throw new ApiError(
        'token_expired',
        `The onboarding token expired at ${row.expires_at}: create a new one.`,
      );
    case 'active':
      return { tenantId: row.tenant_id, tokenId: row.id };
  }
}

/** The placeholder shown where the token goes when the token itself is not at hand. */
export const TOKEN_PLACEHOLDER = '<TOKEN>';

/**
 * What to run on each platform to enroll a machine. The agent is the same program everywhere
 * (`palisade-agent enroll --server URL --token TOKEN`); only the shell and privileges differ.
 */
export function onboardingInstructions(serverUrl: string, token: string): OnboardingInstructions {
  const args = `enroll --server ${serverUrl} --token ${token}`;
  return {
    serverUrl,
    platforms: [
      {
        platform: 'linux',
        title: 'Linux',
        shell: 'a shell with root privileges',
        command: `sudo palisade-agent ${args}`,
        notes: [
          'Then keep it running: `sudo palisade-agent run` (or its systemd unit).',
          'The agent keeps its key and state in /var/lib/palisade-agent (--state-dir to change).',
        ],
      },
      {
        platform: 'macos',
        title: 'macOS',
        shell: 'Terminal, as an administrator',
        command: `sudo palisade-agent ${args}`,
        notes: ['Then keep it running: `sudo palisade-agent run` (or its launchd daemon).'],
      },
      {
        platform: 'windows',
        title: 'Windows and Windows Server',
        shell: 'PowerShell, run as Administrator',
        command: `& "$env:ProgramFiles\\Palisade\\palisade-agent.exe" ${args}`,
        notes: [
          'Then keep it running: `palisade-agent.exe run` (or its Windows service).',
          'PowerShell must run in FullLanguage mode: ConstrainedLanguage devices are not managed.',
        ],
      },
    ],
  };
}
