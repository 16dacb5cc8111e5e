/**
 * Bringing a new clamd.conf into force. clamd reads its configuration only at start: the RELOAD
 * command (and `clamdscan --reload`, SIGUSR2) reloads the signature databases and nothing else,
 * which we checked against clamd 1.4 (an ExcludePath added then RELOADed is still scanned). So
 * the driver restarts the daemon when it is running:
 * - under systemd (the distribution's `clamav-daemon` unit, or `clamd@scan` on RHEL): `systemctl
 *   restart` that unit;
 * - otherwise (containers, a clamd started by hand or by a test): stop the process named in its
 *   PidFile and start `clamd --config-file=<file>` again.
 * A daemon that is not running is left alone: it reads the new file when it starts.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../commands.js';
import { runChecked } from '../commands.js';
import type { DriverContext } from '../driver.js';
import { clamdAddress, clamdPing } from './clamd-client.js';
import { type ClamdConf, directiveValue } from './clamd-conf.js';

const SYSTEMD_UNITS = ['clamav-daemon', 'clamd@scan'] as const;
export const CLAMD_BINARIES = [
  '/usr/sbin/clamd',
  '/usr/local/sbin/clamd',
  '/usr/bin/clamd',
] as const;
/** Loading a full signature database takes tens of seconds on a small machine. */
const START_TIMEOUT_MS = 180_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function activeSystemdUnit(run: CommandRunner): Promise<string | null> {
  for (const unit of SYSTEMD_UNITS) {
    const outcome = await run('systemctl', ['is-active', '--quiet', unit], { timeoutMs: 10_000 });
    if (outcome.code === 0) return unit;
  }
  return null;
}

async function pidOf(conf: ClamdConf): Promise<number | null> {
  const pidFile = directiveValue(conf, 'PidFile');
  if (!pidFile) return null;
  const text = await readFile(pidFile, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return false;
}

/**
 * Restarts clamd on the configuration at `confPath` if it runs. Throws (with what clamd said) when
 * the daemon does not come back: the caller then restores the previous file and calls again.
 */
export async function restartClamd(
  confPath: string,
  conf: ClamdConf,
  context: DriverContext,
  options: { readonly startIfStopped?: boolean } = {},
): Promise<void> {
  const address = clamdAddress(conf);
  const pid = await pidOf(conf);
  const answering = address ? await clamdPing(address) : false;
  if (pid === null && !answering && !options.startIfStopped) {
    context.log('clamav: clamd is not running; it reads the new configuration when it starts');
    return;
  }
  // systemd manages only the distribution's own file on the real root.
  const unit = context.root === '/' ? await activeSystemdUnit(context.run) : null;
  if (unit) {
    await runChecked(context.run, 'systemctl', ['restart', unit], { timeoutMs: START_TIMEOUT_MS });
    if (address && !(await waitUntil(() => clamdPing(address), START_TIMEOUT_MS))) {
      throw new Error(`clamd did not answer PING after systemctl restart ${unit}`);
    }
  } else {
    if (pid === null && answering) {
      throw new Error(
        'clamd is running but its configuration names no PidFile, so it cannot be restarted',
      );
    }
    if (pid !== null) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitUntil(() => !isAlive(pid), 60_000))) {
        throw new Error(`clamd (pid ${pid}) did not stop`);
      }
    }
    await startClamd(confPath, address, context);
  }
  context.log(`clamav: clamd restarted on ${confPath}`);
}

/**
 * Starts clamd and waits until it answers. clamd either stays in the foreground or forks and exits
 * 0; a non-zero exit is a refusal of the configuration, reported with clamd's last words.
 */
async function startClamd(
  confPath: string,
  address: ReturnType<typeof clamdAddress>,
  context: DriverContext,
): Promise<void> {
  context.log(`clamav: starting clamd --config-file=${confPath}`);
  const binary = CLAMD_BINARIES.find((path) => existsSync(path)) ?? 'clamd';
  const logPath = join(tmpdir(), `palisade-clamd-${process.pid}.log`);
  const output = openSync(logPath, 'a');
  const child = spawn(binary, [`--config-file=${confPath}`], {
    detached: true,
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  const exit: { failure: string | null } = { failure: null };
  child.on('exit', (code) => {
    if (code !== 0) exit.failure = `exit ${code}`;
  });
  child.on('error', (error) => {
    exit.failure = error.message;
  });
  child.unref();
  const up = await waitUntil(
    async () => exit.failure !== null || (address !== null && (await clamdPing(address))),
    address ? START_TIMEOUT_MS : 1_000,
  );
  if (exit.failure !== null) {
    const said = (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-3);
    throw new Error(`clamd refused the configuration (${exit.failure}): ${said.join(' ')}`);
  }
  if (!up && address)
    throw new Error('clamd did not answer PING after the restart (see its LogFile)');
}
