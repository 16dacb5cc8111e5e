/**
 * Admin changes reach devices: devices enrolled over the real agent protocol with tokens from the
 * admin API; assigned-group members, policy saves and reverts, tenant scope and asset rules each
 * change what the devices get, through the fleet engine hooks the admin routes call inside their
 * transactions.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

interface DeviceDetail {
  enrollment: { code: number; name: string };
  tagSources: { tag: string; source: string }[];
  groups: { id: string }[];
}

/** The value of a setting in the agent's verified configuration, or undefined when absent. */
function settingOf(agent: SimulatedAgent, id: string): unknown {
  return agent.document?.configuration.settings.find((setting) => setting.id === id)?.value;
}

describeEachStore('admin changes reach devices', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let alpha: SimulatedAgent;
  let beta: SimulatedAgent;
  let token: string;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'fleet',
    });
    token = created.body.token;
    alpha = new SimulatedAgent(server.url, linuxFacts('alpha'));
    beta = new SimulatedAgent(server.url, linuxFacts('beta'));
    await alpha.enroll(token);
    await beta.enroll(token);
    await alpha.checkIn();
    await beta.checkIn();
  });

  it('refuses enrollment with a revoked token', async () => {
    const extra = await admin.post<{ token: string; onboardingToken: { id: string } }>(
      '/api/v1/onboarding-tokens',
      {},
    );
    await admin.post(`/api/v1/onboarding-tokens/${extra.body.onboardingToken.id}/revoke`);
    const refused = await new SimulatedAgent(server.url, linuxFacts('gamma')).enrollRaw(
      extra.body.token,
    );
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('token_revoked');
  });

  it('delivers a policy to the members of an assigned group, and stops when one leaves', async () => {
    const group = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'assigned',
      name: 'Pilot ring',
      members: [alpha.deviceId],
    });
    expect(group.status).toBe(201);
    const members = await admin.get<{ items: { id: string }[] }>(
      `/api/v1/groups/${group.body.id}/members`,
    );
    expect(members.body.items.map((device) => device.id)).toEqual([alpha.deviceId]);

    const policy = await admin.post<{ id: string }>('/api/v1/policies', {
      name: 'Pilot AV',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [group.body.id] },
    });
    expect(policy.status).toBe(201);
    await alpha.checkIn();
    await beta.checkIn();
    expect(settingOf(alpha, 'antivirus.realTimeProtection')).toBe(true);
    expect(settingOf(beta, 'antivirus.realTimeProtection')).toBeUndefined();

    // A new version, then a revert to version 1: the device follows each.
    await admin.patch(`/api/v1/policies/${policy.body.id}`, {
      settings: { 'antivirus.realTimeProtection': false },
    });
    await alpha.checkIn();
    expect(settingOf(alpha, 'antivirus.realTimeProtection')).toBe(false);
    const reverted = await admin.post<{ version: number }>(
      `/api/v1/policies/${policy.body.id}/revert`,
      { version: 1 },
    );
    expect(reverted.body.version).toBe(3);
    await alpha.checkIn();
    expect(settingOf(alpha, 'antivirus.realTimeProtection')).toBe(true);

    // Beta joins, alpha leaves.
    await admin.post(`/api/v1/groups/${group.body.id}/members`, {
      add: [beta.deviceId],
      remove: [alpha.deviceId],
    });
    await alpha.checkIn();
    await beta.checkIn();
    expect(settingOf(alpha, 'antivirus.realTimeProtection')).toBeUndefined();
    expect(settingOf(beta, 'antivirus.realTimeProtection')).toBe(true);

    // Deleting the policy takes the setting away.
    await admin.delete(`/api/v1/policies/${policy.body.id}`);
    await beta.checkIn();
    expect(settingOf(beta, 'antivirus.realTimeProtection')).toBeUndefined();
  });

  it('re-decides enrollment when the scope changes, and an asset rule brings devices back', async () => {
    const scoped = await admin.patch('/api/v1/tenant/settings', {
      enforcementScope: { linux: { mode: 'tagged', tag: 'managed-pilot' } },
    });
    expect(scoped.status).toBe(200);
    const outOfScope = await admin.get<DeviceDetail>(`/api/v1/devices/${alpha.deviceId}`);
    expect(outOfScope.body.enrollment.code).not.toBe(1);

    const rule = await admin.post<{ id: string }>('/api/v1/asset-rules', {
      name: 'Alpha is in the pilot',
      rule: '(device.deviceName -eq "alpha")',
      tag: 'managed-pilot',
    });
    expect(rule.status).toBe(201);
    const tagged = await admin.get<DeviceDetail>(`/api/v1/devices/${alpha.deviceId}`);
    expect(tagged.body.tagSources).toContainEqual(
      expect.objectContaining({ tag: 'managed-pilot', source: 'asset-rule' }),
    );
    expect(tagged.body.enrollment.code).toBe(1);
    const untouched = await admin.get<DeviceDetail>(`/api/v1/devices/${beta.deviceId}`);
    expect(untouched.body.enrollment.code).not.toBe(1);

    // Disabling the rule takes the tag away again, and with it the scope.
    await admin.patch(`/api/v1/asset-rules/${rule.body.id}`, { enabled: false });
    const untagged = await admin.get<DeviceDetail>(`/api/v1/devices/${alpha.deviceId}`);
    expect(untagged.body.tagSources.map((tag) => tag.tag)).not.toContain('managed-pilot');
    expect(untagged.body.enrollment.code).not.toBe(1);

    await admin.patch('/api/v1/tenant/settings', { enforcementScope: { linux: { mode: 'all' } } });
    const back = await admin.get<DeviceDetail>(`/api/v1/devices/${beta.deviceId}`);
    expect(back.body.enrollment.code).toBe(1);
  });
});
