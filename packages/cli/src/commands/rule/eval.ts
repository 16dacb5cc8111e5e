/**
 * `palisade rule eval --jsonl FILE`: evaluates rules against devices, one case a line:
 *   in:  {"rule": "...", "device": {"deviceOSType": "Linux", ...}}   (device properties by rule name)
 *   out: {"valid": true|false, "match": true|false|null, "error": "...|null"}
 * One output line per input line, in order. An invalid rule is an answer (valid false, exit 0); a
 * line that is not such an object is answered {"valid":false,"match":null,"error":"line N: ..."}
 * and makes the command exit 1 at the end.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { compileRuleText, type RuleSchemaName, rulePropertiesFrom } from '@palisade/core';
import { type Command, Option } from 'commander';
import { openInput } from './input.js';
import { schemaOf, schemaOption } from './schema-option.js';

export interface EvalOutput {
  readonly valid: boolean;
  readonly match: boolean | null;
  readonly error: string | null;
}

type LineResult = { readonly output: EvalOutput; readonly malformed: boolean };

function malformed(lineNumber: number, message: string): LineResult {
  return {
    output: { valid: false, match: null, error: `line ${lineNumber}: ${message}` },
    malformed: true,
  };
}

/** Answers one input line (1-based `lineNumber`, for messages). */
export function evaluateLine(line: string, lineNumber: number, schema: RuleSchemaName): LineResult {
  if (line.trim() === '') return malformed(lineNumber, 'empty line; expected a JSON object');
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (error) {
    return malformed(lineNumber, `not JSON (${error instanceof Error ? error.message : error})`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return malformed(lineNumber, 'expected a JSON object {"rule": "...", "device": {...}}');
  }
  const { rule, device } = input as { rule?: unknown; device?: unknown };
  if (typeof rule !== 'string') return malformed(lineNumber, '"rule" must be a string');
  const properties = rulePropertiesFrom(schema, device ?? {});
  if (!properties.ok) return malformed(lineNumber, properties.error);
  const compiled = compileRuleText(rule, schema);
  if (!compiled.ok) {
    const first = compiled.diagnostics[0];
    const error = first
      ? `line ${first.line}, column ${first.column}: ${first.message}`
      : 'invalid rule';
    return { output: { valid: false, match: null, error }, malformed: false };
  }
  return {
    output: { valid: true, match: compiled.matches(properties.properties), error: null },
    malformed: false,
  };
}

export function registerEvalCommand(rule: Command): void {
  rule
    .command('eval')
    .description('evaluate rules against devices, one JSON case a line, one JSON answer a line')
    .addOption(
      new Option(
        '--jsonl <file>',
        'input file of {"rule", "device"} lines; "-" reads standard input',
      ).makeOptionMandatory(),
    )
    .addOption(schemaOption())
    .addHelpText(
      'after',
      '\nInput line:  {"rule": "device.deviceOSType -eq \\"Linux\\"", "device": {"deviceOSType": "Linux"}}\nOutput line: {"valid":true,"match":true,"error":null}',
    )
    .action(async (options: { jsonl: string; schema?: string }) => {
      const schema = schemaOf(options);
      const input = openInput(options.jsonl);
      const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      let lineNumber = 0;
      let failed = false;
      // A reader that stops early (`| head`) closes the pipe: stop quietly instead of crashing.
      let closed = false;
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        closed = true;
        lines.close();
      });
      try {
        for await (const line of lines) {
          if (closed) break;
          lineNumber++;
          const result = evaluateLine(line, lineNumber, schema);
          failed ||= result.malformed;
          if (!process.stdout.write(`${JSON.stringify(result.output)}\n`) && !closed) {
            await once(process.stdout, 'drain');
          }
        }
      } catch (error) {
        if (closed) return;
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`rule eval: cannot read ${options.jsonl}: ${reason}`);
      }
      if (failed) process.exitCode = 1;
    });
}
