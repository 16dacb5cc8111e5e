#!/usr/bin/env node
/**
 * `palisade`: the admin command line. Each noun registers its commands from commands/<noun>/.
 * Exit codes: 0 ok, 1 failure, 2 bad usage (commander's own usage errors included), 3 plan has changes.
 */
import { Command, CommanderError } from 'commander';
import { registerAssetRulesCommands } from './commands/asset-rules/index.js';
import { registerAuditCommand } from './commands/audit/index.js';
import { registerCatalogCommands } from './commands/catalog/index.js';
import { registerConfigCommands } from './commands/config/index.js';
import { registerDevicesCommands } from './commands/devices/index.js';
import { registerGroupsCommands } from './commands/groups/index.js';
import { registerImportCommands } from './commands/import/index.js';
import { registerLoginCommands } from './commands/login/index.js';
import { registerPoliciesCommands } from './commands/policies/index.js';
import { registerPolicyCommands } from './commands/policy/index.js';
import { registerRuleCommands } from './commands/rule/index.js';
import { registerServeCommand } from './commands/serve/index.js';
import { registerSettingsCommands } from './commands/settings/index.js';
import { registerSyncCommand } from './commands/sync/index.js';
import { registerTokenCommands } from './commands/token/index.js';

export function buildProgram(): Command {
  const program = new Command('palisade')
    .description('Palisade: security settings management for Windows, macOS and Linux fleets')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  // Command registrations (one line per noun):
  registerRuleCommands(program);
  registerCatalogCommands(program);
  registerPolicyCommands(program);
  registerServeCommand(program);
  registerLoginCommands(program);
  registerTokenCommands(program);
  registerDevicesCommands(program);
  registerGroupsCommands(program);
  registerPoliciesCommands(program);
  registerAssetRulesCommands(program);
  registerSettingsCommands(program);
  registerSyncCommand(program);
  registerAuditCommand(program);
  registerConfigCommands(program);
  registerImportCommands(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return 2;
    }
    process.stderr.write(`palisade: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
