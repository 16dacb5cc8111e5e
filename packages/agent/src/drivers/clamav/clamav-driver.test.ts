/**
 * ClamAV for real: a clamd started on a temporary configuration and a signature database made
 * here (an MD5 signature of a planted file) finds the file; once the driver writes an exclusion and
 * restarts clamd, clamd itself (asked over its socket, not clamdscan's client-side check) skips it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPart } from '../../../../../testing/system.js';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { contextIn, expectGolden, settingsOf, tempRoot } from '../test-support.js';
import { ClamavDriver } from './clamav-driver.js';
import { clamdPing, clamdScan } from './clamd-client.js';
import {
  BLOCK_BEGIN,
  BLOCK_END,
  ClamdConfCodec,
  parseClamdConf,
  pathToExcludeRegex,
  pathToOnAccessExclude,
  renderClamdConf,
} from './clamd-conf.js';

const CLAMD = '/usr/sbin/clamd';
const hasClamd = systemPart('clamd', existsSync(CLAMD), 'apt-get install clamav-daemon');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(hasClamd)('ClamavDriver with a real clamd', () => {
  const root = tempRoot();
  const work = join(root, 'work');
  const data = join(work, 'data');
  const planted = join(data, 'planted.bin');
  const confPath = join(root, 'etc/clamav/clamd.conf');
  const socket = { path: join(work, 'clamd.sock') };
  const pidFile = join(work, 'clamd.pid');

  beforeAll(async () => {
    mkdirSync(join(work, 'db'), { recursive: true });
    mkdirSync(data, { recursive: true });
    mkdirSync(join(root, 'etc/clamav'), { recursive: true });
    const content = `palisade planted test file ${root}\n`;
    writeFileSync(planted, content);
    const md5 = createHash('md5').update(content).digest('hex');
    writeFileSync(
      join(work, 'db/palisade-test.hdb'),
      `${md5}:${Buffer.byteLength(content)}:Palisade.Test.Planted\n`,
    );
    writeFileSync(
      confPath,
      [
        '# a distribution-like clamd.conf',
        `LocalSocket ${socket.path}`,
        `DatabaseDirectory ${join(work, 'db')}`,
        `PidFile ${pidFile}`,
        `LogFile ${join(work, 'clamd.log')}`,
        'Foreground yes',
        'ScanArchive true',
        '',
      ].join('\n'),
    );
    const child = spawn(CLAMD, [`--config-file=${confPath}`], { detached: true, stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 300 && !(await clamdPing(socket)); i++) await sleep(100);
  });

  afterAll(() => {
    const pid = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '', 10);
    if (pid > 0) process.kill(pid, 'SIGTERM');
  });

  it('finds the planted file before any exclusion', async () => {
    expect(await clamdScan(socket, planted)).toMatch(/Palisade\.Test\.Planted.* FOUND$/);
    // clamdscan, where installed (Debian's clamdscan package), agrees.
    const clamdscan = spawnSync(
      'clamdscan',
      [`--config-file=${confPath}`, '--no-summary', planted],
      {
        encoding: 'utf8',
      },
    );
    if (clamdscan.error === undefined) {
      expect(clamdscan.status).toBe(1);
      expect(clamdscan.stdout).toMatch(/Palisade\.Test\.Planted.* FOUND/);
    }
  });

  it('writes ExcludePath and OnAccessExcludePath, restarts clamd, and clamd then excludes the file', async () => {
    const driver = new ClamavDriver();
    const context = contextIn(root);
    const outcome = await driver.apply(
      settingsOf({
        'exclusions.paths': [`${data}/`],
        'antivirus.scanArchives': false,
        'antivirus.puaProtection': 'audit',
      }),
      context,
    );
    expect(outcome.results.map((r) => [r.id, r.status])).toEqual([
      ['antivirus.puaProtection', 'succeeded'],
      ['antivirus.scanArchives', 'succeeded'],
      ['exclusions.paths', 'succeeded'],
    ]);
    const text = readFileSync(confPath, 'utf8');
    expect(text).toContain(`ExcludePath ^${data.replace(/\./g, '\\.')}/`);
    // The same folder for clamonacc, as the plain folder path it compares (no regex, no final /).
    expect(text).toContain(`\nOnAccessExcludePath ${data}\n`);
    expect(text).toContain('#palisade-replaced# ScanArchive true');
    expect(await clamdScan(socket, planted)).toMatch(/: Excluded$/);
    // clamdscan, where installed, agrees.
    const clamdscan = spawnSync(
      'clamdscan',
      [`--config-file=${confPath}`, '--no-summary', planted],
      { encoding: 'utf8' },
    );
    if (clamdscan.error === undefined) expect(clamdscan.status).toBe(0);
  });

  it('reports an exclusion removed by hand as drifted and puts it back', async () => {
    const driver = new ClamavDriver();
    const wanted = settingsOf({ 'exclusions.paths': [`${data}/`] });
    const first = await driver.apply(wanted, contextIn(root));
    const edited = readFileSync(confPath, 'utf8').replace(/^ExcludePath .*$/m, '');
    writeFileSync(confPath, edited);
    const second = await driver.apply(wanted, contextIn(root, first.applied));
    expect(second.results).toEqual([
      {
        id: 'exclusions.paths',
        status: 'drifted',
        target: 'clamav',
        observed: { ExcludePath: [], OnAccessExcludePath: [data] },
      },
    ]);
    expect(await clamdScan(socket, planted)).toMatch(/: Excluded$/);
  });

  it('reports an on-access exclusion removed by hand as drifted and puts it back', async () => {
    const driver = new ClamavDriver();
    const wanted = settingsOf({ 'exclusions.paths': [`${data}/`] });
    const first = await driver.apply(wanted, contextIn(root));
    const regex = `^${data.replace(/\./g, '\\.')}/`;
    writeFileSync(
      confPath,
      readFileSync(confPath, 'utf8').replace(/^OnAccessExcludePath .*\n/m, ''),
    );
    const second = await driver.apply(wanted, contextIn(root, first.applied));
    expect(second.results).toEqual([
      {
        id: 'exclusions.paths',
        status: 'drifted',
        target: 'clamav',
        observed: { ExcludePath: [regex], OnAccessExcludePath: [] },
      },
    ]);
    expect(readFileSync(confPath, 'utf8')).toContain(`\nOnAccessExcludePath ${data}\n`);
    expect(await clamdPing(socket)).toBe(true);
  });

  it('writes the folders on-access scanning watches, one OnAccessIncludePath each, and clamd takes them', async () => {
    const driver = new ClamavDriver();
    const wanted = settingsOf({
      'antivirus.onAccessPaths': ['/home', '/srv/uploads'],
      'exclusions.paths': [`${data}/`],
    });
    const outcome = await driver.apply(wanted, contextIn(root));
    expect(outcome.results).toEqual([
      { id: 'antivirus.onAccessPaths', status: 'succeeded', target: 'clamav' },
      { id: 'exclusions.paths', status: 'succeeded', target: 'clamav' },
    ]);
    const text = readFileSync(confPath, 'utf8');
    expect(text).toContain('OnAccessIncludePath /home\nOnAccessIncludePath /srv/uploads\n');
    // This file names no User and no loop guard: clamonacc's guard for the default account.
    expect(text).toContain('\nOnAccessExcludeUname clamav\n');
    expect(await clamdPing(socket)).toBe(true);
    // Dropped from the configuration: the directives go with it.
    await driver.apply(
      settingsOf({ 'exclusions.paths': [`${data}/`] }),
      contextIn(root, outcome.applied),
    );
    expect(readFileSync(confPath, 'utf8')).not.toMatch(/OnAccessIncludePath|OnAccessExcludeUname/);
  });

  it('leaves clamd.conf and clamd at the previous version when clamd refuses the new file', async () => {
    // A catalog entry naming a directive this clamd does not know.
    const lookup: NativeMappingLookup = (id, target) =>
      id === 'test.unknownDirective' && target === 'clamav'
        ? { name: 'NoSuchClamdDirective' }
        : undefined;
    const before = readFileSync(confPath, 'utf8');
    const driver = new ClamavDriver(lookup);
    const context = contextIn(root, {
      'exclusions.paths': {
        ExcludePath: [`^${data.replace(/\./g, '\\.')}/`],
        OnAccessExcludePath: [data],
      },
    });
    const outcome = await driver.apply(
      settingsOf({ 'exclusions.paths': [`${data}/`], 'test.unknownDirective': 'yes' }),
      context,
    );
    expect(
      outcome.results.map((r) => r.status),
      context.lines.join('\n'),
    ).toEqual(['failed', 'failed']);
    expect(await clamdPing(socket), context.lines.join('\n')).toBe(true);
    expect(outcome.results[0]?.error).toMatch(/clamd refused the configuration/);
    expect(readFileSync(confPath, 'utf8')).toBe(before);
    expect(await clamdPing(socket)).toBe(true);
    expect(await clamdScan(socket, planted)).toMatch(/: Excluded$/);
  });
});

describe('clamd.conf rendering', () => {
  it('keeps the distribution lines, comments out replaced ones and writes one Palisade block', () => {
    const conf = parseClamdConf(
      [
        'LocalSocket /run/clamav/clamd.ctl',
        'ScanArchive true',
        'ExcludePath ^/proc/',
        'OnAccessExcludePath /proc',
        'DetectPUA false',
        '',
      ].join('\n'),
    );
    const driver = new ClamavDriver();
    expect(driver.expresses('exclusions.processes')).toBe(false);
    const codec = (driver as unknown as { codec: import('./clamd-conf.js').ClamdConfCodec }).codec;
    const settings = settingsOf({
      'exclusions.paths': ['/srv/cache/', '/var/lib/app/data.db', '/home/*/tmp/'],
      'exclusions.extensions': ['.log'],
      'antivirus.scanArchives': false,
      'antivirus.puaProtection': 'block',
      'antivirus.realTimeProtection': true,
    });
    const fragments = new Map(settings.map((s) => [s.id, codec.fragment(s)]));
    const text = renderClamdConf(codec.render(fragments, conf, []));
    expectGolden(join(import.meta.dirname, 'golden', 'clamd.conf'), text);
    // Dropping the settings brings the distribution's own lines back.
    const back = renderClamdConf(
      codec.render(new Map(), parseClamdConf(text), [...fragments.keys()]),
    );
    expect(back).toBe(
      [
        'LocalSocket /run/clamav/clamd.ctl',
        'ScanArchive true',
        'ExcludePath ^/proc/',
        'OnAccessExcludePath /proc',
        'DetectPUA false',
        '',
      ].join('\n'),
    );
  });

  it('translates a path exclusion for clamd (a regex) and for clamonacc (a plain folder)', () => {
    expect(pathToExcludeRegex('/srv/cache/')).toBe('^/srv/cache/');
    expect(pathToOnAccessExclude('/srv/cache/')).toBe('/srv/cache');
    expect(pathToOnAccessExclude('/srv/my.app (old)/')).toBe('/srv/my.app (old)');
    expect(pathToOnAccessExclude('/')).toBe('/');
    // No on-access form: a single file, a wildcard (widening either would exclude too much).
    expect(pathToOnAccessExclude('/var/lib/app/data.db')).toBeUndefined();
    expect(pathToOnAccessExclude('/home/*/tmp/')).toBeUndefined();
    expect(pathToOnAccessExclude('/srv/cache?/')).toBeUndefined();
  });

  it('logs the path exclusions clamonacc cannot take, and still writes them for clamd', async () => {
    const root = tempRoot();
    const context = contextIn(root);
    // No clamd binary under this root and no PidFile: the file is written, no daemon restarted.
    const outcome = await new ClamavDriver().apply(
      settingsOf({ 'exclusions.paths': ['/srv/cache/', '/var/lib/app/data.db', '/home/*/tmp/'] }),
      context,
    );
    expect(
      outcome.results.map((r) => r.status),
      context.lines.join('\n'),
    ).toEqual(['succeeded']);
    expect(context.lines).toContainEqual(
      expect.stringContaining('/var/lib/app/data.db, /home/*/tmp/: excluded for clamd'),
    );
    expect(context.lines.join('\n')).not.toContain('/srv/cache/');
    const text = readFileSync(join(root, 'etc/clamav/clamd.conf'), 'utf8');
    expect(text).toContain('ExcludePath ^/var/lib/app/data\\.db$\n');
    expect(text).toContain('OnAccessExcludePath /srv/cache\n');
    expect(text.match(/^OnAccessExcludePath /gm)).toHaveLength(1);
  });

  it('takes an ExcludePath-only fragment stored by an older agent as applied, not as drift', async () => {
    const root = tempRoot();
    const conf = join(root, 'etc/clamav/clamd.conf');
    mkdirSync(join(root, 'etc/clamav'), { recursive: true });
    // What the agent wrote before on-access exclusions, and what it stored.
    writeFileSync(conf, `${BLOCK_BEGIN}\nExcludePath ^/srv/cache/\n${BLOCK_END}\n`);
    const wanted = settingsOf({ 'exclusions.paths': ['/srv/cache/'] });
    const upgraded = await new ClamavDriver().apply(
      wanted,
      contextIn(root, { 'exclusions.paths': ['^/srv/cache/'] }),
    );
    expect(upgraded.results).toEqual([
      { id: 'exclusions.paths', status: 'succeeded', target: 'clamav' },
    ]);
    expect(readFileSync(conf, 'utf8')).toContain('OnAccessExcludePath /srv/cache\n');
    // The same stored fragment with the ExcludePath line gone by hand is still drift.
    writeFileSync(conf, `${BLOCK_BEGIN}\n${BLOCK_END}\n`);
    const edited = await new ClamavDriver().apply(
      wanted,
      contextIn(root, { 'exclusions.paths': ['^/srv/cache/'] }),
    );
    expect(edited.results[0]?.status).toBe('drifted');
  });

  it('reads back each directive of a path exclusion, so losing either one is drift', () => {
    const codec = new ClamdConfCodec(() => undefined);
    const [setting] = settingsOf({ 'exclusions.paths': ['/srv/cache/', '/var/lib/app/data.db'] });
    if (!setting) throw new Error('no setting');
    const wanted = codec.fragment(setting);
    expect(wanted).toEqual({
      ExcludePath: ['^/srv/cache/', '^/var/lib/app/data\\.db$'],
      OnAccessExcludePath: ['/srv/cache'],
    });
    const written = codec.render(new Map([[setting.id, wanted]]), parseClamdConf(''), []);
    expect(codec.observe(written, setting.id)).toEqual(wanted);
    const text = renderClamdConf(written);
    const withoutOnAccess = parseClamdConf(text.replace('OnAccessExcludePath /srv/cache\n', ''));
    expect(codec.observe(withoutOnAccess, setting.id)).toEqual({
      ExcludePath: ['^/srv/cache/', '^/var/lib/app/data\\.db$'],
      OnAccessExcludePath: [],
    });
    // An extension exclusion shares ExcludePath but not the on-access list.
    const [extension] = settingsOf({ 'exclusions.extensions': ['log'] });
    if (!extension) throw new Error('no setting');
    expect(codec.fragment(extension)).toEqual(['\\.log$']);
    const both = codec.render(
      new Map([
        [setting.id, wanted],
        [extension.id, codec.fragment(extension)],
      ]),
      parseClamdConf(''),
      [],
    );
    expect(codec.observe(both, setting.id)).toEqual(wanted);
    expect(codec.observe(both, extension.id)).toEqual(['\\.log$']);
  });
});

describe('the on-access loop guard clamonacc needs', () => {
  // A trimmed Debian clamd.conf: clamd drops to User, and no OnAccessExclude* line.
  const debian = [
    'LocalSocket /var/run/clamav/clamd.ctl',
    'User clamav',
    'ScanArchive true',
    'OnAccessMaxFileSize 5M',
    '',
  ].join('\n');

  /** A clamd.conf under a fresh root with no clamd binary: the driver writes, restarts nothing. */
  function debianConfIn(root: string): string {
    const conf = join(root, 'etc/clamav/clamd.conf');
    mkdirSync(join(root, 'etc/clamav'), { recursive: true });
    writeFileSync(conf, debian);
    return conf;
  }

  it('adds OnAccessExcludeUname for the User clamd runs as, and takes it away with the folders', async () => {
    const root = tempRoot();
    const conf = debianConfIn(root);
    const driver = new ClamavDriver();
    const on = await driver.apply(
      settingsOf({ 'antivirus.onAccessPaths': ['/home', '/srv/uploads'] }),
      contextIn(root),
    );
    expect(on.results.map((r) => r.status)).toEqual(['succeeded']);
    // Stored fragment stays the folder list: the guard belongs to no setting.
    expect(on.applied).toEqual({ 'antivirus.onAccessPaths': ['/home', '/srv/uploads'] });
    const text = readFileSync(conf, 'utf8');
    expectGolden(join(import.meta.dirname, 'golden', 'clamd-onaccess.conf'), text);
    expect(text.match(/^OnAccessExcludeUname /gm)).toHaveLength(1);
    // Applying again changes nothing (no second guard line).
    const again = await driver.apply(
      settingsOf({ 'antivirus.onAccessPaths': ['/home', '/srv/uploads'] }),
      contextIn(root, on.applied),
    );
    expect(again.results.map((r) => r.status)).toEqual(['succeeded']);
    expect(readFileSync(conf, 'utf8')).toBe(text);
    // The on-access folders dropped: the guard goes with them, the file is Debian's again.
    await driver.apply([], contextIn(root, again.applied));
    expect(readFileSync(conf, 'utf8')).toBe(debian);
  });

  it('names the User directive of the file, or clamav when there is none', () => {
    const codec = new ClamdConfCodec(catalogNativeMapping);
    const [setting] = settingsOf({ 'antivirus.onAccessPaths': ['/srv'] });
    if (!setting) throw new Error('no setting');
    const fragments = new Map([[setting.id, codec.fragment(setting)]]);
    const guard = (text: string) =>
      renderClamdConf(codec.render(fragments, parseClamdConf(text), []))
        .split('\n')
        .filter((line) => /^OnAccessExclude/i.test(line));
    // Fedora's /etc/clamd.d/scan.conf runs clamd as clamscan.
    expect(guard('User clamscan\n')).toEqual(['OnAccessExcludeUname clamscan']);
    expect(guard('LocalSocket /run/clamd.scan/clamd.sock\n')).toEqual([
      'OnAccessExcludeUname clamav',
    ]);
    // No on-access folders written: no guard either.
    expect(renderClamdConf(codec.render(new Map(), parseClamdConf('User clamav\n'), []))).toBe(
      'User clamav\n',
    );
  });

  it('keeps a guard the file already has and adds none; OnAccessExcludeRootUID no is no guard', () => {
    const codec = new ClamdConfCodec(catalogNativeMapping);
    const [setting] = settingsOf({ 'antivirus.onAccessPaths': ['/srv'] });
    if (!setting) throw new Error('no setting');
    const fragments = new Map([[setting.id, codec.fragment(setting)]]);
    const render = (text: string, previously: string[] = []) =>
      renderClamdConf(codec.render(fragments, parseClamdConf(text), previously));
    for (const own of [
      'OnAccessExcludeUID 108',
      'onaccessexcludeuname clamav',
      'OnAccessExcludeRootUID yes',
    ]) {
      const text = render(`User clamav\n${own}\n`);
      expect(text.startsWith(`User clamav\n${own}\n`), text).toBe(true);
      expect(text.match(/^OnAccessExclude/gim), text).toHaveLength(1);
      // Without the folders, the machine's own guard stays.
      expect(renderClamdConf(codec.render(new Map(), parseClamdConf(text), [setting.id]))).toBe(
        `User clamav\n${own}\n`,
      );
    }
    expect(render('User clamav\nOnAccessExcludeRootUID no\n')).toContain(
      '\nOnAccessExcludeUname clamav\n',
    );
    // Palisade's guard written earlier gives way to one the machine adds later.
    const ours = render('User clamav\n');
    const theirs = render(ours.replace('User clamav\n', 'User clamav\nOnAccessExcludeUID 108\n'), [
      setting.id,
    ]);
    expect(theirs).not.toContain('OnAccessExcludeUname');
    expect(theirs).toContain('\nOnAccessExcludeUID 108\n');
  });

  it('puts the guard back when it is removed by hand, the folders themselves not drifted', async () => {
    const root = tempRoot();
    const conf = debianConfIn(root);
    const driver = new ClamavDriver();
    const wanted = settingsOf({ 'antivirus.onAccessPaths': ['/home'] });
    const first = await driver.apply(wanted, contextIn(root));
    const written = readFileSync(conf, 'utf8');
    writeFileSync(conf, written.replace('OnAccessExcludeUname clamav\n', ''));
    const second = await driver.apply(wanted, contextIn(root, first.applied));
    expect(second.results).toEqual([
      { id: 'antivirus.onAccessPaths', status: 'succeeded', target: 'clamav' },
    ]);
    expect(readFileSync(conf, 'utf8')).toBe(written);
  });
});
