/**
 * Push across processes: two `palisade serve` processes on one PostgreSQL database (and schema).
 * An agent connected to process B hears, over notify, of a policy saved through process A, and of
 * a sync requested through A; the configuration it then fetches from B verifies.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { linuxFacts, type NotifyStream, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore, TEST_ADMIN_PASSWORD } from './stores.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PUSH_WITHIN_MS = 1_000;

interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Spawns `palisade serve` (the server package's main, built) and waits for its URL. */
function serve(databaseUrl: string): Promise<ServeProcess> {
  const script = `import(${JSON.stringify(SERVER_MAIN)}).then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      script,
      '--',
      '--database',
      databaseUrl,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, PALISADE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Palisade is listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

async function stop(process: ServeProcess | undefined): Promise<void> {
  if (!process || process.child.exitCode !== null) return;
  const exited = new Promise((resolve) => process.child.once('exit', resolve));
  process.child.kill('SIGTERM');
  await exited;
}

describeEachStore('push across two server processes', (target) => {
  if (target.kind !== 'postgres') {
    it.skip('several processes share one database only on PostgreSQL', () => {});
    return;
  }
  let a: ServeProcess | undefined;
  let b: ServeProcess | undefined;
  let adminA: ApiClient;
  let agent: SimulatedAgent;
  let notifyB: NotifyStream | undefined;

  beforeAll(async () => {
    // Build what the processes run. Type errors elsewhere in the package (work in progress of
    // others) do not stop tsc from emitting; a missing entry point does stop the test.
    const build = spawnSync('npx', ['tsc', '-b', 'packages/server'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (!existsSync(SERVER_MAIN)) {
      throw new Error(`building the server failed:\n${build.stdout}${build.stderr}`);
    }
    a = await serve(target.databaseUrlWithSchema);
    b = await serve(target.databaseUrlWithSchema);
    adminA = await signIn(a.url);
    const created = await adminA.post<{ token: string }>('/api/v1/onboarding-tokens', {});
    agent = new SimulatedAgent(b.url, linuxFacts('edge-01'));
    await agent.enroll(created.body.token);
    await agent.checkIn();
  }, 120_000);

  afterAll(async () => {
    notifyB?.close();
    await Promise.all([stop(a), stop(b)]);
  });

  it('an agent connected to B hears of a policy saved through A', async () => {
    notifyB = await agent.notify();
    const group = await adminA.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Edge Linux',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    expect(group.status).toBe(201);
    // Process B has the tenant's policies cached (a what-if reads them): none yet.
    const adminB = await signIn(b?.url ?? '');
    const empty = await adminB.post('/api/v1/policies/what-if', {
      policy: { name: 'x', platform: 'linux', profile: 'antivirus', settings: {} },
    });
    expect(empty.status).toBe(200);
    const before = agent.revision ?? 0;
    const policy = await adminA.post<{ id: string }>('/api/v1/policies', {
      name: 'Edge antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [group.body.id], exclude: [], filter: null },
    });
    expect(policy.status).toBe(201);
    const event = await notifyB.next('revision', PUSH_WITHIN_MS);
    expect((event.data as { revision: number }).revision).toBeGreaterThan(before);
    // Fetched from B, verified with the pinned tenant key.
    expect((await agent.checkIn()).s).toBe('c');
    expect(agent.document?.configuration.settings.map((s) => s.id)).toEqual([
      'antivirus.realTimeProtection',
    ]);
    // A's notice dropped B's cached tenant state: B's what-if knows the new policy.
    const whatIf = await adminB.post<{ changes: { deviceId: string }[] }>(
      '/api/v1/policies/what-if',
      { deletePolicyIds: [policy.body.id] },
    );
    expect(whatIf.status).toBe(200);
    expect(whatIf.body.changes.map((c) => c.deviceId)).toEqual([agent.deviceId]);
  });

  it('a change saved through A reaches a delivering stream on B as the configuration itself', async () => {
    const delivering = await agent.notify({ deliver: true });
    try {
      const policies = await adminA.get<{ items: { id: string }[] }>('/api/v1/policies');
      const policyId = policies.body.items[0]?.id;
      if (!policyId) throw new Error('a policy expected');
      const before = agent.revision ?? 0;
      const patched = await adminA.patch(`/api/v1/policies/${policyId}`, {
        settings: { 'antivirus.realTimeProtection': false },
      });
      expect(patched.status).toBe(200);
      // B does not hold A's signed configuration in memory: it read it from the database.
      const event = await delivering.next('configuration', PUSH_WITHIN_MS);
      const document = agent.accept(event.data as { payload: string; signature: string });
      expect(document.revision).toBeGreaterThan(before);
      expect(document.configuration.settings).toMatchObject([
        { id: 'antivirus.realTimeProtection', value: false },
      ]);
    } finally {
      delivering.close();
    }
  });

  it('a sync requested through A reaches the agent on B', async () => {
    const sync = await adminA.post<{ syncRequestId: string }>('/api/v1/sync', {
      scope: 'device',
      id: agent.deviceId,
    });
    expect(sync.status).toBe(202);
    const event = await (notifyB as NotifyStream).next('sync', PUSH_WITHIN_MS);
    expect(event.data).toEqual({ syncRequestId: sync.body.syncRequestId });
  });
});
