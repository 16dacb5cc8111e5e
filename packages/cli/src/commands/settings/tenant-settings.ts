/** The tenant's settings on the command line: `--scope` and on/off switches in, lines out. */
import { PLATFORMS, type Platform } from '@palisade/core';
import type { TenantSettingsMessage } from '@palisade/protocol';
import { UsageError } from '../../config.js';
import { printFields } from '../../output.js';

export type Scope = TenantSettingsMessage['enforcementScope'][Platform];

export function scopeText(scope: Scope): string {
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

export function onOff(text: string | undefined, flag: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (/^(on|true|yes)$/i.test(text)) return true;
  if (/^(off|false|no)$/i.test(text)) return false;
  throw new UsageError(`${flag}: "${text}" is not on or off`);
}

export function printSettings(settings: TenantSettingsMessage): void {
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
