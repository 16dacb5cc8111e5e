/**
 * The agent end to end over loopback: `palisade serve` (the built CLI) on a temporary directory, an onboarding
 * token, `palisade-agent enroll` (the built binary) with a Linux facts file and a --root, a dynamic
 * group and an exclusions policy created through the admin API, `palisade-agent sync`: the
 * Defender JSON and clamd.conf hold the exclusion, the real clamd excludes the planted file, the
 * report shows succeeded for each setting; then a policy change reaches a running
 * `palisade-agent run` through notify, long before the fallback interval.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPart } from '../../../testing/system.js';
import { clamdPing, clamdScan } from '../src/drivers/clamav/clamd-client.js';
import { MDATP_MANAGED_FILE } from '../src/drivers/mdatp/mdatp-driver.js';
import { agentBin, ensureAgentBuilt } from './built-agent.js';
import { type RunningServe, startServe } from './palisade-serve.js';

const CLAMD = '/usr/sbin/clamd';
const hasClamd = systemPart('clamd', existsSync(CLAMD), 'apt-get install clamav-daemon');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(hasClamd)('palisade-agent end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-e2e-'));
  const root = join(dir, 'root');
  const stateDir = join(dir, 'state');
  const work = join(dir, 'clamd');
  const data = join(dir, 'data');
  const planted = join(data, 'planted.bin');
  const socket = { path: join(work, 'clamd.sock') };
  const pidFile = join(work, 'clamd.pid');
  const factsFile = join(dir, 'facts.json');
  let server: RunningServe;
  let admin: string;
  let daemon: ChildProcess | undefined;

  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> => {
    const response = await fetch(server.url + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(admin ? { authorization: `Bearer ${admin}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  // Asynchronous, so the test keeps its own timers (clamd, the daemon) running meanwhile.
  const agent = (...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [agentBin, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.on('close', (code) => resolve({ code, out }));
    });

  beforeAll(async () => {
    ensureAgentBuilt();
    for (const path of [work, data, join(work, 'db'), join(root, 'etc/clamav')])
      mkdirSync(path, { recursive: true });
    const content = `palisade end-to-end planted file ${dir}\n`;
    writeFileSync(planted, content);
    const md5 = createHash('md5').update(content).digest('hex');
    writeFileSync(
      join(work, 'db/palisade-test.hdb'),
      `${md5}:${Buffer.byteLength(content)}:Palisade.Test.Planted\n`,
    );
    writeFileSync(
      join(root, 'etc/clamav/clamd.conf'),
      [
        `LocalSocket ${socket.path}`,
        `DatabaseDirectory ${join(work, 'db')}`,
        `PidFile ${pidFile}`,
        'Foreground yes',
        '',
      ].join('\n'),
    );
    spawn(CLAMD, [`--config-file=${join(root, 'etc/clamav/clamd.conf')}`], {
      detached: true,
      stdio: 'ignore',
    }).unref();
    await until('clamd', () => clamdPing(socket));
    writeFileSync(
      factsFile,
      JSON.stringify({
        hostname: 'e2e-web-01',
        domain: null,
        platform: 'linux',
        osVersion: '12',
        distro: 'debian',
        tags: [],
      }),
    );
    server = await startServe(join(dir, 'server-data'), 'end-to-end-password');
    admin = '';
    admin = (
      await api('POST', '/api/v1/auth/login', {
        username: 'admin',
        password: 'end-to-end-password',
      })
    ).token as string;
    await api('PATCH', '/api/v1/tenant/settings', {
      securitySettingsManagement: true,
      enforcementScope: { linux: { mode: 'all' } },
    });
  });

  afterAll(async () => {
    daemon?.kill('SIGKILL');
    const pid = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '', 10);
    if (pid > 0) process.kill(pid, 'SIGTERM');
    await server?.stop();
  });

  it('enrolls, receives an exclusions policy, enforces it in Defender and in a real clamd, and reports', async () => {
    const token = (await api('POST', '/api/v1/onboarding-tokens', { description: 'e2e' }))
      .token as string;
    const enroll = await agent(
      'enroll',
      '--server',
      server.url,
      '--token',
      token,
      '--state-dir',
      stateDir,
      '--root',
      root,
      '--facts',
      factsFile,
      '--drivers',
      'mdatp,clamav',
    );
    expect(enroll.out).toMatch(/status 1 /);
    expect(enroll.code, enroll.out).toBe(0);

    const group = await api('POST', '/api/v1/groups', {
      kind: 'dynamic',
      name: 'linux-servers',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    await api('POST', '/api/v1/policies', {
      name: 'linux-exclusions',
      platform: 'linux',
      profile: 'antivirus-exclusions',
      settings: { 'exclusions.paths': [`${data}/`] },
      assignments: { include: [group.id], exclude: [], filter: null },
    });

    const sync = await agent('sync', '--state-dir', stateDir);
    expect(sync.code, sync.out).toBe(0);
    expect(sync.out).toContain('+ exclusions.paths');
    const managed = JSON.parse(readFileSync(join(root, MDATP_MANAGED_FILE), 'utf8'));
    expect(managed.antivirusEngine.exclusions).toEqual([
      { $type: 'excludedPath', isDirectory: true, path: `${data}/` },
    ]);
    const clamdConf = readFileSync(join(root, 'etc/clamav/clamd.conf'), 'utf8');
    expect(clamdConf).toContain(`ExcludePath ^${data.replace(/\./g, '\\.')}/`);
    // And for clamonacc, which matches a plain folder path rather than a regex.
    expect(clamdConf).toContain(`\nOnAccessExcludePath ${data}\n`);
    expect(await clamdScan(socket, planted)).toMatch(/: Excluded$/);

    const status = JSON.parse((await agent('status', '--state-dir', stateDir, '--json')).out);
    expect(status.enrollment.code).toBe(1);
    expect(status.reportDelivered).toBe(true);
    expect(status.results).toEqual([
      { id: 'exclusions.paths', status: 'succeeded', target: 'mdatp' },
      { id: 'exclusions.paths', status: 'succeeded', target: 'clamav' },
    ]);
    const text = (await agent('status', '--state-dir', stateDir)).out;
    expect(text).toContain(`server:     ${server.url}`);
    expect(text).toContain(`revision:   ${status.revision}`);
    expect(text).toContain(`last sync:  ${status.lastSync}`);
    expect(text).toMatch(/^ {2}exclusions\.paths +clamav +succeeded$/m);
    // The console sees the same report.
    const device = await api('GET', `/api/v1/devices/${status.deviceId}`);
    expect((device.lastReport as { revision: number }).revision).toBe(status.revision);
    const reports = device.settingReports as { settingId: string; status: string }[];
    expect(reports.map((report) => [report.settingId, report.status])).toEqual([
      ['exclusions.paths', 'succeeded'],
    ]);
  });

  it('brings a policy change to a running agent through notify, without waiting for the interval', async () => {
    const logFile = join(stateDir, 'agent.log');
    daemon = spawn(process.execPath, [agentBin, 'run', '--state-dir', stateDir], {
      stdio: 'ignore',
    });
    await until(
      'the daemon to check in',
      () =>
        existsSync(logFile) &&
        readFileSync(logFile, 'utf8').includes('agent started') &&
        /applied revision/.test(readFileSync(logFile, 'utf8').split('agent started').pop() ?? ''),
    );
    await sleep(500);
    const policies = (await api('GET', '/api/v1/policies')).items as { id: string }[];
    const policy = policies[0] as { id: string };
    await api('PATCH', `/api/v1/policies/${policy.id}`, {
      settings: { 'exclusions.paths': [`${data}/`, '/srv/cache/'] },
    });
    await until('the new exclusion in mdatp_managed.json', () =>
      readFileSync(join(root, MDATP_MANAGED_FILE), 'utf8').includes('/srv/cache/'),
    );
    const stopped = new Promise<number | null>((resolve) =>
      daemon?.once('exit', (code) => resolve(code)),
    );
    daemon.kill('SIGTERM');
    expect(await stopped).toBe(0);
    daemon = undefined;
  });

  it('records a machine out of scope with its status, meaning and fix, and manages it once the scope widens', async () => {
    await api('PATCH', '/api/v1/tenant/settings', { enforcementScope: { macos: { mode: 'off' } } });
    const macState = join(dir, 'mac-state');
    const macFacts = join(dir, 'mac-facts.json');
    writeFileSync(
      macFacts,
      JSON.stringify({
        hostname: 'e2e-mac-01',
        domain: null,
        platform: 'macos',
        osVersion: '14.5',
      }),
    );
    const token = (await api('POST', '/api/v1/onboarding-tokens', { description: 'mac' }))
      .token as string;
    const enroll = await agent(
      'enroll',
      '--server',
      server.url,
      '--token',
      token,
      '--state-dir',
      macState,
      '--root',
      join(dir, 'mac-root'),
      '--facts',
      macFacts,
      '--drivers',
      'macos-defender',
    );
    expect(enroll.code, enroll.out).toBe(0);
    const before = JSON.parse((await agent('status', '--state-dir', macState, '--json')).out);
    expect(before.enrollment.code).not.toBe(1);
    expect(before.enrollment.fix).toMatch(/\S/);
    const text = (await agent('status', '--state-dir', macState)).out;
    expect(text).toContain(
      `enrollment: ${before.enrollment.code} ${before.enrollment.name} - ${before.enrollment.meaning}`,
    );
    expect(text).toContain(`fix:        ${before.enrollment.fix}`);

    await api('PATCH', '/api/v1/tenant/settings', { enforcementScope: { macos: { mode: 'all' } } });
    const sync = await agent('sync', '--state-dir', macState);
    expect(sync.code, sync.out).toBe(0);
    const after = JSON.parse((await agent('status', '--state-dir', macState, '--json')).out);
    expect(after.enrollment.code).toBe(1);
  });

  it('writes a support bundle and says what looks wrong', async () => {
    const out = join(dir, 'bundle.tar.gz');
    const analyze = await agent('analyze', '--state-dir', stateDir, '--out', out);
    expect(analyze.code, analyze.out).toBe(0);
    expect(analyze.out).toContain('native/clamav.json');
    const listing = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout;
    expect(listing.split('\n')).toEqual(
      expect.arrayContaining([
        'enrollment.json',
        'facts.json',
        'configuration.json',
        'report.json',
        'native/mdatp.json',
        'agent.log',
      ]),
    );
  });
});
