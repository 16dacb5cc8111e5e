/**
 * Dynamic groups that no policy uses change memberships only (on SQLite without recomputing any
 * device: fleet-service.ts `onlyMembershipsMove`); the answers must be those of the full path,
 * which PostgreSQL takes: members follow the rule as it is edited, a group reading another through
 * memberOf sees its new members, and no device's configuration revision moves until a policy
 * uses the group.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent, windowsFacts } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('group memberships', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  const agents: SimulatedAgent[] = [];

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const token = (
      await admin.post<{ token: string }>('/api/v1/onboarding-tokens', { description: 'groups' })
    ).body.token;
    for (const [name, facts] of [
      ['web-01', linuxFacts('web-01')],
      ['web-02', linuxFacts('web-02')],
      ['db-01', linuxFacts('db-01')],
      ['WIN-01', windowsFacts('WIN-01')],
    ] as const) {
      const agent = new SimulatedAgent(server.url, facts);
      await agent.enroll(token);
      await agent.checkIn();
      agents.push(agent);
      expect(name).toBe(facts.hostname);
    }
  });

  const membersOf = async (groupId: string) =>
    (
      await admin.get<{ items: { hostname: string }[] }>(`/api/v1/groups/${groupId}/members`)
    ).body.items
      .map((device) => device.hostname)
      .sort();
  const revisions = async () => {
    const rows = await server.context.store.db
      .selectFrom('devices')
      .select(['hostname', 'revision'])
      .orderBy('hostname')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.hostname, row.revision]));
  };

  it('follows the rule, feeds memberOf, and moves no configuration until a policy uses it', async () => {
    const before = await revisions();
    const web = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'web',
      rule: '(device.displayName -startsWith "web-")',
    });
    expect(web.status).toBe(201);
    expect(await membersOf(web.body.id)).toEqual(['web-01', 'web-02']);
    const inWeb = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'in web',
      rule: `device.memberOf -any (group.objectId -in ["${web.body.id}"])`,
    });
    expect(await membersOf(inWeb.body.id)).toEqual(['web-01', 'web-02']);
    // Editing the rule moves members out and in; the memberOf group follows.
    const edited = await admin.patch(`/api/v1/groups/${web.body.id}`, {
      rule: '(device.displayName -startsWith "web-02") or (device.displayName -eq "db-01")',
    });
    expect(edited.status).toBe(200);
    expect(await membersOf(web.body.id)).toEqual(['db-01', 'web-02']);
    expect(await membersOf(inWeb.body.id)).toEqual(['db-01', 'web-02']);
    expect(await revisions()).toEqual(before);

    // Once a policy includes the group, its members' configurations move.
    const policy = await admin.post('/api/v1/policies', {
      name: 'Web antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [web.body.id], exclude: [], filter: null },
    });
    expect(policy.status).toBe(201);
    const after = await revisions();
    expect(after['web-02']).toBeGreaterThan(before['web-02'] ?? 0);
    expect(after['db-01']).toBeGreaterThan(before['db-01'] ?? 0);
    expect(after['web-01']).toBe(before['web-01']);
    // And editing it now goes the full way: web-01 comes in and gets the policy.
    await admin.patch(`/api/v1/groups/${web.body.id}`, {
      rule: '(device.displayName -startsWith "web-")',
    });
    expect(await membersOf(web.body.id)).toEqual(['web-01', 'web-02']);
    expect((await revisions())['web-01']).toBeGreaterThan(before['web-01'] ?? 0);
  });
});
