/**
 * How server-backed commands answer: a table for people, `--json` for scripts (the server's answer
 * as is), progress bars only on a terminal, and exit codes scripts can rely on: 0 ok, 1 failure
 * (the server refused, something is missing, it cannot be reached), 2 bad usage, 3 for `plan`
 * when there are changes. `runAction` wraps every command's action so they all fail alike.
 */
import { ApiRequestError } from './client.js';
import { formatTable } from './commands/catalog/describe.js';
import { UsageError } from './config.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, changes: 3 } as const;

export interface JsonOption {
  readonly json?: boolean;
}

/** A failure the command already explained (exit code 1, nothing more printed). */
export class CommandFailed extends Error {}

export function isTerminal(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A table with a header row; an empty listing says so instead. */
export function printTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  empty = 'none',
): void {
  if (rows.length === 0) {
    print(`(${empty})`);
    return;
  }
  print(formatTable([header, ...rows]));
}

/** Prints a listing as a table, or the server's answer as JSON with --json. */
export function printListing<T>(
  options: JsonOption,
  value: unknown,
  items: readonly T[],
  header: readonly string[],
  row: (item: T) => readonly string[],
  empty?: string,
): void {
  if (options.json) printJson(value);
  else printTable(header, items.map(row), empty);
}

/** Aligned `key: value` lines. */
export function printFields(fields: readonly (readonly [string, string])[]): void {
  const width = Math.max(...fields.map(([key]) => key.length));
  for (const [key, value] of fields) print(`${`${key}:`.padEnd(width + 2)}${value}`);
}

/** A value as one short line: strings bare, everything else as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `2026-11-26T15:24:39.123Z` → `2026-11-26 15:24:39`. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** Prints the server's per-field problems under its message. */
export function printApiError(error: ApiRequestError): void {
  warn(`palisade: ${error.message}`);
  for (const field of error.fields) {
    if (`${field.path}: ${field.message}` === error.message) continue;
    const at = field.line ? ` (line ${field.line}, column ${field.column ?? 1})` : '';
    warn(`  ${field.path}: ${field.message}${at}`);
  }
}

/**
 * Runs a command's action and turns what it throws into a message and an exit code: a usage
 * problem 2, the server's refusal or an unreachable server 1.
 */
export function runAction<A extends unknown[]>(
  action: (...args: A) => Promise<number | undefined>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await action(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError) {
        warn(`palisade: ${error.message}`);
        process.exitCode = EXIT.usage;
      } else if (error instanceof ApiRequestError) {
        printApiError(error);
        process.exitCode = EXIT.failure;
      } else if (error instanceof CommandFailed) {
        if (error.message) warn(`palisade: ${error.message}`);
        process.exitCode = EXIT.failure;
      } else {
        throw error;
      }
    }
  };
}
