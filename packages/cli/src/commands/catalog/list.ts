/**
 * `palisade catalog list [--platform P] [--profile X] [--json]`: the settings, one a line
 * (id, type, platforms, profile), or as JSON.
 */
import {
  listSettings,
  POLICY_PLATFORMS,
  type PolicyPlatform,
  PROFILES,
  type Profile,
} from '@palisade/core';
import { type Command, Option } from 'commander';
import { formatTable, typeSummary } from './describe.js';

export function registerListCommand(catalog: Command): void {
  catalog
    .command('list')
    .description('list the settings: id, type, platforms, profile')
    .addOption(
      new Option('--platform <platform>', 'only settings of this platform').choices(
        POLICY_PLATFORMS,
      ),
    )
    .addOption(new Option('--profile <profile>', 'only settings of this profile').choices(PROFILES))
    .option('--json', 'print the full definitions as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  palisade catalog list --platform linux --profile antivirus-exclusions',
    )
    .action((options: { platform?: PolicyPlatform; profile?: Profile; json?: boolean }) => {
      const settings = listSettings({
        ...(options.platform ? { platform: options.platform } : {}),
        ...(options.profile ? { profile: options.profile } : {}),
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
        return;
      }
      const rows = settings.map((s) => [
        s.id,
        typeSummary(s.type),
        s.platforms.join(','),
        s.profile,
      ]);
      process.stdout.write(`${formatTable([['ID', 'TYPE', 'PLATFORMS', 'PROFILE'], ...rows])}\n`);
    });
}
