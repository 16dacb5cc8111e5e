/** `palisade asset-rules delete`: delete an asset rule; the tags it set are removed. */
import type { AssetRule } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { print, runAction } from '../../output.js';

export function registerDeleteCommand(rules: Command): void {
  rules
    .command('delete')
    .description('delete an asset rule; the tags it set are removed')
    .argument('<name>', 'rule name or id')
    .action(
      runAction(async (name: string) => {
        const client = await connect();
        const rule = await findByName<AssetRule>(client, '/api/v1/asset-rules', name, 'asset rule');
        await client.delete(`/api/v1/asset-rules/${rule.id}`);
        print(`Deleted asset rule ${rule.name}.`);
        return 0;
      }),
    );
}
