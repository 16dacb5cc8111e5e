/**
 * `palisade token create|list|revoke`: the tenant's onboarding tokens, which devices enroll with
 * (`palisade-agent enroll --server URL --token TOKEN`). A token is shown once, at creation.
 */
import type { Command } from 'commander';
import { registerCreateCommand } from './create.js';
import { registerListCommand } from './list.js';
import { registerRevokeCommand } from './revoke.js';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('onboarding tokens devices enroll with');
  registerCreateCommand(token);
  registerListCommand(token);
  registerRevokeCommand(token);
}
