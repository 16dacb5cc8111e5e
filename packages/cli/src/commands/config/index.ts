/** Policies as code against the server: plan, apply and export of document directories. */
import type { Command } from 'commander';
import { registerApplyCommand } from './apply.js';
import { registerExportCommand } from './export.js';
import { registerPlanCommand } from './plan.js';

export function registerConfigCommands(program: Command): void {
  registerPlanCommand(program);
  registerApplyCommand(program);
  registerExportCommand(program);
}
