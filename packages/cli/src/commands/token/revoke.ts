/** `palisade token revoke ID`: enrollments with the token are refused from now on. */
import type { OnboardingToken } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { print, printJson, runAction } from '../../output.js';

export function registerRevokeCommand(token: Command): void {
  token
    .command('revoke')
    .description('revoke an onboarding token: enrollments with it are refused from now on')
    .argument('<id>', 'the token id (palisade token list)')
    .option('--json', 'print the revoked token as JSON')
    .action(
      runAction(async (id: string, options: { json?: boolean }) => {
        const client = await connect();
        const revoked = await client.post<OnboardingToken>(
          `/api/v1/onboarding-tokens/${encodeURIComponent(id)}/revoke`,
        );
        if (options.json) printJson(revoked);
        else
          print(`Revoked token ${id}${revoked?.description ? ` (${revoked.description})` : ''}.`);
        return 0;
      }),
    );
}
