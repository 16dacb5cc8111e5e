/** `palisade groups show`: one group and its current members. */
import type { DeviceSummary, Group } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { print, printFields, printJson, printListing, runAction } from '../../output.js';

export function registerShowCommand(groups: Command): void {
  groups
    .command('show')
    .description('one group and its current members')
    .argument('<name>', 'group name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const client = await connect();
        const group = await findByName<Group>(client, '/api/v1/groups', name, 'group');
        const members = await client.all<DeviceSummary>(`/api/v1/groups/${group.id}/members`);
        if (options.json) {
          printJson({ ...group, members });
          return 0;
        }
        printFields([
          ['name', group.name],
          ['id', group.id],
          ['kind', group.kind],
          ...(group.description ? [['description', group.description] as const] : []),
          ...(group.rule ? [['rule', group.rule] as const] : []),
          ['members', String(members.length)],
        ]);
        print();
        printListing(
          {},
          null,
          members,
          ['ID', 'HOSTNAME', 'PLATFORM', 'ENROLLMENT'],
          (d) => [d.id, d.hostname, d.platform, d.enrollment.name],
          'no members',
        );
        return 0;
      }),
    );
}
