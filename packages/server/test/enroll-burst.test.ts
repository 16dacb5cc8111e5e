/**
 * A burst of enrollments (SQLite writes them in one transaction, evaluated together: see
 * enrollments.ts) means what enrollments one by one meant: every machine
 * becomes a device with its own working credential, its groups and a verifiable configuration,
 * and an audit entry; two agents of one machine in the same burst end as one device (the batch
 * then falls back to one enrollment at a time). A bad token fails alone.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent, windowsFacts } from './agent-sim.js';
import { type ApiClient, linuxPolicyOnGroup, signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('a burst of enrollments', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let token: string;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    token = (
      await admin.post<{ token: string }>('/api/v1/onboarding-tokens', { description: 'burst' })
    ).body.token;
    await linuxPolicyOnGroup(
      admin,
      { group: 'Burst web', policy: 'Burst antivirus' },
      '(device.displayName -startsWith "burst-web-")',
    );
  });

  it('enrolls every machine of a burst as its own device, with its groups and configuration', async () => {
    const agents = Array.from({ length: 40 }, (_, i) =>
      i % 4 === 3
        ? new SimulatedAgent(server.url, windowsFacts(`BURST-WIN-${i}`))
        : new SimulatedAgent(server.url, linuxFacts(`burst-web-${String(i).padStart(2, '0')}`)),
    );
    // Two agents of one machine, in the same burst (tagged on the machine: the batch then
    // writes the same tag twice, fails, and writes the burst one enrollment at a time).
    const tagged = { ...linuxFacts('burst-twin'), tags: ['ring-0'] };
    const first = new SimulatedAgent(server.url, tagged);
    const twin = new SimulatedAgent(server.url, tagged);
    (twin as { machineId: string }).machineId = first.machineId;
    const stranger = new SimulatedAgent(server.url, linuxFacts('burst-stranger'));
    // The store is held while the burst arrives (as a long write would hold it), so the
    // enrollments queue up and are written together once it is free.
    let free: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      free = resolve;
    });
    const holding = server.context.store.transaction(() => held);
    const burst = Promise.all([
      Promise.all([...agents, first, twin].map((agent) => agent.enroll(token))),
      stranger.enrollRaw('not-a-token-at-all'),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    free();
    await holding;
    const [answers, strangerAnswer] = await burst;
    expect(strangerAnswer.status).toBe(401);
    const ids = new Set(answers.map((answer) => answer.deviceId));
    expect(ids.size).toBe(41);
    expect(first.deviceId).toBe(twin.deviceId);

    const rows = await server.context.store.db
      .selectFrom('devices')
      .select(['id', 'revision'])
      .where(
        'machine_id',
        'in',
        [...agents, first].map((agent) => agent.machineId),
      )
      .execute();
    expect(rows).toHaveLength(41);
    expect(rows.every((row) => row.revision > 0)).toBe(true);

    // Each credential works and brings a configuration that verifies; the web servers' holds
    // the policy their group brings them.
    for (const agent of agents) {
      const answer = await agent.checkIn();
      expect(answer.s).toBe('c');
      const ids = agent.document?.configuration.settings.map((s) => s.id) ?? [];
      if (agent.facts.platform === 'linux') expect(ids).toEqual(['antivirus.realTimeProtection']);
    }
    // The machine enrolled twice: the later enrollment's credential is the one that works.
    const working = await Promise.all(
      [first, twin].map(
        async (agent) =>
          (await agent.call('/agent/v1/check-in', { revision: null })).status === 200,
      ),
    );
    expect(working.filter(Boolean)).toHaveLength(1);

    const audit = await server.context.store.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('object_id', 'in', [...ids])
      .execute();
    const count = (action: string) => audit.filter((entry) => entry.action === action).length;
    expect(count('device.enroll')).toBe(41);
    expect(count('device.re-enroll')).toBe(1);
  });
});
