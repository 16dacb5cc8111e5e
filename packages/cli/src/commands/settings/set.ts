/**
 * `palisade settings set`: change some of the tenant's settings (administrator); the rest stay as
 * they are. Enrollment is re-decided for every device.
 */
import type { TenantSettingsMessage, UpdateTenantSettingsRequest } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { print, printJson, runAction } from '../../output.js';
import { onOff, parseScope, printSettings } from './tenant-settings.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSetCommand(settings: Command): void {
  settings
    .command('set')
    .description('change some settings (administrator); the rest stay as they are')
    .option(
      '--scope <platform=mode>',
      'off, all or tagged:TAG per platform (repeatable)',
      collect,
      [],
    )
    .option('--management <on|off>', 'the master switch of security settings management')
    .option(
      '--config-mgr-authority <on|off>',
      'let Configuration Manager stay the single authority',
    )
    .option('--cloud-connector <on|off>', 'manage devices that came in through a cloud connector')
    .option('--domain-controllers <on|off>', 'manage domain controllers')
    .option('--check-in-interval <minutes>', 'fallback check-in interval, 5 to 1440 minutes')
    .option('--json', 'print the settings after the change as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  palisade settings set --scope linux=all --scope macos=tagged:MDE-Management --config-mgr-authority off',
    )
    .action(
      runAction(
        async (options: {
          scope: string[];
          management?: string;
          configMgrAuthority?: string;
          cloudConnector?: string;
          domainControllers?: string;
          checkInInterval?: string;
          json?: boolean;
        }) => {
          const change: UpdateTenantSettingsRequest = {};
          if (options.scope.length > 0) {
            change.enforcementScope = Object.fromEntries(options.scope.map(parseScope));
          }
          const switches = {
            securitySettingsManagement: onOff(options.management, '--management'),
            configMgrAuthority: onOff(options.configMgrAuthority, '--config-mgr-authority'),
            cloudConnector: onOff(options.cloudConnector, '--cloud-connector'),
            domainControllers: onOff(options.domainControllers, '--domain-controllers'),
          };
          for (const [key, value] of Object.entries(switches)) {
            if (value !== undefined) Object.assign(change, { [key]: value });
          }
          if (options.checkInInterval !== undefined) {
            const minutes = Number(options.checkInInterval);
            // The server's own bounds (protocol's tenant settings schema), checked here so a
            // script gets exit 2 and the option's name rather than the API field's.
            if (!Number.isInteger(minutes) || minutes < 5 || minutes > 1440) {
              throw new UsageError(
                `--check-in-interval: "${options.checkInInterval}" is not a whole number of minutes from 5 to 1440`,
              );
            }
            change.checkInIntervalMinutes = minutes;
          }
          if (Object.keys(change).length === 0)
            throw new UsageError('nothing to change: give an option');
          const client = await connect();
          const after = await client.patch<TenantSettingsMessage>(
            '/api/v1/tenant/settings',
            change,
          );
          if (options.json) printJson(after);
          else {
            print('Settings changed; enrollment is re-decided for every device.');
            printSettings(after);
          }
          return 0;
        },
      ),
    );
}
