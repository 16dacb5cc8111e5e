/**
 * `palisade asset-rules list|show|delete`: conditions on devices that add a tag (phased rollout
 * of management). Created and changed as documents (`palisade apply`) or in the portal.
 */
import type { Command } from 'commander';
import { registerDeleteCommand } from './delete.js';
import { registerListCommand } from './list.js';
import { registerShowCommand } from './show.js';

export function registerAssetRulesCommands(program: Command): void {
  const rules = program
    .command('asset-rules')
    .description('asset rules: conditions that tag devices');
  registerListCommand(rules);
  registerShowCommand(rules);
  registerDeleteCommand(rules);
}
