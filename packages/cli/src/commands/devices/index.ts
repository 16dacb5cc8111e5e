/**
 * `palisade devices list|show|tag`: the fleet as the server sees it. `show` gives the facts, how
 * the device is managed (enrollment status with its meaning and fix), its tags and groups, the
 * effective configuration with the policy behind each setting and the conflicts, and the status
 * the agent reported per setting.
 */
import type { Command } from 'commander';
import { registerListCommand } from './list.js';
import { registerShowCommand } from './show.js';
import { registerTagCommand } from './tag.js';

export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('the onboarded devices');
  registerListCommand(devices);
  registerShowCommand(devices);
  registerTagCommand(devices);
}
