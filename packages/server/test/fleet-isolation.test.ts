/**
 * The fleet routes are tenant-scoped: a second tenant sees none of the first tenant's devices,
 * groups' members, sync requests or reports, gets 404 on their ids, and one machine enrolled in
 * both tenants is two devices. Also: the OpenAPI document lists every fleet route with its role.
 */
import { beforeAll, expect, it } from 'vitest';
import { createTenant, createUserRecord, type RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, apiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

/** Every fleet route and the least role it needs. */
const FLEET_ROUTES: Record<string, string> = {
  'GET /api/v1/devices': 'reader',
  'GET /api/v1/devices/{id}': 'reader',
  'POST /api/v1/devices/{id}/tags': 'security-manager',
  'DELETE /api/v1/devices/{id}/tags/{tag}': 'security-manager',
  'POST /api/v1/devices/{id}/offboard': 'administrator',
  'GET /api/v1/groups/{id}/members': 'reader',
  'POST /api/v1/groups/preview': 'reader',
  'POST /api/v1/asset-rules/preview': 'reader',
  'POST /api/v1/policies/what-if': 'reader',
  'GET /api/v1/policies/{id}/report': 'reader',
  'POST /api/v1/sync': 'security-manager',
  'GET /api/v1/sync/{id}': 'reader',
  'GET /api/v1/dashboard': 'reader',
  'POST /agent/v1/enroll': 'public',
  'POST /agent/v1/check-in': 'device',
  'GET /agent/v1/notify': 'device',
  'POST /agent/v1/report': 'device',
};

describeEachStore('fleet tenant isolation', (target) => {
  let server: RunningServer;
  let first: ApiClient;
  let second: ApiClient;
  let agentOne: SimulatedAgent;
  let agentTwo: SimulatedAgent;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await target.startServer();
    first = await signIn(server.url);
    const token = await first.post<{ token: string }>('/api/v1/onboarding-tokens', {});
    agentOne = new SimulatedAgent(server.url, linuxFacts('shared-machine'));
    await agentOne.enroll(token.body.token);
    await agentOne.checkIn();
    const group = await first.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'All Linux',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    const policy = await first.post<{ id: string }>('/api/v1/policies', {
      name: 'Linux AV',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [group.body.id] },
    });
    const sync = await first.post<{ syncRequestId: string }>('/api/v1/sync', { scope: 'tenant' });
    Object.assign(ids, {
      device: agentOne.deviceId,
      group: group.body.id,
      policy: policy.body.id,
      sync: sync.body.syncRequestId,
    });

    const store = await target.openStore();
    await store.transaction(async (trx) => {
      const tenant = await createTenant(trx, { name: 'Second Org', now: new Date() });
      await createUserRecord(trx, {
        tenantId: tenant.id,
        username: 'second-admin',
        displayName: 'Second admin',
        role: 'administrator',
        password: 'second-admin-password',
        now: new Date(),
      });
    });
    second = await signIn(server.url, 'second-admin', 'second-admin-password');
    const secondToken = await second.post<{ token: string }>('/api/v1/onboarding-tokens', {});
    // The same machine (same machine id) enrolled in the second tenant too.
    agentTwo = new SimulatedAgent(server.url, linuxFacts('shared-machine'));
    Object.assign(agentTwo, { machineId: agentOne.machineId });
    await agentTwo.enroll(secondToken.body.token);
  });

  it('one machine enrolled in two tenants is two devices, each tenant seeing its own', async () => {
    expect(agentTwo.deviceId).not.toBe(agentOne.deviceId);
    const firstList = await first.get<{ items: { id: string }[] }>('/api/v1/devices');
    const secondList = await second.get<{ items: { id: string }[] }>('/api/v1/devices');
    expect(firstList.body.items.map((d) => d.id)).toEqual([agentOne.deviceId]);
    expect(secondList.body.items.map((d) => d.id)).toEqual([agentTwo.deviceId]);
    // Each configuration is signed by its own tenant's key.
    await agentTwo.checkIn();
    expect(agentTwo.tenantPublicKey).not.toBe(agentOne.tenantPublicKey);
  });

  it("answers 404 on the other tenant's devices, groups, policies and sync requests", async () => {
    const answers = await Promise.all([
      second.get(`/api/v1/devices/${ids.device}`),
      second.post(`/api/v1/devices/${ids.device}/tags`, { tag: 'stolen' }),
      second.delete(`/api/v1/devices/${ids.device}/tags/stolen`),
      second.post(`/api/v1/devices/${ids.device}/offboard`),
      second.get(`/api/v1/groups/${ids.group}/members`),
      second.get(`/api/v1/policies/${ids.policy}/report`),
      second.get(`/api/v1/sync/${ids.sync}`),
      second.post('/api/v1/sync', { scope: 'device', id: ids.device }),
      second.post('/api/v1/sync', { scope: 'group', id: ids.group }),
      second.post('/api/v1/policies/what-if', { deletePolicyIds: [ids.policy] }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(answers.length).fill(404));
    const filtered = await second.get<{ total: number }>(`/api/v1/devices?group=${ids.group}`);
    expect(filtered.body.total).toBe(0);
  });

  it("keeps the other tenant's devices out of previews and the dashboard", async () => {
    const preview = await second.post<{ count: number }>('/api/v1/groups/preview', {
      rule: '(device.deviceOSType -eq "Linux")',
    });
    expect(preview.body.count).toBe(1);
    const dashboard = await second.get<{ devices: number; policies: unknown[] }>(
      '/api/v1/dashboard',
    );
    expect(dashboard.body.devices).toBe(1);
    expect(dashboard.body.policies).toEqual([]);
    // The first tenant's device is untouched.
    const detail = await first.get<{ tags: string[] }>(`/api/v1/devices/${ids.device}`);
    expect(detail.status).toBe(200);
    expect(detail.body.tags).not.toContain('stolen');
  });

  it('documents every fleet route with its role', async () => {
    const document = (
      await apiClient(server.url).get<{
        paths: Record<string, Record<string, { 'x-palisade-access'?: string }>>;
      }>('/api/openapi.json')
    ).body;
    const found: Record<string, string | undefined> = {};
    for (const key of Object.keys(FLEET_ROUTES)) {
      const [method = '', path = ''] = key.split(' ');
      found[key] = document.paths[path]?.[method.toLowerCase()]?.['x-palisade-access'];
    }
    expect(found).toEqual(FLEET_ROUTES);
  });
});
