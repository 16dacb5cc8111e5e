/**
 * A facts change racing with a policy change on PostgreSQL (READ COMMITTED, several processes or
 * connections): the device's final configuration must reflect both — the new policy and the new
 * facts — whichever transaction gets the device row first.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import type { FleetService } from '../src/services/fleet/fleet-service.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('recompute races', (target) => {
  if (target.kind !== 'postgres') {
    it.skip('SQLite runs one transaction at a time: no race to test', () => {});
    return;
  }
  let server: RunningServer;
  let admin: ApiClient;
  let agent: SimulatedAgent;
  let groupId: string;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const token = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {});
    agent = new SimulatedAgent(server.url, linuxFacts('race-01'));
    await agent.enroll(token.body.token);
    await agent.checkIn();
    const group = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Race Linux',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    groupId = group.body.id;
  });

  it('a facts change waiting on a policy change computes with the committed policy', async () => {
    const fleet = server.context.fleet as FleetService;
    const tenantId = (await admin.get<{ tenant: { id: string } }>('/api/v1/auth/me')).body.tenant
      .id;
    const policyId = randomUUID();
    const now = new Date().toISOString();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let recomputed: () => void = () => {};
    const policyRecomputed = new Promise<void>((resolve) => {
      recomputed = resolve;
    });
    // The policy change: saved and recomputed, then held open before commit.
    const policyChange = server.context.store.transaction(async (trx) => {
      await trx
        .insertInto('policies')
        .values({
          id: policyId,
          tenant_id: tenantId,
          name: 'Race policy',
          description: '',
          platform: 'linux',
          profile: 'antivirus',
          current_version: 1,
          filter_mode: null,
          filter_rule: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('policy_versions')
        .values({
          tenant_id: tenantId,
          policy_id: policyId,
          version: 1,
          name: 'Race policy',
          description: '',
          settings: JSON.stringify({ 'antivirus.scanArchives': true }),
          assignments: JSON.stringify({ include: [groupId], exclude: [], filter: null }),
          created_at: now,
          created_by: null,
          change: 'created',
        })
        .execute();
      const push = await fleet.policiesChanged(trx, tenantId, [policyId]);
      recomputed();
      await gate;
      return push;
    });
    await policyRecomputed;
    // The facts change arrives while the policy change holds the device row.
    const factsChange = agent.checkIn({ osName: 'Debian GNU/Linux 12.8 (bookworm)' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const push = await policyChange;
    await push();
    await factsChange;
    await agent.checkIn();
    const settings = agent.document?.configuration.settings.map((s) => s.id) ?? [];
    expect(settings).toContain('antivirus.scanArchives');
    const detail = await admin.get<{ facts: { osName: string } }>(
      `/api/v1/devices/${agent.deviceId}`,
    );
    expect(detail.body.facts.osName).toBe('Debian GNU/Linux 12.8 (bookworm)');
  });
});
