/** `palisade rule properties`: the properties a rule can read, by schema. */
import { OPERATORS_BY_TYPE, RULE_PROPERTIES } from '@palisade/core';
import type { Command } from 'commander';
import { schemaOf, schemaOption } from './schema-option.js';

export function registerPropertiesCommand(rule: Command): void {
  rule
    .command('properties')
    .description('list the properties rules can read, with their types and operators')
    .addOption(schemaOption())
    .option('--json', 'print JSON')
    .action((options: { schema?: string; json?: boolean }) => {
      const properties = RULE_PROPERTIES[schemaOf(options)];
      if (options.json) {
        process.stdout.write(`${JSON.stringify(properties, null, 2)}\n`);
        return;
      }
      for (const property of properties) {
        const type = property.multiValued ? `${property.type}[]` : property.type;
        const operators = property.multiValued
          ? ['any', 'all']
          : (property.operators ?? OPERATORS_BY_TYPE[property.type]);
        process.stdout.write(
          `device.${property.name}  ${type}  ${operators.map((op) => `-${op}`).join(' ')}\n    ${property.description}\n`,
        );
      }
    });
}
