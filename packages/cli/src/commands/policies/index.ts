/**
 * `palisade policies list|show|versions|diff|revert`: policies by name (or id). Every save is a
 * version; `diff V1 V2` shows per setting what changed, `revert V` saves a new version with the
 * content of V (the history is never rewritten).
 */
import type { Policy, PolicyDiff, PolicySummary } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { UsageError } from '../../config.js';
import {
  print,
  printFields,
  printJson,
  printListing,
  printTable,
  runAction,
  show,
  when,
} from '../../output.js';

interface VersionList {
  items: { version: number; change: string; createdAt: string; createdBy: string | null }[];
  total: number;
}

function versionNumber(text: string, what: string): number {
  const value = Number(text.replace(/^v/i, ''));
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${what}: "${text}" is not a version number`);
  }
  return value;
}

export function registerPoliciesCommands(program: Command): void {
  const policies = program.command('policies').description('policies and their versions');
  const find = async (name: string) => {
    const client = await connect();
    const summary = await findByName<PolicySummary>(client, '/api/v1/policies', name, 'policy');
    return { client, summary };
  };

  policies
    .command('list')
    .description('list policies')
    .option('--platform <platform>', 'windows, macos or linux')
    .option('--profile <profile>', 'e.g. antivirus-exclusions')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { platform?: string; profile?: string; json?: boolean }) => {
        const client = await connect();
        const items = await client.all<PolicySummary>('/api/v1/policies', {
          platform: options.platform,
          profile: options.profile,
        });
        printListing(
          options,
          { items, total: items.length },
          items,
          ['NAME', 'PLATFORM', 'PROFILE', 'VERSION', 'SETTINGS', 'UPDATED'],
          (p) => [
            p.name,
            p.platform,
            p.profile,
            String(p.version),
            String(p.settingCount),
            when(p.updatedAt),
          ],
          'no policies',
        );
        return 0;
      }),
    );

  policies
    .command('show')
    .description('the current version of a policy: settings and assignments')
    .argument('<name>', 'policy name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const { client, summary } = await find(name);
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

  policies
    .command('versions')
    .description('every version of a policy, newest first')
    .argument('<name>', 'policy name or id')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (name: string, options: { json?: boolean }) => {
        const { client, summary } = await find(name);
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

  policies
    .command('diff')
    .description('what changed between two versions, per setting')
    .argument('<name>', 'policy name or id')
    .argument('<from>', 'the older version')
    .argument('<to>', 'the newer version')
    .option('--json', 'print as JSON')
    .action(
      runAction(
        async (name: string, fromText: string, toText: string, options: { json?: boolean }) => {
          const from = versionNumber(fromText, 'from');
          const to = versionNumber(toText, 'to');
          const { client, summary } = await find(name);
          const diff = await client.get<PolicyDiff>(`/api/v1/policies/${summary.id}/diff`, {
            from,
            to,
          });
          if (options.json) {
            printJson(diff);
            return 0;
          }
          print(`${summary.name}: version ${from} → ${to}`);
          if (diff.settings.length === 0 && diff.fields.length === 0) print('  no differences');
          for (const s of diff.settings) {
            if (s.kind === 'added') print(`  + ${s.settingId}: ${show(s.after)}`);
            else if (s.kind === 'removed') print(`  - ${s.settingId}: ${show(s.before)}`);
            else print(`  ~ ${s.settingId}: ${show(s.before)} → ${show(s.after)}`);
          }
          for (const f of diff.fields)
            print(`  ~ ${f.field}: ${show(f.before)} → ${show(f.after)}`);
          return 0;
        },
      ),
    );

  policies
    .command('revert')
    .description("save a new version with an older version's content")
    .argument('<name>', 'policy name or id')
    .argument('<version>', 'the version to go back to')
    .option('--json', 'print the policy as JSON')
    .action(
      runAction(async (name: string, versionText: string, options: { json?: boolean }) => {
        const version = versionNumber(versionText, 'version');
        const { client, summary } = await find(name);
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
