/**
 * Tenant isolation: a second tenant, created directly through the store, sees none of the first
 * tenant's objects, gets 404 on their ids (reads, changes and deletions alike), cannot assign
 * them, and the first tenant's objects are untouched afterwards.
 */
import { beforeAll, expect, it } from 'vitest';
import { createTenant, createUserRecord, type RunningServer } from '../src/index.js';
import { type ApiClient, apiClient, signIn } from './http.js';
import { describeEachStore, TEST_ADMIN_PASSWORD } from './stores.js';

interface Listed {
  items: { id: string }[];
  total: number;
}

describeEachStore('tenant isolation', (target) => {
  let server: RunningServer;
  let first: ApiClient;
  let second: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await target.startServer();
    first = await signIn(server.url);
    const group = await first.post<{ id: string }>('/api/v1/groups', {
      kind: 'assigned',
      name: 'Finance',
    });
    const policy = await first.post<{ id: string }>('/api/v1/policies', {
      name: 'Finance AV',
      platform: 'windows',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [group.body.id] },
    });
    const rule = await first.post<{ id: string }>('/api/v1/asset-rules', {
      name: 'Finance tag',
      rule: '(device.domain -eq "finance.example")',
      tag: 'finance',
    });
    const user = await first.post<{ id: string }>('/api/v1/users', {
      username: 'auditor',
      role: 'reader',
      password: 'auditor-password',
    });
    const token = await first.post<{ onboardingToken: { id: string } }>(
      '/api/v1/onboarding-tokens',
      {},
    );
    Object.assign(ids, {
      group: group.body.id,
      policy: policy.body.id,
      rule: rule.body.id,
      user: user.body.id,
      token: token.body.onboardingToken.id,
    });
    expect(Object.values(ids).every(Boolean)).toBe(true);

    // The second tenant and its administrator, made directly through the store. Its admin is
    // also called "admin": signing in must name the tenant.
    const store = await target.openStore();
    const tenant = await store.transaction(async (trx) => {
      const created = await createTenant(trx, { name: 'Other Org', now: new Date() });
      await createUserRecord(trx, {
        tenantId: created.id,
        username: 'admin',
        displayName: 'Other admin',
        role: 'administrator',
        password: 'other-admin-password',
        now: new Date(),
      });
      return created;
    });
    const ambiguous = await apiClient(server.url).post<{ error: { fields: { path: string }[] } }>(
      '/api/v1/auth/login',
      { username: 'admin', password: 'other-admin-password' },
    );
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.fields[0]?.path).toBe('body.tenant');
    const login = await apiClient(server.url).post<{ token: string; tenant: { id: string } }>(
      '/api/v1/auth/login',
      {
        username: 'admin',
        password: 'other-admin-password',
        tenant: 'Other Org',
      },
    );
    expect(login.status).toBe(200);
    expect(login.body.tenant.id).toBe(tenant.id);
    second = apiClient(server.url, login.body.token);
  });

  it('lists none of the other tenant’s objects', async () => {
    for (const path of [
      '/api/v1/groups',
      '/api/v1/policies',
      '/api/v1/asset-rules',
      '/api/v1/onboarding-tokens',
    ]) {
      const answer = await second.get<Listed>(path);
      expect(answer.status, path).toBe(200);
      expect(answer.body.total, path).toBe(0);
    }
    const users = await second.get<{ items: { username: string; displayName: string }[] }>(
      '/api/v1/users',
    );
    expect(users.body.items.map((user) => user.displayName)).toEqual(['Other admin']);
    const audit = await second.get<{ items: { objectId: string | null }[] }>(
      '/api/v1/audit?limit=500',
    );
    const seen = new Set(audit.body.items.map((entry) => entry.objectId));
    for (const id of Object.values(ids)) expect(seen.has(id)).toBe(false);
  });

  it('answers 404 on the other tenant’s ids, for reads, changes and deletions', async () => {
    const calls: [string, string, unknown?][] = [
      ['GET', `/api/v1/groups/${ids.group}`],
      ['PATCH', `/api/v1/groups/${ids.group}`, { name: 'Stolen' }],
      ['POST', `/api/v1/groups/${ids.group}/members`, { remove: [] }],
      ['DELETE', `/api/v1/groups/${ids.group}`],
      ['GET', `/api/v1/policies/${ids.policy}`],
      ['GET', `/api/v1/policies/${ids.policy}/versions`],
      ['GET', `/api/v1/policies/${ids.policy}/versions/1`],
      ['GET', `/api/v1/policies/${ids.policy}/diff?from=1&to=1`],
      ['PATCH', `/api/v1/policies/${ids.policy}`, { name: 'Stolen' }],
      ['PUT', `/api/v1/policies/${ids.policy}/assignments`, { include: [] }],
      ['POST', `/api/v1/policies/${ids.policy}/revert`, { version: 1 }],
      ['DELETE', `/api/v1/policies/${ids.policy}`],
      ['GET', `/api/v1/asset-rules/${ids.rule}`],
      ['PATCH', `/api/v1/asset-rules/${ids.rule}`, { tag: 'stolen' }],
      ['DELETE', `/api/v1/asset-rules/${ids.rule}`],
      ['GET', `/api/v1/users/${ids.user}`],
      ['PATCH', `/api/v1/users/${ids.user}`, { role: 'administrator' }],
      ['DELETE', `/api/v1/users/${ids.user}`],
      ['GET', `/api/v1/onboarding-tokens/${ids.token}`],
      ['POST', `/api/v1/onboarding-tokens/${ids.token}/revoke`],
    ];
    for (const [method, path, body] of calls) {
      const answer = await second.request<{ error: { code: string } }>(
        method,
        path,
        body ?? (method === 'POST' ? {} : undefined),
      );
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
  });

  it('cannot assign the other tenant’s groups', async () => {
    const answer = await second.post<{ error: { fields: { path: string }[] } }>(
      '/api/v1/policies',
      {
        name: 'Borrowed',
        platform: 'windows',
        profile: 'antivirus',
        assignments: { include: [ids.group] },
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields[0]?.path).toBe('body.assignments.include.0');
  });

  it('leaves the first tenant’s objects as they were', async () => {
    const group = await first.get<{ name: string }>(`/api/v1/groups/${ids.group}`);
    expect(group.body.name).toBe('Finance');
    const policy = await first.get<{ name: string; version: number }>(
      `/api/v1/policies/${ids.policy}`,
    );
    expect(policy.body).toMatchObject({ name: 'Finance AV', version: 1 });
    const rule = await first.get<{ tag: string }>(`/api/v1/asset-rules/${ids.rule}`);
    expect(rule.body.tag).toBe('finance');
    const token = await first.get<{ status: string }>(`/api/v1/onboarding-tokens/${ids.token}`);
    expect(token.body.status).toBe('active');
    await signIn(server.url, 'auditor', 'auditor-password');
    const firstAdmin = await apiClient(server.url).post<{ tenant: { id: string } }>(
      '/api/v1/auth/login',
      {
        username: 'admin',
        password: TEST_ADMIN_PASSWORD,
        tenant: server.firstStart.tenantId,
      },
    );
    expect(firstAdmin.status).toBe(200);
    expect(firstAdmin.body.tenant.id).toBe(server.firstStart.tenantId);
  });
});
