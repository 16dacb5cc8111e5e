/**
 * `palisade import intune FILE... [--out DIR]`: turns Microsoft Intune settings-catalog policies
 * (Graph `deviceManagementConfigurationPolicy` JSON) into Palisade documents; see
 * documents/intune.ts for the mapping.
 */
import type { Command } from 'commander';
import { registerIntuneImportCommand } from './intune.js';

export function registerImportCommands(program: Command): void {
  const command = program
    .command('import')
    .description('turn policies of other products into Palisade documents');
  registerIntuneImportCommand(command);
}
