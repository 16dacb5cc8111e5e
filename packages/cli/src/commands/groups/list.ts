/** `palisade groups list`: list groups. */
import type { Group } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { printListing, runAction, when } from '../../output.js';

export function registerListCommand(groups: Command): void {
  groups
    .command('list')
    .description('list groups')
    .option('--kind <kind>', 'assigned or dynamic')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { kind?: string; json?: boolean }) => {
        const client = await connect();
        const items = await client.all<Group>('/api/v1/groups', { kind: options.kind });
        printListing(
          options,
          { items, total: items.length },
          items,
          ['NAME', 'KIND', 'MEMBERS / RULE', 'UPDATED'],
          (g) => [
            g.name,
            g.kind,
            g.kind === 'dynamic' ? (g.rule ?? '') : `${g.staticMemberCount ?? 0} members`,
            when(g.updatedAt),
          ],
          'no groups',
        );
        return 0;
      }),
    );
}
