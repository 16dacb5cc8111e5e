/**
 * `palisade settings show|set`: the tenant's enforcement scope per platform (off, all, or tagged
 * devices) and its switches (Configuration Manager authority, cloud-connector devices, domain
 * controllers, the fallback check-in interval). Changing them re-decides every device's
 * enrollment; it needs the administrator role.
 */
import { PLATFORMS, type Platform } from '@palisade/core';
import type { TenantSettingsMessage, UpdateTenantSettingsRequest } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { print, printFields, printJson, runAction } from '../../output.js';

type Scope = TenantSettingsMessage['enforcementScope'][Platform];

function scopeText(scope: Scope): string {
  return scope.mode === 'tagged' ? `tagged:${scope.tag}` : scope.mode;
}

/** `linux=all`, `macos=tagged:MDE-Management`, `windows-client=off`. */
export function parseScope(text: string): [Platform, Scope] {
  const match = /^([a-z-]+)=(off|all|tagged:(\S+))$/.exec(text.trim());
  const platform = PLATFORMS.find((p) => p === match?.[1]);
  if (!match || !platform) {
    throw new UsageError(
      `--scope: "${text}" is not PLATFORM=off|all|tagged:TAG with a platform of ${PLATFORMS.join(', ')}`,
    );
  }
  const scope: Scope =
    match[2] === 'off'
      ? { mode: 'off' }
      : match[2] === 'all'
        ? { mode: 'all' }
        : { mode: 'tagged', tag: match[3] ?? '' };
  return [platform, scope];
}

function onOff(text: string | undefined, flag: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (/^(on|true|yes)$/i.test(text)) return true;
  if (/^(off|false|no)$/i.test(text)) return false;
  throw new UsageError(`${flag}: "${text}" is not on or off`);
}

function printSettings(settings: TenantSettingsMessage): void {
  printFields([
    ['security settings management', settings.securitySettingsManagement ? 'on' : 'off'],
    ...PLATFORMS.map(
      (platform) => [`scope ${platform}`, scopeText(settings.enforcementScope[platform])] as const,
    ),
    ['Configuration Manager authority', settings.configMgrAuthority ? 'on' : 'off'],
    ['cloud connector devices', settings.cloudConnector ? 'on' : 'off'],
    ['domain controllers', settings.domainControllers ? 'on' : 'off'],
    ['check-in interval', `${settings.checkInIntervalMinutes} minutes`],
  ]);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description("the tenant's enforcement scope and switches");

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
            if (!Number.isInteger(minutes)) {
              throw new UsageError(
                `--check-in-interval: "${options.checkInInterval}" is not a whole number`,
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
