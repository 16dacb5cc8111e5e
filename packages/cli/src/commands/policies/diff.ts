/** `palisade policies diff`: what changed between two versions, per setting. */
import type { PolicyDiff } from '@palisade/protocol';
import type { Command } from 'commander';
import { print, printJson, runAction, show } from '../../output.js';
import { findPolicy, versionNumber } from './lookup.js';

export function registerDiffCommand(policies: Command): void {
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
          const { client, summary } = await findPolicy(name);
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
}
