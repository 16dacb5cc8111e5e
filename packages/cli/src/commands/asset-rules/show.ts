/** `palisade asset-rules show`: one asset rule. */
import type { AssetRule } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { printFields, printJson, runAction, when } from '../../output.js';

export function registerShowCommand(rules: Command): void {
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
}
