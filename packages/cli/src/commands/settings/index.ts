/**
 * `palisade settings show|set`: the tenant's enforcement scope per platform (off, all, or tagged
 * devices) and its switches (Configuration Manager authority, cloud-connector devices, domain
 * controllers, the fallback check-in interval). Changing them re-decides every device's
 * enrollment; it needs the administrator role.
 */
import type { Command } from 'commander';
import { registerSetCommand } from './set.js';
import { registerShowCommand } from './show.js';

export function registerSettingsCommands(program: Command): void {
  const settings = program
    .command('settings')
    .description("the tenant's enforcement scope and switches");
  registerShowCommand(settings);
  registerSetCommand(settings);
}
