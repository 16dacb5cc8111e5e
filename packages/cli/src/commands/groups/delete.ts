/** `palisade groups delete`: delete a group no policy refers to. */
import type { Group } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { print, runAction } from '../../output.js';

export function registerDeleteCommand(groups: Command): void {
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
