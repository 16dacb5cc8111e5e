/**
 * `palisade policy ...`: policies as code. `validate` works offline on files; `plan` and `apply`
 * (talking to the server) join later and reuse the same loading (documents/load.ts).
 */
import type { Command } from 'commander';
import { registerValidateCommand } from './validate.js';

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('policies as code: validate policy documents (YAML or JSON)');
  registerValidateCommand(policy);
}
