/**
 * The simulator against a real server on loopback: 50 machines of every platform enroll, each
 * gets a signed configuration it verifies, reports land in the server's database, a policy
 * change reaches them over notify (the configurations delivered on the streams), re-running the same fleet re-enrolls the same devices, and the
 * fleet (and the palisade-sim command) stops cleanly.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServer } from '@palisade/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../src/sim/admin-client.js';
import { Fleet } from '../src/sim/fleet.js';
import { DEFAULT_MIX } from '../src/sim/fleet-mix.js';

const PASSWORD = 'sim-test-password-1';
const SIM_MAIN = fileURLToPath(new URL('../dist/sim-main.js', import.meta.url));

async function until(what: string, condition: () => boolean | Promise<boolean>, limitMs = 90_000) {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A shared 2-core machine can be slow: the waits are bounded generously, and nothing asserts on time.
describe('palisade-sim against a real server', { timeout: 120_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let admin: AdminClient;
  let token: string;
  let policyIds: string[] = [];
  const fleets: Fleet[] = [];

  const newFleet = (devices: number) => {
    const fleet = new Fleet({
      serverUrl: server.url,
      token,
      devices,
      mix: DEFAULT_MIX,
      seed: 'sim-test',
      failureRate: 0.2,
      driftRate: 0,
      concurrency: 10,
    });
    fleets.push(fleet);
    return fleet;
  };

  const reportCount = async () => {
    const row = await server.context.store.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-sim-test-'));
    server = await startServer({
      database: join(dir, 'palisade.sqlite'),
      port: 0,
      host: '127.0.0.1',
      adminPassword: PASSWORD,
      logLevel: 'silent',
      webRoot: null,
    });
    admin = await AdminClient.signIn(server.url, 'admin', PASSWORD);
    token = await admin.createOnboardingToken('simulator test');
    const everyone = await admin.createDynamicGroup(
      'Every device',
      '(device.accountEnabled -eq true)',
    );
    policyIds = [];
    for (const platform of ['windows', 'macos', 'linux'] as const) {
      const policy = await admin.createPolicy({
        name: `Antivirus ${platform}`,
        platform,
        profile: 'antivirus',
        settings: { 'antivirus.realTimeProtection': true, 'antivirus.cloudProtection': true },
        include: [everyone.id],
      });
      policyIds.push(policy.id);
    }
  });

  afterAll(async () => {
    for (const fleet of fleets) await fleet.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls 50 machines that verify their configuration, report, and hear a change', async () => {
    const fleet = newFleet(50);
    await fleet.enrollAll();
    expect(fleet.enrollmentErrors()).toEqual([]);
    await until('every agent connected and current', () => {
      const s = fleet.snapshot();
      return s.connected === 50 && s.current === 50;
    });
    const snapshot = fleet.snapshot();
    expect(snapshot.enrolled).toBe(50);
    expect(snapshot.verificationFailures).toBe(0);
    expect(snapshot.configurations).toBeGreaterThanOrEqual(50);
    expect(Object.keys(snapshot.enrollmentStatuses).length).toBeGreaterThan(1);
    expect(await reportCount()).toBeGreaterThanOrEqual(50);

    const managed = fleet.agents.filter((agent) => agent.enrollment?.code === 1);
    expect(managed.length).toBeGreaterThan(25);
    const before = new Map(managed.map((agent) => [agent, agent.heldRevision ?? 0]));
    const checkInsBefore = fleet.snapshot().checkIns;
    const linuxPolicy = policyIds[2];
    if (!linuxPolicy) throw new Error('no policy');
    await admin.updatePolicySettings(linuxPolicy, {
      'antivirus.realTimeProtection': true,
      'antivirus.cloudProtection': false,
    });
    const linux = managed.filter((agent) => agent.platform === 'linux');
    expect(linux.length).toBeGreaterThan(0);
    await until('every managed Linux agent applied and reported the change', () =>
      linux.every((agent) => (agent.heldRevision ?? 0) > (before.get(agent) ?? 0) && agent.current),
    );
    const others = managed.filter((agent) => agent.platform !== 'linux');
    expect(others.every((agent) => agent.heldRevision === before.get(agent))).toBe(true);
    expect(fleet.snapshot().verificationFailures).toBe(0);
    // The streams delivered the configurations themselves (deliver=configuration): no check-in.
    expect(fleet.snapshot().checkIns).toBe(checkInsBefore);

    await fleet.stop();
    const stopped = fleet.snapshot();
    expect(stopped.connected).toBe(0);
    expect(stopped.inFlight).toBe(0);
  });

  it('re-enrolls the same machines as the same devices when run again with the same seed', async () => {
    const first = fleets[0];
    if (!first) throw new Error('the first test did not run');
    const again = newFleet(50);
    await again.enrollAll();
    expect(again.agents.map((agent) => agent.deviceId)).toEqual(
      first.agents.map((agent) => agent.deviceId),
    );
    await again.stop();
  });

  it.runIf(existsSync(SIM_MAIN))(
    'palisade-sim enrolls a fleet and stops cleanly on SIGTERM',
    async () => {
      const child = spawn(
        process.execPath,
        [
          SIM_MAIN,
          '--server',
          server.url,
          '--token',
          token,
          '--devices',
          '8',
          '--seed',
          'sim-cli',
          '--concurrency',
          '4',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      const existing = await admin.request<{ total: number }>('GET', '/api/v1/devices?limit=1');
      const baseline = existing.total;
      await until('the simulated machines to enroll', async () => {
        const devices = await admin.request<{ total: number }>('GET', '/api/v1/devices?limit=1');
        return devices.total >= baseline + 8;
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('stopping (SIGTERM)');
      expect(output).toMatch(/machines 8: enrolled 8, failed 0/);
    },
  );

  it('palisade-sim refuses bad options with exit code 2 and names the option', async () => {
    if (!existsSync(SIM_MAIN)) return;
    const child = spawn(
      process.execPath,
      [SIM_MAIN, '--server', server.url, '--token', token, '--devices', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(errors).toContain('--devices');
  });
});
