/**
 * External commands the drivers run (nft, clamdscan, powershell). Injected through the context so
 * a driver's I/O is one port; the real runner never goes through a shell.
 */
import { spawn } from 'node:child_process';

export interface CommandOutcome {
  /** Exit code; null when the command could not be started or was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { readonly input?: string; readonly timeoutMs?: number },
) => Promise<CommandOutcome>;

export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '', stderr: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });

/** Runs a command and throws with its native error text when it does not exit 0. */
export async function runChecked(
  run: CommandRunner,
  command: string,
  args: readonly string[],
  options?: { readonly input?: string; readonly timeoutMs?: number },
): Promise<string> {
  const outcome = await run(command, args, options);
  if (outcome.code !== 0) {
    const text = (outcome.stderr || outcome.stdout).trim();
    throw new Error(`${command} ${args.join(' ')} failed (exit ${outcome.code}): ${text}`);
  }
  return outcome.stdout;
}
