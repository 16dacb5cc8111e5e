/**
 * `palisade groups list|show|members|delete`: assigned and dynamic groups, by name (or id).
 * Groups are created and changed as documents (`palisade apply`) or in the portal.
 */
import type { Command } from 'commander';
import { registerDeleteCommand } from './delete.js';
import { registerListCommand } from './list.js';
import { registerShowCommand } from './show.js';

export function registerGroupsCommands(program: Command): void {
  const groups = program.command('groups').description('device groups (assigned and dynamic)');
  registerListCommand(groups);
  registerShowCommand(groups);
  registerDeleteCommand(groups);
}
