/**
 * `palisade asset-rules list|show|delete`: conditions on devices that add a tag (phased rollout
 * of management). Created and changed as documents (`palisade apply`) or in the portal.
 */
import type { AssetRule } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { print, printFields, printJson, printListing, runAction, when } from '../../output.js';

export function registerAssetRulesCommands(program: Command): void {
  const rules = program
    .command('asset-rules')
    .description('asset rules: conditions that tag devices');

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

  rules
    .command('show')
    .description('one asset rule')
    .argument('<name>', 'rule name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const client = await connect();
        const rule = await findByName<AssetRule>(client, '/api/v1/asset-rules', name, 'asset rule');
        if (options.json) printJson(rule);
        else {
          printFields([
            ['name', rule.name],
            ['id', rule.id],
            ['tag', rule.tag],
            ['enabled', rule.enabled ? 'yes' : 'no'],
            ['rule', rule.rule],
            ...(rule.description ? [['description', rule.description] as const] : []),
            ['updated', when(rule.updatedAt)],
          ]);
        }
        return 0;
      }),
    );

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
