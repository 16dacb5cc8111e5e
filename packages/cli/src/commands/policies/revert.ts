/** `palisade policies revert`: save a new version with an older version's content. */
import type { Policy } from '@palisade/protocol';
import type { Command } from 'commander';
import { print, printJson, runAction } from '../../output.js';
import { findPolicy, versionNumber } from './lookup.js';

export function registerRevertCommand(policies: Command): void {
  policies
    .command('revert')
    .description("save a new version with an older version's content")
    .argument('<name>', 'policy name or id')
    .argument('<version>', 'the version to go back to')
    .option('--json', 'print the policy as JSON')
    .action(
      runAction(async (name: string, versionText: string, options: { json?: boolean }) => {
        const version = versionNumber(versionText, 'version');
        const { client, summary } = await findPolicy(name);
        const policy = await client.post<Policy>(`/api/v1/policies/${summary.id}/revert`, {
          version,
        });
        if (options.json) printJson(policy);
        else
          print(
            `${policy.name}: reverted to version ${version}, saved as version ${policy.version}.`,
          );
        return 0;
      }),
    );
}
