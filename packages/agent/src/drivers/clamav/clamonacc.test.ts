/**
 * On-access scanning for real: clamd on a temporary configuration, the driver writing the folders
 * to watch and a path exclusion, then `clamonacc --fdpass` (which hands clamd an open file, no
 * path, so clamd's ExcludePath cannot apply). A planted file in the watched folder is found when
 * read; the same file in the excluded folder is not, because of OnAccessExcludePath alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPart } from '../../../../../testing/system.js';
import { contextIn, settingsOf, tempRoot } from '../test-support.js';
import { ClamavDriver } from './clamav-driver.js';
import { clamdPing } from './clamd-client.js';

const CLAMD = '/usr/sbin/clamd';
const CLAMONACC = '/usr/sbin/clamonacc';
// clamonacc needs root (fanotify) and clamd to scan for it.
const hasClamonacc = systemPart(
  'clamonacc (run as root, with fanotify)',
  existsSync(CLAMD) && existsSync(CLAMONACC) && process.getuid?.() === 0,
  'apt-get install clamav-daemon, and run the tests as root',
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}

describe.runIf(hasClamonacc)('ClamavDriver with a real clamonacc --fdpass', () => {
  const root = tempRoot();
  const work = join(root, 'work');
  const watched = join(work, 'watched');
  const excluded = join(watched, 'excluded');
  const scannedFile = join(watched, 'planted.bin');
  const excludedFile = join(excluded, 'planted.bin');
  const confPath = join(root, 'etc/clamav/clamd.conf');
  const socket = { path: join(work, 'clamd.sock') };
  const pidFile = join(work, 'clamd.pid');
  const onAccessLog = join(work, 'clamonacc.log');
  let clamonacc: ChildProcess | undefined;

  beforeAll(async () => {
    mkdirSync(join(work, 'db'), { recursive: true });
    mkdirSync(excluded, { recursive: true });
    mkdirSync(join(root, 'etc/clamav'), { recursive: true });
    const content = `palisade on-access test file ${root}\n`;
    writeFileSync(scannedFile, content);
    writeFileSync(excludedFile, content);
    const md5 = createHash('md5').update(content).digest('hex');
    writeFileSync(
      join(work, 'db/palisade-test.hdb'),
      `${md5}:${Buffer.byteLength(content)}:Palisade.Test.OnAccess\n`,
    );
    writeFileSync(
      confPath,
      [
        `LocalSocket ${socket.path}`,
        `DatabaseDirectory ${join(work, 'db')}`,
        `PidFile ${pidFile}`,
        'Foreground yes',
        // clamonacc refuses to start without a process owner it ignores (so clamd's own reads
        // do not loop back). clamd runs as root here, like the test, so a UID nobody uses.
        'OnAccessExcludeUID 54321',
        '',
      ].join('\n'),
    );
    const child = spawn(CLAMD, [`--config-file=${confPath}`], { detached: true, stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 300 && !(await clamdPing(socket)); i++) await sleep(100);
  });

  afterAll(async () => {
    // clamonacc first, while clamd still answers: without clamd it can hang on SIGTERM.
    const onAccess = clamonacc;
    if (onAccess?.pid && onAccess.exitCode === null && onAccess.signalCode === null) {
      const exited = new Promise((resolve) => onAccess.once('exit', resolve));
      onAccess.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])))
        onAccess.kill('SIGKILL');
    }
    const pid = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '', 10);
    if (pid > 0) process.kill(pid, 'SIGTERM');
  });

  it('scans a file read in a watched folder and not one in an excluded folder', async () => {
    const driver = new ClamavDriver();
    const outcome = await driver.apply(
      settingsOf({ 'antivirus.onAccessPaths': [watched], 'exclusions.paths': [`${excluded}/`] }),
      contextIn(root),
    );
    expect(outcome.results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(readFileSync(confPath, 'utf8')).toContain(`\nOnAccessExcludePath ${excluded}\n`);
    expect(await clamdPing(socket)).toBe(true);

    clamonacc = spawn(
      CLAMONACC,
      [
        `--config-file=${confPath}`,
        '--foreground',
        '--fdpass',
        '--verbose',
        `--log=${onAccessLog}`,
      ],
      { stdio: 'ignore' },
    );
    const log = () => (existsSync(onAccessLog) ? readFileSync(onAccessLog, 'utf8') : '');
    const ready = await until(() => /waiting to consume events/.test(log()), 30_000);
    expect(ready, log()).toBe(true);
    expect(log()).toContain(`excluding '${excluded}'`);

    // The excluded file first: once the watched one is reported, the other had its chance.
    readFileSync(excludedFile);
    readFileSync(scannedFile);
    const found = await until(
      () => log().includes(`${scannedFile}: Palisade.Test.OnAccess`),
      20_000,
    );
    expect(found, log()).toBe(true);
    await sleep(1000);
    expect(log()).not.toContain(`${excludedFile}:`);
  }, 90_000);
});
