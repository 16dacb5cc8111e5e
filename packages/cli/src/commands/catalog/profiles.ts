/** `palisade catalog profiles [--json]`: the profiles, their platforms and whether they are delivered. */
import { listSettings, PROFILE_DEFINITIONS } from '@palisade/core';
import type { Command } from 'commander';
import { formatTable } from './describe.js';

export function registerProfilesCommand(catalog: Command): void {
  catalog
    .command('profiles')
    .description('list the profiles: platforms, number of settings, delivered or refused')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        process.stdout.write(`${JSON.stringify(PROFILE_DEFINITIONS, null, 2)}\n`);
        return;
      }
      const rows = PROFILE_DEFINITIONS.map((p) => [
        p.id,
        p.platforms.join(','),
        String(listSettings({ profile: p.id }).length),
        p.deliverable ? 'delivered' : 'refused',
        p.displayName,
      ]);
      process.stdout.write(
        `${formatTable([['PROFILE', 'PLATFORMS', 'SETTINGS', 'DELIVERY', 'NAME'], ...rows])}\n`,
      );
    });
}
