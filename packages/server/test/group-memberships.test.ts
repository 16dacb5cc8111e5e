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

  it("applies a policy file's many groups in one pass, each with exactly its rule's members", async () => {
    // 20 groups: past INDEXED_FROM (fleet-service.ts), so the devices go through the rule index.
    const rules: [string, string[]][] = [
      ['(device.displayName -startsWith "web-")', ['web-01', 'web-02']],
      ['(device.displayName -contains "-01")', ['WIN-01', 'db-01', 'web-01']],
      ['(device.displayName -eq "db-01")', ['db-01']],
      [
        '(device.displayName -startsWith "db") or (device.displayName -startsWith "win")',
        ['WIN-01', 'db-01'],
      ],
      ['(device.displayName -eq "nobody")', []],
    ];
    const documents = Array.from({ length: 20 }, (_, i) => ({
      kind: 'Group',
      name: `bulk-${i}`,
      rule: rules[i % rules.length]?.[0],
    }));
    const applied = await admin.post('/api/v1/config/apply', { documents });
    expect(applied.status).toBe(200);
    const listed = await admin.get<{ items: { id: string; name: string }[] }>(
      '/api/v1/groups?search=bulk-&limit=100',
    );
    expect(listed.body.items).toHaveLength(20);
    for (const group of listed.body.items) {
      const i = Number(group.name.slice('bulk-'.length));
      expect([group.name, await membersOf(group.id)]).toEqual([
        group.name,
        rules[i % rules.length]?.[1],
      ]);
    }
    // A device's page lists the same groups.
    const web01 = agents[0];
    const detail = await admin.get<{ groups: { name: string }[] }>(
      `/api/v1/devices/${web01?.deviceId}`,
    );
    const bulk = detail.body.groups.map((g) => g.name).filter((name) => name.startsWith('bulk-'));
    expect(bulk.sort()).toEqual(
      documents
        .filter((_, i) => [0, 1].includes(i % rules.length))
        .map((d) => d.name)
        .sort(),
    );
  });

  it("drops a deleted group's members, so a group given its number later starts empty", async () => {
    const doomed = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'doomed',
      rule: '(device.displayName -startsWith "web-")',
    });
    expect(await membersOf(doomed.body.id)).toEqual(['web-01', 'web-02']);
    const ordinalOf = async (id: string) =>
      Number(
        (
          await server.context.store.db
            .selectFrom('groups')
            .select('ordinal')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).ordinal,
      );
    const doomedOrdinal = await ordinalOf(doomed.body.id);
    expect((await admin.delete(`/api/v1/groups/${doomed.body.id}`)).status).toBe(200);
    const next = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'after doomed',
      rule: '(device.displayName -eq "nobody")',
    });
    expect(next.status).toBe(201);
    // SQLite numbers a group past the largest number left, so it gets the deleted one's again.
    if (target.kind === 'sqlite') expect(await ordinalOf(next.body.id)).toBe(doomedOrdinal);
    expect(await membersOf(next.body.id)).toEqual([]);
    const detail = await admin.get<{ groups: { id: string }[] }>(
      `/api/v1/devices/${agents[0]?.deviceId}`,
    );
    expect(detail.body.groups.map((g) => g.id)).not.toContain(next.body.id);
  });
});
