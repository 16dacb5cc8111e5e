/**
 * `--help` everywhere: every command main.ts registers, at every depth, describes itself and
 * offers -h/--help with its options. The commands are registered in-process from each
 * commands/<noun>/index.ts, exactly as main.ts does (which the test checks by name).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

const commandsDir = new URL('../src/commands/', import.meta.url);
const mainText = readFileSync(new URL('../src/main.ts', import.meta.url), 'utf8');

type Register = (program: Command) => void;

async function registrations(): Promise<[string, Register][]> {
  const found: [string, Register][] = [];
  for (const noun of readdirSync(commandsDir, { withFileTypes: true })) {
    if (!noun.isDirectory()) continue;
    const module = (await import(new URL(`${noun.name}/index.ts`, commandsDir).href)) as Record<
      string,
      unknown
    >;
    for (const [name, value] of Object.entries(module)) {
      if (name.startsWith('register') && typeof value === 'function') {
        found.push([name, value as Register]);
      }
    }
  }
  return found;
}

/** Every command under `command`, with its full path (`palisade policies diff`). */
function walk(command: Command, path: string): [string, Command][] {
  return command.commands.flatMap((child) => {
    const childPath = `${path} ${child.name()}`;
    return [[childPath, child] as [string, Command], ...walk(child, childPath)];
  });
}

describe('--help everywhere', () => {
  it('registers every noun of commands/ in main.ts', async () => {
    const names = (await registrations()).map(([name]) => name);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(mainText, name).toContain(`${name}(program);`);
  });

  it('gives every command a description and a help text with -h, --help', async () => {
    const program = new Command('palisade').exitOverride();
    for (const [, register] of await registrations()) register(program);
    const commands = walk(program, 'palisade');
    expect(commands.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        'palisade rule check',
        'palisade rule eval',
        'palisade catalog list',
        'palisade catalog show',
        'palisade policy validate',
        'palisade login',
        'palisade token create',
        'palisade devices show',
        'palisade policies diff',
        'palisade sync',
        'palisade audit',
        'palisade plan',
        'palisade apply',
        'palisade export',
        'palisade import intune',
      ]),
    );
    for (const [path, command] of commands) {
      expect(command.description(), `${path} has no description`).not.toBe('');
      const help = command.helpInformation();
      expect(help, path).toMatch(/^Usage: /);
      expect(help, path).toContain('-h, --help');
    }
  });
});
