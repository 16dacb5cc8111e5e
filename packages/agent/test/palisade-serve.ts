/**
 * `palisade serve` as an administrator starts it (the built CLI), on a temporary data directory
 * and a port the system picks, for the agent's end-to-end test. `stop` ends it with SIGTERM.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo } from './built-agent.js';

const cliBin = join(repo, 'packages/cli/dist/main.js');

export interface RunningServe {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startServe(dataDir: string, adminPassword: string): Promise<RunningServe> {
  const build = spawnSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`building the CLI failed: ${build.stdout}${build.stderr}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [cliBin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir],
    {
      env: { ...process.env, PALISADE_ADMIN_PASSWORD: adminPassword, PALISADE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${output}`));
    });
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
