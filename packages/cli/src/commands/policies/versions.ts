/** `palisade policies versions NAME`: every version of a policy, newest first. */
import type { Command } from 'commander';
import { printListing, runAction, when } from '../../output.js';
import { findPolicy, type VersionList } from './lookup.js';

export function registerVersionsCommand(policies: Command): void {
  policies
    .command('versions')
    .description('every version of a policy, newest first')
    .argument('<name>', 'policy name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const { client, summary } = await findPolicy(name);
        const versions = await client.get<VersionList>(`/api/v1/policies/${summary.id}/versions`);
        printListing(
          options,
          versions,
          versions.items,
          ['VERSION', 'CHANGE', 'BY', 'WHEN'],
          (v) => [String(v.version), v.change, v.createdBy ?? '-', when(v.createdAt)],
        );
        return 0;
      }),
    );
}
