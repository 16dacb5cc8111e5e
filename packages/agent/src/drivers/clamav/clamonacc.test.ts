/**
 * On-access scanning for real: clamd on a temporary configuration, the driver writing the folders
 * to watch and a path exclusion, then `clamonacc --fdpass` (which hands clamd an open file, no
 * path, so clamd's ExcludePath cannot apply). A planted file in the watched folder is found when
 * read; the same file in the excluded folder is not, because of OnAccessExcludePath alone.
 * clamd.conf starts as Debian ships it, with User clamav and no OnAccessExclude{UID,Uname,RootUID}:
 * clamonacc starts only because the driver adds OnAccessExcludeUname clamav.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPart } from '../../../../../testing/system.js';
import { contextIn, settingsOf, tempRoot } from '../test-support.js';
import { ClamavDriver } from './clamav-driver.js';
import { clamdPing } from './clamd-client.js';

const CLAMD = '/usr/sbin/clamd';
const CLAMONACC = '/usr/sbin/clamonacc';
/** The account Debian's clamav-daemon package creates and runs clamd as. */
const CLAMD_USER = 'clamav';

function clamdAccount(): { uid: number; gid: number } | undefined {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === CLAMD_USER);
  return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : undefined;
}

// clamonacc needs root (fanotify) and clamd to scan for it; clamd runs as clamav, as on Debian.
const hasClamonacc = systemPart(
  'clamonacc (run as root, with fanotify, and a clamav account)',
  existsSync(CLAMD) &&
    existsSync(CLAMONACC) &&
    process.getuid?.() === 0 &&
    clamdAccount() !== undefined,
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
        // As Debian ships it: clamd drops to clamav, and no OnAccessExclude* line. clamonacc
        // refuses to start without one; the driver writes it (OnAccessExcludeUname clamav).
        `User ${CLAMD_USER}`,
        '',
      ].join('\n'),
    );
    // clamd, as clamav, reads its database and writes its socket and pid file in work/; the
    // planted files it gets from clamonacc as open file descriptors (--fdpass).
    chmodSync(root, 0o755);
    const { uid, gid } = clamdAccount() ?? { uid: 0, gid: 0 };
    for (const path of [work, join(work, 'db'), join(work, 'db/palisade-test.hdb')])
      chownSync(path, uid, gid);
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
    const written = readFileSync(confPath, 'utf8');
    expect(written).toContain(`\nOnAccessExcludePath ${excluded}\n`);
    expect(written).toContain(`\nOnAccessExcludeUname ${CLAMD_USER}\n`);
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
