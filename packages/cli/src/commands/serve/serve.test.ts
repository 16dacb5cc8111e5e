/**
 * `palisade serve` as an administrator starts it: the built binary in a child process. The first
 * start prints a generated admin password once; it signs in; a restart prints none; SIGTERM
 * stops the server cleanly; bad options are usage errors.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const CLI = `${repoRoot}packages/cli/dist/main.js`;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

function startServe(dataDir: string): Promise<Started> {
  const env = { ...process.env };
  delete env.PALISADE_ADMIN_PASSWORD;
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ child, url: match[1], output: () => output });
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

function stop(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.once('exit', (code) => resolve(code));
    started.child.kill('SIGTERM');
  });
}

beforeAll(() => {
  execFileSync('flock', ['/tmp/palisade-cli-build.lock', 'npx', 'tsc', '-b', 'packages/cli'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}, 240_000);

describe('palisade serve', () => {
  let dataDir: string;
  const running = new Set<Started>();

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'palisade-serve-'));
  });
  afterAll(() => {
    for (const started of running) started.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a generated admin password once, which signs in; stops cleanly on SIGTERM', async () => {
    const first = await startServe(dataDir);
    running.add(first);
    const password = /password (\S+)/.exec(first.output())?.[1];
    expect(password).toBeDefined();
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    expect(await stop(first)).toBe(0);
    running.delete(first);

    const second = await startServe(dataDir);
    running.add(second);
    expect(second.output()).not.toMatch(/password/);
    const health = await fetch(`${second.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await stop(second)).toBe(0);
    running.delete(second);
  });

  it('refuses a bad option with usage and exit code 2', () => {
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--port', 'eighty'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--port');
    const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--database');
  });
});
