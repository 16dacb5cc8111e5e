/** `palisade policies list`: list policies. */
import type { PolicySummary } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { printListing, runAction, when } from '../../output.js';

export function registerListCommand(policies: Command): void {
  policies
    .command('list')
    .description('list policies')
    .option('--platform <platform>', 'windows, macos or linux')
    .option('--profile <profile>', 'e.g. antivirus-exclusions')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { platform?: string; profile?: string; json?: boolean }) => {
        const client = await connect();
        const items = await client.all<PolicySummary>('/api/v1/policies', {
          platform: options.platform,
          profile: options.profile,
        });
        printListing(
          options,
          { items, total: items.length },
          items,
          ['NAME', 'PLATFORM', 'PROFILE', 'VERSION', 'SETTINGS', 'UPDATED'],
          (p) => [
            p.name,
            p.platform,
            p.profile,
            String(p.version),
            String(p.settingCount),
            when(p.updatedAt),
          ],
          'no policies',
        );
        return 0;
      }),
    );
}
