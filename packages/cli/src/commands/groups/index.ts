/**
 * `palisade groups list|show|members|delete`: assigned and dynamic groups, by name (or id).
 * Groups are created and changed as documents (`palisade apply`) or in the portal.
 */
import type { DeviceSummary, Group } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { print, printFields, printJson, printListing, runAction, when } from '../../output.js';

export function registerGroupsCommands(program: Command): void {
  const groups = program.command('groups').description('device groups (assigned and dynamic)');

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

  groups
    .command('delete')
    .description('delete a group no policy refers to')
    .argument('<name>', 'group name or id')
    .action(
      runAction(async (name: string) => {
        const client = await connect();
        const group = await findByName<Group>(client, '/api/v1/groups', name, 'group');
        await client.delete(`/api/v1/groups/${group.id}`);
        print(`Deleted group ${group.name}.`);
        return 0;
      }),
    );
}
