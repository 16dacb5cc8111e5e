/** `palisade asset-rules list`: list asset rules. */
import type { AssetRule } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { printListing, runAction } from '../../output.js';

export function registerListCommand(rules: Command): void {
  rules
    .command('list')
    .description('list asset rules')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const client = await connect();
        const items = await client.all<AssetRule>('/api/v1/asset-rules');
        printListing(
          options,
          { items, total: items.length },
          items,
          ['NAME', 'TAG', 'ENABLED', 'RULE'],
          (r) => [r.name, r.tag, r.enabled ? 'yes' : 'no', r.rule],
          'no asset rules',
        );
        return 0;
      }),
    );
}
