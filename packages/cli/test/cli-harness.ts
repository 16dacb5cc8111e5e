/**
 * What the admin CLI tests share: a real `palisade serve` on loopback (SQLite in a temporary
 * directory) started from the freshly built binary, and the same binary run as an administrator
 * runs it, in a child process with its own config directory.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(repoRoot, 'packages/cli/dist/main.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** What the CLI reads on stdin (a password for `--password-stdin`). */
  readonly input?: string;
  /** Environment on top of the test's (XDG_CONFIG_HOME pointing at the harness's config). */
  readonly env?: Record<string, string | undefined>;
}

export interface CliHarness {
  /** The temporary directory: server data, the CLI's config directory, exported documents. */
  readonly work: string;
  /** XDG_CONFIG_HOME of the CLI runs: the session lands in `<configHome>/palisade`. */
  readonly configHome: string;
  /** Builds the CLI, starts `palisade serve` with the admin password and returns its URL. */
  start(): Promise<string>;
  /** Runs the built CLI (asynchronously: simulated agents keep working meanwhile). */
  palisade(args: readonly string[], options?: RunOptions): Promise<Run>;
  /** Stops the server and removes the temporary directory. */
  stop(): Promise<void>;
}

/** A harness whose server knows `adminPassword` for the user `admin`. */
export function cliHarness(prefix: string, adminPassword: string): CliHarness {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const configHome = join(work, 'config');
  let server: ChildProcess | undefined;

  function palisade(args: readonly string[], options: RunOptions = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: work,
        env: {
          ...process.env,
          PALISADE_SERVER: undefined,
          PALISADE_TOKEN: undefined,
          XDG_CONFIG_HOME: configHome,
          ...options.env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
  }

  async function start(): Promise<string> {
    execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repoRoot, stdio: 'inherit' });
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', join(work, 'data')],
      {
        env: { ...process.env, PALISADE_ADMIN_PASSWORD: adminPassword, PALISADE_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server = child;
    return await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)));
    });
  }

  async function stop(): Promise<void> {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  }

  return { work, configHome, start, palisade, stop };
}
