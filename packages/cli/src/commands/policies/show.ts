/** `palisade policies show`: the current version of a policy: settings and assignments. */
import type { Policy } from '@palisade/protocol';
import type { Command } from 'commander';
import { print, printFields, printJson, printTable, runAction, show, when } from '../../output.js';
import { findPolicy } from './lookup.js';

export function registerShowCommand(policies: Command): void {
  policies
    .command('show')
    .description('the current version of a policy: settings and assignments')
    .argument('<name>', 'policy name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const { client, summary } = await findPolicy(name);
        const policy = await client.get<Policy>(`/api/v1/policies/${summary.id}`);
        if (options.json) {
          printJson(policy);
          return 0;
        }
        const groups = await client.all<{ id: string; name: string }>('/api/v1/groups');
        const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
        const { include, exclude, filter } = policy.assignments;
        printFields([
          ['name', policy.name],
          ['id', policy.id],
          ['platform', policy.platform],
          ['profile', policy.profile],
          ['version', String(policy.version)],
          ...(policy.description ? [['description', policy.description] as const] : []),
          ['include', include.map(groupName).join(', ') || '-'],
          ['exclude', exclude.map(groupName).join(', ') || '-'],
          ['filter', filter ? `${filter.mode} ${filter.rule}` : '-'],
          ['updated', when(policy.updatedAt)],
        ]);
        print();
        printTable(
          ['SETTING', 'VALUE'],
          Object.entries(policy.settings).map(([id, value]) => [id, show(value)]),
          'no settings',
        );
        return 0;
      }),
    );
}
