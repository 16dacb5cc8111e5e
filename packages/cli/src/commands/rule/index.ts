/**
 * `palisade rule ...`: offline commands of the rule language (dynamic group rules, asset rules,
 * assignment filters). They run the same engine as the server, without a server.
 */
import type { Command } from 'commander';
import { registerCheckCommand } from './check.js';
import { registerEvalCommand } from './eval.js';
import { registerFormatCommand } from './format.js';
import { registerPropertiesCommand } from './properties.js';

export function registerRuleCommands(program: Command): void {
  const rule = program
    .command('rule')
    .description('check, evaluate and format rules (dynamic groups, asset rules, filters)');
  registerCheckCommand(rule);
  registerEvalCommand(rule);
  registerFormatCommand(rule);
  registerPropertiesCommand(rule);
}
