/** `palisade devices tag ID --add T --remove T`: add or remove manual tags of a device. */
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { printJson, printTable, runAction } from '../../output.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerTagCommand(devices: Command): void {
  devices
    .command('tag')
    .description('add or remove manual tags of a device')
    .argument('<id>', 'the device id')
    .option('--add <tag>', 'add this tag (repeatable)', collect, [])
    .option('--remove <tag>', 'remove this tag (repeatable)', collect, [])
    .option('--json', 'print the tags as JSON')
    .action(
      runAction(
        async (id: string, options: { add: string[]; remove: string[]; json?: boolean }) => {
          if (options.add.length === 0 && options.remove.length === 0) {
            throw new UsageError('give --add TAG or --remove TAG');
          }
          const client = await connect();
          const base = `/api/v1/devices/${encodeURIComponent(id)}/tags`;
          let tags: { tags: { tag: string; source: string; ruleName?: string }[] } = { tags: [] };
          for (const tag of options.add) tags = await client.post(base, { tag });
          for (const tag of options.remove) {
            tags = await client.delete(`${base}/${encodeURIComponent(tag)}`);
          }
          if (options.json) printJson(tags);
          else {
            printTable(
              ['TAG', 'SOURCE'],
              tags.tags.map((t) => [t.tag, t.ruleName ? `${t.source} (${t.ruleName})` : t.source]),
              'no tags',
            );
          }
          return 0;
        },
      ),
    );
}
