/**
 * Policies as code over HTTP, on SQLite and PostgreSQL: `/api/v1/config/plan` saves nothing,
 * `/apply` writes a whole document set in one transaction — a failure anywhere inside it (here
 * the fleet engine's recompute, made to fail once) leaves no group, policy, audit entry or new
 * revision behind — and `/export` gives documents that plan back to no changes.
 */
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { AfterCommit } from '../src/context.js';
import type { RunningServer } from '../src/index.js';
import type { FleetService } from '../src/services/fleet/fleet-service.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

interface Plan {
  changes: {
    kind: string;
    name: string;
    action: string;
    fields: { field: string; before?: unknown; after?: unknown }[];
    settings: { settingId: string; kind: string; before?: unknown; after?: unknown }[];
    devices: { before: number; after: number } | null;
  }[];
  unmanaged: { kind: string; name: string }[];
  effect: {
    devicesChanged: number;
    conflictsAppearing: { hostname: string; settingId: string }[];
  };
  applied: boolean;
}

const group = { kind: 'Group', name: 'linux', rule: '(device.deviceOSType -eq "Linux")' };
const policy = (paths: string[]) => ({
  kind: 'Policy',
  name: 'linux-exclusions',
  platform: 'linux',
  profile: 'antivirus-exclusions',
  settings: { 'exclusions.paths': paths },
  assignments: { include: ['linux'] },
});

describeEachStore('policies as code', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  const agents: SimulatedAgent[] = [];

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'config test',
    });
    for (const hostname of ['db-01', 'db-02']) {
      const agent = new SimulatedAgent(server.url, linuxFacts(hostname));
      await agent.enroll(created.body.token);
      await agent.checkIn();
      agents.push(agent);
    }
  });
  const auditTotal = async () =>
    (await admin.get<{ total: number }>('/api/v1/audit?limit=1')).body.total;
  // SQLite: the plan's snapshot triggers and table live in the connection's temporary schema
  // (effect.ts); left there, every later device write would run them.
  const temporaryObjects = async (): Promise<string[]> => {
    if (target.kind !== 'sqlite') return [];
    const rows = await sql<{ name: string }>`select name from sqlite_temp_master`.execute(
      server.context.store.db,
    );
    return rows.rows.map((row) => row.name);
  };

  it('keeps the devices a committed scan read for the next scan, never a rolled-back one', async () => {
    const fleet = server.context.fleet as FleetService;
    const tenantId = server.firstStart.tenantId;
    fleet.views.drop(tenantId);
    // A plan is an apply rolled back: its group scan read the devices inside that transaction.
    const planned = await admin.post('/api/v1/config/plan', {
      documents: [{ kind: 'Group', name: 'scan-probe', rule: '(device.deviceOSType -eq "Linux")' }],
    });
    expect(planned.status).toBe(200);
    expect(fleet.views.cachedCount(tenantId)).toBe(0);
    const created = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'scan-probe',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    expect(created.status).toBe(201);
    expect(fleet.views.cachedCount(tenantId)).toBe(agents.length);
    expect((await admin.delete(`/api/v1/groups/${created.body.id}`)).status).toBe(200);
  });

  it('plans a document set with its effect and saves nothing', async () => {
    const before = await auditTotal();
    const answer = await admin.post<Plan>('/api/v1/config/plan', {
      documents: [group, policy(['/srv/a/'])],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.changes.map((c) => [c.action, c.kind, c.name, c.devices])).toEqual([
      ['create', 'Group', 'linux', { before: 0, after: 2 }],
      ['create', 'Policy', 'linux-exclusions', { before: 0, after: 2 }],
    ]);
    expect(answer.body.effect.devicesChanged).toBe(2);
    expect(answer.body.applied).toBe(false);
    expect(await temporaryObjects()).toEqual([]);
    expect((await admin.get<{ total: number }>('/api/v1/groups')).body.total).toBe(0);
    expect(await auditTotal()).toBe(before);
    const revision = agents[0]?.revision;
    await agents[0]?.checkIn();
    expect(agents[0]?.revision).toBe(revision);
  });

  it('answers every problem at once, at documents.N.path, and changes nothing', async () => {
    const answer = await admin.post<{ error: { fields: { path: string }[] } }>(
      '/api/v1/config/apply',
      {
        documents: [
          { ...group, members: ['db-01'] },
          { ...policy(['relative']), assignments: { include: ['nope'] } },
        ],
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields.map((f) => f.path)).toEqual([
      'documents.0',
      'documents.1.settings.exclusions.paths.0',
    ]);
    const refs = await admin.post<{ error: { fields: { path: string; message: string }[] } }>(
      '/api/v1/config/apply',
      {
        documents: [
          { kind: 'Group', name: 'pinned', members: ['db-01', 'no-such-host'] },
          { ...policy(['/srv/a/']), assignments: { include: ['nope'] } },
        ],
      },
    );
    expect(refs.status).toBe(400);
    expect(refs.body.error.fields).toEqual([
      {
        path: 'documents.0.members.1',
        message: 'no live device with the id or hostname "no-such-host" in this tenant',
      },
      {
        path: 'documents.1.assignments.include.0',
        message: 'no group nope: add a Group document or create the group first',
      },
    ]);
  });

  it('applies all of it or nothing: a failure inside the transaction leaves no trace', async () => {
    const before = await auditTotal();
    const revision = agents[0]?.revision;
    const fleet = server.context.fleet;
    const original = fleet.policiesChanged.bind(fleet);
    // The recompute of the policies runs after the group was written in the same transaction.
    fleet.policiesChanged = async (): Promise<AfterCommit> => {
      throw new Error('recompute failed (injected by the test)');
    };
    try {
      const failed = await admin.post('/api/v1/config/apply', {
        documents: [group, policy(['/srv/a/'])],
      });
      expect(failed.status).toBe(500);
    } finally {
      fleet.policiesChanged = original;
    }
    expect(await temporaryObjects()).toEqual([]);
    expect((await admin.get<{ total: number }>('/api/v1/groups')).body.total).toBe(0);
    expect((await admin.get<{ total: number }>('/api/v1/policies')).body.total).toBe(0);
    expect(await auditTotal()).toBe(before);
    await agents[0]?.checkIn();
    expect(agents[0]?.revision).toBe(revision);

    const applied = await admin.post<Plan>('/api/v1/config/apply', {
      documents: [group, policy(['/srv/a/'])],
    });
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect(applied.body.effect.devicesChanged).toBe(2);
    expect(await temporaryObjects()).toEqual([]);
    await agents[0]?.checkIn();
    expect(agents[0]?.document?.configuration.settings.map((s) => [s.id, s.value])).toEqual([
      ['exclusions.paths', ['/srv/a/']],
    ]);
    const audit = await admin.get<{ items: { action: string }[] }>('/api/v1/audit?limit=3');
    expect(audit.body.items.map((e) => e.action)).toEqual([
      'config.apply',
      'policy.create',
      'group.create',
    ]);
  });

  it('exports documents that plan to no changes; an edit plans per setting', async () => {
    const exported = await admin.get<{ documents: Record<string, unknown>[]; warnings: string[] }>(
      '/api/v1/config/export',
    );
    expect(exported.status).toBe(200);
    expect(exported.body.warnings).toEqual([]);
    expect(exported.body.documents.slice(1)).toEqual([
      { kind: 'Group', name: 'linux', rule: '(device.deviceOSType -eq "Linux")' },
      {
        kind: 'Policy',
        name: 'linux-exclusions',
        platform: 'linux',
        profile: 'antivirus-exclusions',
        settings: { 'exclusions.paths': ['/srv/a/'] },
        assignments: { include: ['linux'] },
      },
    ]);
    const same = await admin.post<Plan>('/api/v1/config/plan', {
      documents: exported.body.documents,
    });
    expect(same.body.changes).toEqual([]);
    const edited = await admin.post<Plan>('/api/v1/config/plan', {
      documents: [group, policy(['/srv/a/', '/srv/b/'])],
    });
    expect(edited.body.changes).toEqual([
      {
        kind: 'Policy',
        name: 'linux-exclusions',
        action: 'update',
        fields: [],
        settings: [
          {
            settingId: 'exclusions.paths',
            kind: 'changed',
            before: ['/srv/a/'],
            after: ['/srv/a/', '/srv/b/'],
          },
        ],
        devices: { before: 2, after: 2 },
      },
    ]);
  });

  it('lets only an administrator change the tenant settings through apply', async () => {
    const created = await admin.post('/api/v1/users', {
      username: 'secmgr',
      role: 'security-manager',
      password: 'security-manager-password-1',
    });
    expect(created.status).toBe(201);
    const manager = await signIn(server.url, 'secmgr', 'security-manager-password-1');
    const documents = [
      group,
      policy(['/srv/a/']),
      { kind: 'TenantSettings', cloudConnector: false },
    ];
    const refused = await manager.post('/api/v1/config/apply', { documents });
    expect(refused.status).toBe(403);
    const planned = await manager.post<Plan>('/api/v1/config/plan', { documents });
    expect(planned.body.changes.map((c) => [c.kind, c.fields])).toEqual([
      ['TenantSettings', [{ field: 'cloudConnector', before: true, after: false }]],
    ]);
  });

  it('replaces a policy whose profile changes, turns a group assigned, and prunes the rest', async () => {
    const documents = [
      { kind: 'Group', name: 'linux', members: ['db-02'] },
      {
        kind: 'Policy',
        name: 'linux-exclusions',
        platform: 'linux',
        profile: 'antivirus',
        settings: { 'antivirus.scanArchives': true },
        assignments: { include: ['linux'] },
      },
    ];
    const planned = await admin.post<Plan>('/api/v1/config/plan', { documents, prune: true });
    expect(planned.status).toBe(200);
    expect(
      planned.body.changes.map((c) => [c.action, c.kind, c.name, c.fields, c.devices]),
    ).toEqual([
      [
        'update',
        'Group',
        'linux',
        [
          { field: 'kind', before: 'dynamic', after: 'assigned' },
          { field: 'rule', before: '(device.deviceOSType -eq "Linux")' },
          { field: 'members', after: ['db-02'] },
        ],
        { before: 2, after: 1 },
      ],
      [
        'replace',
        'Policy',
        'linux-exclusions',
        [
          { field: 'profile', before: 'antivirus-exclusions', after: 'antivirus' },
          { field: 'assignments.include', after: ['linux'] },
        ],
        { before: 2, after: 1 },
      ],
    ]);
    const applied = await admin.post<Plan>('/api/v1/config/apply', { documents, prune: true });
    expect(applied.status).toBe(200);
    await agents[0]?.checkIn();
    await agents[1]?.checkIn();
    expect(agents[0]?.document?.configuration.settings).toEqual([]);
    expect(agents[1]?.document?.configuration.settings.map((s) => s.id)).toEqual([
      'antivirus.scanArchives',
    ]);
    const versions = await admin.get<{ items: { id: string; name: string; version: number }[] }>(
      '/api/v1/policies',
    );
    expect(versions.body.items.map((p) => [p.name, p.version])).toEqual([['linux-exclusions', 1]]);
    // With prune and no documents for them, the policy and then the group are deleted.
    const pruned = await admin.post<Plan>('/api/v1/config/apply', { documents: [], prune: true });
    expect(pruned.body.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'delete Policy linux-exclusions',
      'delete Group linux',
    ]);
    expect((await admin.get<{ total: number }>('/api/v1/groups')).body.total).toBe(0);
  });

  it('names members by hostname, and by device id once a hostname is shared', async () => {
    const documents = [{ kind: 'Group', name: 'pinned', members: ['db-01'] }];
    expect((await admin.post('/api/v1/config/apply', { documents })).status).toBe(200);
    const exportedMembers = async () =>
      (
        await admin.get<{ documents: { kind: string; members?: string[] }[] }>(
          '/api/v1/config/export',
        )
      ).body.documents.find((d) => d.kind === 'Group')?.members;
    expect(await exportedMembers()).toEqual(['db-01']);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'twin',
    });
    const twin = new SimulatedAgent(server.url, linuxFacts('db-01'));
    await twin.enroll(created.body.token);
    expect(await exportedMembers()).toEqual([agents[0]?.deviceId]);
    const ambiguous = await admin.post<{ error: { fields: { path: string; message: string }[] } }>(
      '/api/v1/config/plan',
      { documents },
    );
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.fields[0]?.path).toBe('documents.0.members.0');
    expect(ambiguous.body.error.fields[0]?.message).toMatch(
      /^2 devices are named "db-01"; write the device id instead/,
    );
  });
});
