/**
 * Policy assignments over real HTTP on SQLite and PostgreSQL: include groups, exclude groups (which
 * beat include) and the assignment filter decide which devices get a policy; a what-if on an
 * assignment change of a saved policy names the devices that would change and saves nothing; and
 * a policy save or a group rule change recomputes only the devices it reaches, never the whole
 * fleet.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, metricValue, SimulatedAgent, windowsFacts } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

const SETTING = 'antivirus.realTimeProtection';

function settingOf(agent: SimulatedAgent): unknown {
  return agent.document?.configuration.settings.find((setting) => setting.id === SETTING)?.value;
}

describeEachStore('policy assignments', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let web1: SimulatedAgent;
  let web2: SimulatedAgent;
  let db1: SimulatedAgent;
  let desktops: SimulatedAgent[];
  let linuxGroupId: string;
  let excludedGroupId: string;
  let policyId: string;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'assignments',
    });
    web1 = new SimulatedAgent(server.url, linuxFacts('web-01'));
    web2 = new SimulatedAgent(server.url, linuxFacts('web-02'));
    db1 = new SimulatedAgent(server.url, linuxFacts('db-01'));
    desktops = [1, 2, 3].map((n) => new SimulatedAgent(server.url, windowsFacts(`DESKTOP-${n}`)));
    for (const agent of [web1, web2, db1, ...desktops]) {
      await agent.enroll(created.body.token);
      await agent.checkIn();
    }
    const linux = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Linux',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    const excluded = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'assigned',
      name: 'Change freeze',
      members: [web2.deviceId],
    });
    expect([linux.status, excluded.status]).toEqual([201, 201]);
    linuxGroupId = linux.body.id;
    excludedGroupId = excluded.body.id;
  });

  it('delivers to the included groups minus the excluded ones, as the filter allows', async () => {
    const recomputed = () =>
      metricValue(server.url, 'palisade_devices_recomputed_total', 'cause="policy"');
    const before = await recomputed();
    const policy = await admin.post<{ id: string }>('/api/v1/policies', {
      name: 'Web antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { [SETTING]: true },
      assignments: {
        include: [linuxGroupId],
        exclude: [excludedGroupId],
        filter: { mode: 'include', rule: '(device.deviceName -startsWith "web-")' },
      },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    policyId = policy.body.id;
    // Only the three Linux devices the included group reaches are recomputed, not the fleet.
    const delta = (await recomputed()) - before;
    expect(delta).toBeGreaterThanOrEqual(1);
    expect(delta).toBeLessThanOrEqual(3);

    for (const agent of [web1, web2, db1, ...desktops]) await agent.checkIn();
    expect(settingOf(web1)).toBe(true);
    expect(settingOf(web2)).toBeUndefined(); // excluded beats included
    expect(settingOf(db1)).toBeUndefined(); // the filter leaves it out
    for (const desktop of desktops) expect(settingOf(desktop)).toBeUndefined();

    // An exclude filter turns it around: every Linux device but the web ones (and not web-02).
    const flipped = await admin.put(`/api/v1/policies/${policyId}/assignments`, {
      include: [linuxGroupId],
      exclude: [excludedGroupId],
      filter: { mode: 'exclude', rule: '(device.deviceName -startsWith "web-")' },
    });
    expect(flipped.status).toBe(200);
    for (const agent of [web1, web2, db1]) await agent.checkIn();
    expect(settingOf(web1)).toBeUndefined();
    expect(settingOf(web2)).toBeUndefined();
    expect(settingOf(db1)).toBe(true);
  });

  it('answers what an assignment change would do to a saved policy, saving nothing', async () => {
    const revisions = [web1.revision, web2.revision, db1.revision];
    const whatIf = await admin.post<{
      devicesReached: number;
      devicesChanged: number;
      changes: { deviceId: string; changes: { id: string; kind: string }[] }[];
    }>('/api/v1/policies/what-if', {
      policy: { id: policyId, assignments: { include: [linuxGroupId], exclude: [], filter: null } },
    });
    expect(whatIf.status, JSON.stringify(whatIf.body)).toBe(200);
    expect(whatIf.body.devicesReached).toBe(3);
    // web-01 and web-02 would gain the setting; db-01 has it already.
    const changed = new Map(whatIf.body.changes.map((c) => [c.deviceId, c.changes]));
    expect([...changed.keys()].sort()).toEqual([web1.deviceId, web2.deviceId].sort());
    expect(changed.get(web2.deviceId)).toContainEqual(
      expect.objectContaining({ id: SETTING, kind: 'added' }),
    );
    expect(whatIf.body.devicesChanged).toBe(2);

    for (const agent of [web1, web2, db1]) expect((await agent.checkIn()).s).toBe('u');
    expect([web1.revision, web2.revision, db1.revision]).toEqual(revisions);
    const saved = await admin.get<{ assignments: { exclude: string[] } }>(
      `/api/v1/policies/${policyId}`,
    );
    expect(saved.body.assignments.exclude).toEqual([excludedGroupId]);
  });

  it('a group rule change recomputes only the devices that move in or out', async () => {
    const recomputed = () =>
      metricValue(server.url, 'palisade_devices_recomputed_total', 'cause="group"');
    const before = await recomputed();
    const changed = await admin.patch(`/api/v1/groups/${linuxGroupId}`, {
      rule: '(device.deviceOSType -eq "Linux") and (device.displayName -startsWith "web-")',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    // db-01 leaves the group; web-01 and web-02 stay; the desktops were never in it.
    expect((await recomputed()) - before).toBe(1);
    expect((await db1.checkIn()).s).toBe('c');
    expect(settingOf(db1)).toBeUndefined();
    for (const agent of [web1, web2, ...desktops]) expect((await agent.checkIn()).s).toBe('u');
  });
});
