/**
 * What an administrator reads about the fleet, over real HTTP on SQLite and PostgreSQL: asset-rule
 * tags that follow a device's facts, the fallback check-in time (tenant interval with jitter), a
 * device's detail (effective configuration with provenance and conflicts, last per-setting
 * report), the dashboard's per-setting counts and devices not seen, and the audit entries of fleet
 * changes. The server runs on a clock the test moves by hand, so "not seen" needs no waiting.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { manualClock } from './clock.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

interface Source {
  policyId: string;
}
interface DeviceDetail {
  tags: string[];
  tagSources: { tag: string; source: string; ruleId?: string }[];
  configuration: {
    revision: number;
    effective: {
      settings: { id: string; value: unknown; sources: Source[] }[];
      conflicts: { id: string; candidates: (Source & { value: unknown })[] }[];
    };
  } | null;
  settingReports: { settingId: string; status: string; error: string | null }[];
  lastReport: { reportId: string; revision: number } | null;
}
interface Dashboard {
  settings: { settingId: string; counts: Record<string, number> }[];
  notSeen: { minutes: number; count: number; devices: { id: string }[] };
}

describeEachStore('fleet detail', (target) => {
  const clock = manualClock(new Date('2026-03-01T08:00:00.000Z'));
  let server: RunningServer;
  let admin: ApiClient;
  let token: string;
  let web: SimulatedAgent;
  let groupId: string;

  beforeAll(async () => {
    server = await target.startServer({ clock, sessionTtlSeconds: 7 * 24 * 3600 });
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'fleet detail',
    });
    token = created.body.token;
    web = new SimulatedAgent(server.url, linuxFacts('web-01'));
    await web.enroll(token);
    await web.checkIn();
    const group = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'All Linux',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    groupId = group.body.id;
  });

  const detailOf = async (agent: SimulatedAgent) =>
    (await admin.get<DeviceDetail>(`/api/v1/devices/${agent.deviceId}`)).body;

  it('an asset rule tags a device whose facts come to match, and untags it when they stop', async () => {
    const rule = await admin.post<{ id: string }>('/api/v1/asset-rules', {
      name: 'Payment hosts',
      rule: '(device.deviceName -startsWith "pay-")',
      tag: 'pci',
    });
    expect(rule.status).toBe(201);
    expect((await detailOf(web)).tags).not.toContain('pci');

    await web.checkIn({ hostname: 'pay-01' });
    expect((await detailOf(web)).tagSources).toContainEqual(
      expect.objectContaining({ tag: 'pci', source: 'asset-rule', ruleId: rule.body.id }),
    );
    const tagged = await admin.get<{ items: { id: string }[] }>('/api/v1/devices?tag=pci');
    expect(tagged.body.items.map((d) => d.id)).toEqual([web.deviceId]);

    await web.checkIn({ hostname: 'web-01' });
    expect((await detailOf(web)).tags).not.toContain('pci');
    const untagged = await admin.get<{ total: number }>('/api/v1/devices?tag=pci');
    expect(untagged.body.total).toBe(0);
  });

  it("answers the next check-in from the tenant's fallback interval, jittered", async () => {
    const changed = await admin.patch('/api/v1/tenant/settings', { checkInIntervalMinutes: 10 });
    expect(changed.status).toBe(200);
    const seconds: number[] = [];
    for (let i = 0; i < 12; i += 1) seconds.push((await web.checkIn()).n);
    // ±10 % around 600 s, and not all alike (a fleet must not check in in lockstep).
    for (const n of seconds) {
      expect(n).toBeGreaterThanOrEqual(540);
      expect(n).toBeLessThanOrEqual(660);
    }
    expect(new Set(seconds).size).toBeGreaterThan(1);
    const agent = new SimulatedAgent(server.url, linuxFacts('new-01'));
    const enrolled = await agent.enroll(token);
    expect(enrolled.nextCheckInSeconds).toBeGreaterThanOrEqual(540);
    expect(enrolled.nextCheckInSeconds).toBeLessThanOrEqual(660);
  });

  it('shows a device its configuration with provenance and conflicts, and its last report', async () => {
    const policy = (name: string, pua: string) =>
      admin.post<{ id: string }>('/api/v1/policies', {
        name,
        platform: 'linux',
        profile: 'antivirus',
        settings: { 'antivirus.realTimeProtection': true, 'antivirus.puaProtection': pua },
        assignments: { include: [groupId], exclude: [], filter: null },
      });
    const strict = await policy('Strict PUA', 'block');
    const lenient = await policy('Lenient PUA', 'audit');
    expect([strict.status, lenient.status]).toEqual([201, 201]);
    expect((await web.checkIn()).s).toBe('c');

    const detail = await detailOf(web);
    expect(detail.configuration?.revision).toBe(web.revision);
    const effective = detail.configuration?.effective;
    const realTime = effective?.settings.find((s) => s.id === 'antivirus.realTimeProtection');
    expect(realTime?.value).toBe(true);
    expect(realTime?.sources.map((s) => s.policyId).sort()).toEqual(
      [strict.body.id, lenient.body.id].sort(),
    );
    expect(effective?.settings.map((s) => s.id)).not.toContain('antivirus.puaProtection');
    const conflict = effective?.conflicts.find((c) => c.id === 'antivirus.puaProtection');
    expect(conflict?.candidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ policyId: strict.body.id, value: 'block' }),
        expect.objectContaining({ policyId: lenient.body.id, value: 'audit' }),
      ]),
    );

    const reportId = randomUUID();
    await web.report(
      [
        { id: 'antivirus.realTimeProtection', status: 'failed', error: 'mdatp: not licensed' },
        { id: 'antivirus.puaProtection', status: 'conflict' },
      ],
      { reportId },
    );
    const reported = await detailOf(web);
    expect(reported.lastReport).toMatchObject({ reportId, revision: web.revision });
    expect(reported.settingReports).toContainEqual(
      expect.objectContaining({
        settingId: 'antivirus.realTimeProtection',
        status: 'failed',
        error: 'mdatp: not licensed',
      }),
    );
    expect(reported.settingReports).toContainEqual(
      expect.objectContaining({ settingId: 'antivirus.puaProtection', status: 'conflict' }),
    );

    const dashboard = (await admin.get<Dashboard>('/api/v1/dashboard')).body;
    const realTimeCounts = dashboard.settings.find(
      (s) => s.settingId === 'antivirus.realTimeProtection',
    );
    expect(realTimeCounts?.counts.failed).toBeGreaterThanOrEqual(1);
    const puaCounts = dashboard.settings.find((s) => s.settingId === 'antivirus.puaProtection');
    expect(puaCounts?.counts.conflict).toBeGreaterThanOrEqual(1);
  });

  it('lists the devices not seen for longer than the limit on the dashboard', async () => {
    const quiet = new SimulatedAgent(server.url, linuxFacts('quiet-01'));
    await quiet.enroll(token);
    await quiet.checkIn();
    const seen = (await admin.get<Dashboard>('/api/v1/dashboard?notSeenForMinutes=60')).body;
    expect(seen.notSeen.devices.map((d) => d.id)).not.toContain(quiet.deviceId);

    clock.advance(2 * 60 * 60_000);
    await web.checkIn();
    const later = (await admin.get<Dashboard>('/api/v1/dashboard?notSeenForMinutes=60')).body;
    expect(later.notSeen.minutes).toBe(60);
    expect(later.notSeen.devices.map((d) => d.id)).toContain(quiet.deviceId);
    expect(later.notSeen.devices.map((d) => d.id)).not.toContain(web.deviceId);
    expect(later.notSeen.count).toBe(later.notSeen.devices.length);
    const listed = await admin.get<{ items: { id: string }[] }>(
      '/api/v1/devices?notSeenForMinutes=60',
    );
    expect(listed.body.items.map((d) => d.id)).toContain(quiet.deviceId);
    expect(listed.body.items.map((d) => d.id)).not.toContain(web.deviceId);
  });

  it('keeps only hashes of device credentials, onboarding tokens and passwords', async () => {
    const secret = web.credential.slice(web.credential.indexOf('.') + 1);
    expect(secret.length).toBeGreaterThan(16);
    const store = await target.openStore();
    const device = await store.db
      .selectFrom('devices')
      .select('credential_hash')
      .where('id', '=', web.deviceId)
      .executeTakeFirstOrThrow();
    expect(device.credential_hash).not.toContain(secret);
    const tokens = await store.db.selectFrom('onboarding_tokens').selectAll().execute();
    expect(tokens.length).toBeGreaterThan(0);
    for (const row of tokens) expect(JSON.stringify(row)).not.toContain(token);
    const users = await store.db.selectFrom('users').select('password_hash').execute();
    for (const user of users) expect(user.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('records tags, sync requests and offboarding in the audit log, by whom', async () => {
    const retiring = new SimulatedAgent(server.url, linuxFacts('retiring-01'));
    await retiring.enroll(token);
    await admin.post(`/api/v1/devices/${retiring.deviceId}/tags`, { tag: 'to-retire' });
    await admin.delete(`/api/v1/devices/${retiring.deviceId}/tags/to-retire`);
    const sync = await admin.post<{ syncRequestId: string }>('/api/v1/sync', {
      scope: 'device',
      id: retiring.deviceId,
    });
    expect(sync.status).toBe(202);
    await admin.post(`/api/v1/devices/${retiring.deviceId}/offboard`);

    const entries = await admin.get<{
      items: { action: string; actor: { type: string; name: string }; objectType: string }[];
    }>(`/api/v1/audit?objectId=${retiring.deviceId}&limit=50`);
    const actions = entries.body.items.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'device.tag.add',
        'device.tag.remove',
        'sync.request',
        'device.offboard',
      ]),
    );
    // The enrollment is audited too, under the device itself; the four changes are the admin's.
    const changes = entries.body.items.filter((entry) => entry.actor.type !== 'device');
    expect(changes).toHaveLength(4);
    expect(changes.every((entry) => entry.actor.name === 'admin')).toBe(true);
  });
});
