/** `palisade settings show`: the enforcement scope per platform and the switches. */
import type { TenantSettingsMessage } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { printJson, runAction } from '../../output.js';
import { printSettings } from './tenant-settings.js';

export function registerShowCommand(settings: Command): void {
  settings
    .command('show')
    .description('show the enforcement scope per platform and the switches')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const client = await connect();
        const current = await client.get<TenantSettingsMessage>('/api/v1/tenant/settings');
        if (options.json) printJson(current);
        else printSettings(current);
        return 0;
      }),
    );
}
