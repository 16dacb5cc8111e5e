/** `palisade rule format "<rule>"`: prints a rule in canonical form (what the server stores). */
import { parseRule, printRule } from '@palisade/core';
import type { Command } from 'commander';
import { formatDiagnostic } from './check.js';
import { readStdin } from './input.js';
import { schemaOf, schemaOption } from './schema-option.js';

export function registerFormatCommand(rule: Command): void {
  rule
    .command('format')
    .description('print a rule in canonical form (device. prefixes, -operators, double quotes)')
    .argument('<rule>', 'the rule text, quoted; "-" reads it from standard input')
    .addOption(schemaOption())
    .action(async (text: string, options: { schema?: string }) => {
      const ruleText = text === '-' ? (await readStdin()).replace(/\r?\n$/, '') : text;
      const result = parseRule(ruleText, schemaOf(options));
      if (result.ok) {
        process.stdout.write(`${printRule(result.ast)}\n`);
        return;
      }
      for (const diagnostic of result.diagnostics) {
        process.stdout.write(formatDiagnostic(ruleText, diagnostic));
      }
      process.exitCode = 1;
    });
}
