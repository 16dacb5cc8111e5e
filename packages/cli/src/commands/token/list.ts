/** `palisade token list`: list onboarding tokens: id, name, status, expiry. */
import type { OnboardingToken } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { printListing, runAction, when } from '../../output.js';

export function registerListCommand(token: Command): void {
  token
    .command('list')
    .description('list onboarding tokens: id, name, status, expiry')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const client = await connect();
        const items = await client.all<OnboardingToken>('/api/v1/onboarding-tokens');
        printListing(
          options,
          { items, total: items.length },
          items,
          ['ID', 'NAME', 'HINT', 'STATUS', 'EXPIRES', 'CREATED BY'],
          (t) => [t.id, t.description, t.hint, t.status, when(t.expiresAt), t.createdBy ?? '-'],
          'no onboarding tokens',
        );
        return 0;
      }),
    );
}
