/**
 * `palisade catalog ...`: the settings catalog, offline: every setting Palisade manages, its
 * type, platforms, profile, default and the native name each enforcement driver uses.
 */
import type { Command } from 'commander';
import { registerListCommand } from './list.js';
import { registerProfilesCommand } from './profiles.js';
import { registerShowCommand } from './show.js';

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('browse the settings catalog: list settings, show one, list profiles');
  registerListCommand(catalog);
  registerShowCommand(catalog);
  registerProfilesCommand(catalog);
}
