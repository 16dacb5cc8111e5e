/**
 * `palisade rule check "<rule>"`: validates a rule offline. Prints `valid` (exit 0), or the error
 * with its position and the rule line with a caret under it (exit 1).
 */
import { parseRule, type RuleDiagnostic } from '@palisade/core';
import type { Command } from 'commander';
import { readStdin } from './input.js';
import { schemaOf, schemaOption } from './schema-option.js';

/** "error at line L, column C: message", the rule's line, and a caret under the span. */
export function formatDiagnostic(rule: string, diagnostic: RuleDiagnostic): string {
  const line = rule.split('\n')[diagnostic.line - 1] ?? '';
  const width = Math.max(1, Math.min(diagnostic.length, line.length - diagnostic.column + 1));
  const caret = `${' '.repeat(diagnostic.column - 1)}^${'~'.repeat(width - 1)}`;
  return `error at line ${diagnostic.line}, column ${diagnostic.column}: ${diagnostic.message}\n${line}\n${caret}\n`;
}

export function registerCheckCommand(rule: Command): void {
  rule
    .command('check')
    .description('check a rule: prints "valid", or the error with its position (exit 1)')
    .argument('<rule>', 'the rule text, quoted; "-" reads it from standard input')
    .addOption(schemaOption())
    .addHelpText(
      'after',
      '\nExample:\n  palisade rule check \'(device.deviceOSType -eq "Linux") -and (device.managementType -eq "MicrosoftSense")\'',
    )
    .action(async (text: string, options: { schema?: string }) => {
      const ruleText = text === '-' ? (await readStdin()).replace(/\r?\n$/, '') : text;
      const result = parseRule(ruleText, schemaOf(options));
      if (result.ok) {
        process.stdout.write('valid\n');
        return;
      }
      for (const diagnostic of result.diagnostics) {
        process.stdout.write(formatDiagnostic(ruleText, diagnostic));
      }
      process.exitCode = 1;
    });
}
