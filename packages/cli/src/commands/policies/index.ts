/**
 * `palisade policies list|show|versions|diff|revert`: policies by name (or id). Every save is a
 * version; `diff V1 V2` shows per setting what changed, `revert V` saves a new version with the
 * content of V (the history is never rewritten).
 */
import type { Command } from 'commander';
import { registerDiffCommand } from './diff.js';
import { registerListCommand } from './list.js';
import { registerRevertCommand } from './revert.js';
import { registerShowCommand } from './show.js';
import { registerVersionsCommand } from './versions.js';

export function registerPoliciesCommands(program: Command): void {
  const policies = program.command('policies').description('policies and their versions');
  registerListCommand(policies);
  registerShowCommand(policies);
  registerVersionsCommand(policies);
  registerDiffCommand(policies);
  registerRevertCommand(policies);
}
