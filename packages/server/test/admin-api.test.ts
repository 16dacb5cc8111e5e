/**
 * The admin API over real HTTP, on SQLite and PostgreSQL: sign-in and sessions, users, onboarding
 * tokens, tenant settings, audit log, groups, policies with versions, asset rules, and the error
 * contract (validation names the field and changes nothing; oversized bodies get 413).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { resolveOnboardingToken } from '../src/services/onboarding.js';
import { manualClock } from './clock.js';
import { type ApiClient, apiClient, signIn } from './http.js';
import { describeEachStore, TEST_ADMIN_PASSWORD } from './stores.js';

interface ErrorBody {
  error: {
    code: string;
    message: string;
    fields?: { path: string; message: string; line?: number; column?: number }[];
  };
}
interface Listed<T> {
  items: T[];
  total: number;
}

describeEachStore('admin API', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  const clock = manualClock();

  beforeAll(async () => {
    server = await target.startServer({ clock, sessionTtlSeconds: 3600 });
    admin = await signIn(server.url);
  });

  async function auditCount(): Promise<number> {
    return (await admin.get<Listed<unknown>>('/api/v1/audit?limit=1')).body.total;
  }

  describe('sign-in and sessions', () => {
    it('signs in, tells who is signed in, and signs out', async () => {
      const session = await signIn(server.url);
      const me = await session.get<{ user: { username: string; role: string } }>('/api/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ username: 'admin', role: 'administrator' });
      expect((await session.post('/api/v1/auth/logout')).status).toBe(200);
      const after = await session.get<ErrorBody>('/api/v1/auth/me');
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('unauthenticated');
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const client = apiClient(server.url);
      const wrong = await client.post<ErrorBody>('/api/v1/auth/login', {
        username: 'admin',
        password: 'nope',
      });
      const unknown = await client.post<ErrorBody>('/api/v1/auth/login', {
        username: 'ghost',
        password: 'nope',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_credentials');
      expect(unknown.body.error).toEqual(wrong.body.error);
    });

    it('ends a session when it expires', async () => {
      const session = await signIn(server.url);
      expect((await session.get('/api/v1/auth/me')).status).toBe(200);
      clock.advance(3601 * 1000);
      const expired = await session.get<ErrorBody>('/api/v1/auth/me');
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toMatch(/expired/);
      // Signing in again works even when the stale token is still sent along.
      const again = await session.post<{ token: string }>('/api/v1/auth/login', {
        username: 'admin',
        password: TEST_ADMIN_PASSWORD,
      });
      expect(again.status).toBe(200);
      admin = await signIn(server.url);
    });

    it('refuses sign-in for a while after ten wrong passwords, even with the right one', async () => {
      await admin.post('/api/v1/users', {
        username: 'erin',
        role: 'reader',
        password: 'erin-password-1',
      });
      const client = apiClient(server.url);
      for (let attempt = 0; attempt < 10; attempt++) {
        const wrong = await client.post('/api/v1/auth/login', {
          username: 'erin',
          password: `guess-${attempt}`,
        });
        expect(wrong.status).toBe(401);
      }
      const locked = await client.post<ErrorBody>('/api/v1/auth/login', {
        username: 'erin',
        password: 'erin-password-1',
      });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('too_many_attempts');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      clock.advance(15 * 60 * 1000 + 1000);
      await signIn(server.url, 'erin', 'erin-password-1');
      admin = await signIn(server.url);
    });

    it('answers 401 without a token', async () => {
      const answer = await apiClient(server.url).get<ErrorBody>('/api/v1/policies');
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthenticated');
    });
  });

  describe('users and roles', () => {
    it('creates a user who can sign in with the role given', async () => {
      const created = await admin.post<{ id: string; role: string }>('/api/v1/users', {
        username: 'Alice',
        role: 'security-manager',
        password: 'alice-password-1',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ role: 'security-manager' });
      const alice = await signIn(server.url, 'alice', 'alice-password-1');
      expect((await alice.get<{ user: { role: string } }>('/api/v1/auth/me')).body.user.role).toBe(
        'security-manager',
      );
      const duplicate = await admin.post<ErrorBody>('/api/v1/users', {
        username: 'alice',
        role: 'reader',
        password: 'another-password',
      });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.code).toBe('name_taken');
    });

    it('ends the sessions of a user whose password changes', async () => {
      const user = await admin.post<{ id: string }>('/api/v1/users', {
        username: 'bob',
        role: 'reader',
        password: 'bob-password-12',
      });
      const bob = await signIn(server.url, 'bob', 'bob-password-12');
      const changed = await admin.patch(`/api/v1/users/${user.body.id}`, {
        password: 'bob-password-34',
      });
      expect(changed.status).toBe(200);
      expect((await bob.get('/api/v1/auth/me')).status).toBe(401);
      await signIn(server.url, 'bob', 'bob-password-34');
    });

    it('lets a user change their own password, ending their other sessions', async () => {
      await admin.post('/api/v1/users', {
        username: 'dave',
        role: 'reader',
        password: 'dave-password-1',
      });
      const dave = await signIn(server.url, 'dave', 'dave-password-1');
      const otherSession = await signIn(server.url, 'dave', 'dave-password-1');
      const wrong = await dave.post<ErrorBody>('/api/v1/auth/password', {
        currentPassword: 'not-it',
        newPassword: 'dave-password-2',
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.fields?.[0]?.path).toBe('body.currentPassword');
      const changed = await dave.post('/api/v1/auth/password', {
        currentPassword: 'dave-password-1',
        newPassword: 'dave-password-2',
      });
      expect(changed.status).toBe(200);
      expect((await dave.get('/api/v1/auth/me')).status).toBe(200);
      expect((await otherSession.get('/api/v1/auth/me')).status).toBe(401);
      await signIn(server.url, 'dave', 'dave-password-2');
    });

    it('reads and deletes a user; a deleted user cannot sign in', async () => {
      const created = await admin.post<{ id: string }>('/api/v1/users', {
        username: 'frank',
        displayName: 'Frank',
        role: 'reader',
        password: 'frank-password-1',
      });
      const frank = await signIn(server.url, 'frank', 'frank-password-1');
      const read = await admin.get<{ username: string; displayName: string; role: string }>(
        `/api/v1/users/${created.body.id}`,
      );
      expect(read.body).toMatchObject({ username: 'frank', displayName: 'Frank', role: 'reader' });
      expect(JSON.stringify(read.body)).not.toMatch(/argon|hash/i);
      expect((await admin.delete(`/api/v1/users/${created.body.id}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/users/${created.body.id}`)).status).toBe(404);
      expect((await frank.get('/api/v1/auth/me')).status).toBe(401);
      const again = await apiClient(server.url).post('/api/v1/auth/login', {
        username: 'frank',
        password: 'frank-password-1',
      });
      expect(again.status).toBe(401);
    });

    it('keeps at least one administrator', async () => {
      const me = await admin.get<{ user: { id: string } }>('/api/v1/auth/me');
      const demote = await admin.patch<ErrorBody>(`/api/v1/users/${me.body.user.id}`, {
        role: 'reader',
      });
      expect(demote.status).toBe(409);
      expect(demote.body.error.code).toBe('last_administrator');
      const remove = await admin.delete<ErrorBody>(`/api/v1/users/${me.body.user.id}`);
      expect(remove.status).toBe(409);
    });

    it('refuses a short password, naming the field, and creates nothing', async () => {
      const before = await admin.get<Listed<unknown>>('/api/v1/users');
      const answer = await admin.post<ErrorBody>('/api/v1/users', {
        username: 'carol',
        role: 'reader',
        password: 'short',
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(answer.body.error.fields?.map((field) => field.path)).toEqual(['body.password']);
      expect((await admin.get<Listed<unknown>>('/api/v1/users')).body.total).toBe(
        before.body.total,
      );
    });
  });

  describe('onboarding tokens', () => {
    it('creates a token shown once with the exact enroll command per platform', async () => {
      const created = await admin.post<{
        token: string;
        onboardingToken: { id: string; status: string; hint: string };
        instructions: { serverUrl: string; platforms: { platform: string; command: string }[] };
      }>('/api/v1/onboarding-tokens', { description: 'lab', expiresInHours: 24 });
      expect(created.status).toBe(201);
      const { token, onboardingToken, instructions } = created.body;
      expect(onboardingToken.status).toBe('active');
      expect(token.startsWith(onboardingToken.hint.replace('…', ''))).toBe(true);
      const linux = instructions.platforms.find((step) => step.platform === 'linux');
      expect(linux?.command).toBe(
        `sudo palisade-agent enroll --server ${server.url} --token ${token}`,
      );
      const windows = instructions.platforms.find((step) => step.platform === 'windows');
      expect(windows?.command).toContain(
        `palisade-agent.exe" enroll --server ${server.url} --token ${token}`,
      );
      expect(instructions.platforms.map((step) => step.platform).sort()).toEqual([
        'linux',
        'macos',
        'windows',
      ]);

      const listed = await admin.get<Listed<{ id: string }>>('/api/v1/onboarding-tokens');
      expect(listed.body.items.map((item) => item.id)).toContain(onboardingToken.id);
      expect(JSON.stringify(listed.body)).not.toContain(token);
    });

    it('resolves an active token, refuses a revoked or expired one', async () => {
      const store = await target.openStore();
      const created = await admin.post<{ token: string; onboardingToken: { id: string } }>(
        '/api/v1/onboarding-tokens',
        { expiresInHours: 1 },
      );
      const { token, onboardingToken } = created.body;
      await expect(resolveOnboardingToken(store.db, token, clock.now())).resolves.toMatchObject({
        tokenId: onboardingToken.id,
      });
      const later = new Date(clock.now().getTime() + 2 * 3_600_000);
      await expect(resolveOnboardingToken(store.db, token, later)).rejects.toMatchObject({
        code: 'token_expired',
      });
      const revoked = await admin.post<{ status: string }>(
        `/api/v1/onboarding-tokens/${onboardingToken.id}/revoke`,
      );
      expect(revoked.body.status).toBe('revoked');
      await expect(resolveOnboardingToken(store.db, token, clock.now())).rejects.toMatchObject({
        code: 'token_revoked',
      });
      await expect(
        resolveOnboardingToken(store.db, 'pot_unknown-token', clock.now()),
      ).rejects.toMatchObject({
        code: 'token_invalid',
      });
    });

    it('shows the instructions with a placeholder', async () => {
      const answer = await admin.get<{ platforms: { command: string }[] }>(
        '/api/v1/onboarding/instructions',
      );
      expect(answer.status).toBe(200);
      expect(answer.body.platforms[0]?.command).toContain('--token <TOKEN>');
    });
  });

  describe('tenant settings', () => {
    it('starts with every platform in scope and changes only what is sent', async () => {
      const before = await admin.get<{
        enforcementScope: Record<string, { mode: string }>;
        checkInIntervalMinutes: number;
      }>('/api/v1/tenant/settings');
      expect(
        Object.values(before.body.enforcementScope).every((scope) => scope.mode === 'all'),
      ).toBe(true);
      const changed = await admin.patch<{
        enforcementScope: Record<string, unknown>;
        configMgrAuthority: boolean;
      }>('/api/v1/tenant/settings', {
        enforcementScope: { linux: { mode: 'tagged', tag: 'palisade' } },
        configMgrAuthority: true,
      });
      expect(changed.status).toBe(200);
      expect(changed.body.enforcementScope.linux).toEqual({ mode: 'tagged', tag: 'palisade' });
      expect(changed.body.enforcementScope.macos).toEqual({ mode: 'all' });
      expect(changed.body.configMgrAuthority).toBe(true);
    });

    it('keeps both of two changes to different settings made at once', async () => {
      const [interval, controllers] = await Promise.all([
        admin.patch('/api/v1/tenant/settings', { checkInIntervalMinutes: 45 }),
        admin.patch('/api/v1/tenant/settings', { domainControllers: true }),
      ]);
      expect([interval.status, controllers.status]).toEqual([200, 200]);
      const now = await admin.get<{ checkInIntervalMinutes: number; domainControllers: boolean }>(
        '/api/v1/tenant/settings',
      );
      expect(now.body).toMatchObject({ checkInIntervalMinutes: 45, domainControllers: true });
      await admin.patch('/api/v1/tenant/settings', { domainControllers: false });
    });

    it('refuses a bad interval naming the field, changing nothing', async () => {
      const before = await admin.get('/api/v1/tenant/settings');
      const entries = await auditCount();
      const answer = await admin.patch<ErrorBody>('/api/v1/tenant/settings', {
        checkInIntervalMinutes: 1,
        domainControllers: true,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.fields?.[0]?.path).toBe('body.checkInIntervalMinutes');
      expect((await admin.get('/api/v1/tenant/settings')).body).toEqual(before.body);
      expect(await auditCount()).toBe(entries);
    });

    it('refuses a platform the enforcement scope does not know, naming it, changing nothing', async () => {
      const before = await admin.get('/api/v1/tenant/settings');
      const entries = await auditCount();
      // "windows" is a policy platform, not a device platform: a typo must not pass as a no-op.
      const answer = await admin.patch<ErrorBody>('/api/v1/tenant/settings', {
        enforcementScope: { windows: { mode: 'off' } },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_failed');
      expect(answer.body.error.message).toContain('windows');
      expect(answer.body.error.fields?.[0]?.path).toBe('body.enforcementScope');
      expect((await admin.get('/api/v1/tenant/settings')).body).toEqual(before.body);
      expect(await auditCount()).toBe(entries);
    });
  });

  describe('groups', () => {
    it('creates a dynamic group and refuses a bad rule with its line and column', async () => {
      const good = await admin.post<{ id: string; kind: string; rule: string }>('/api/v1/groups', {
        kind: 'dynamic',
        name: 'Linux servers',
        rule: '(device.deviceOSType -eq "Linux")',
      });
      expect(good.status).toBe(201);
      expect(good.body.kind).toBe('dynamic');
      const bad = await admin.post<ErrorBody>('/api/v1/groups', {
        kind: 'dynamic',
        name: 'Broken',
        rule: '(device.deviceOSType -eq "Linux"',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_rule');
      const field = bad.body.error.fields?.[0];
      expect(field?.path).toBe('body.rule');
      expect(field?.line).toBe(1);
      expect(typeof field?.column).toBe('number');
      const names = (await admin.get<Listed<{ name: string }>>('/api/v1/groups')).body.items.map(
        (g) => g.name,
      );
      expect(names).not.toContain('Broken');
    });

    it('refuses a memberOf cycle and unknown groups', async () => {
      const a = await admin.post<{ id: string }>('/api/v1/groups', {
        kind: 'dynamic',
        name: 'Cycle A',
        rule: '(device.deviceOSType -eq "Linux")',
      });
      const b = await admin.post<{ id: string }>('/api/v1/groups', {
        kind: 'dynamic',
        name: 'Cycle B',
        rule: `device.memberOf -any (group.objectId -in ["${a.body.id}"])`,
      });
      expect(b.status).toBe(201);
      const cycle = await admin.patch<ErrorBody>(`/api/v1/groups/${a.body.id}`, {
        rule: `device.memberOf -any (group.objectId -in ["${b.body.id}"])`,
      });
      expect(cycle.status).toBe(400);
      expect(cycle.body.error.message).toMatch(/cycle|itself/);
      const deleteA = await admin.delete<ErrorBody>(`/api/v1/groups/${a.body.id}`);
      expect(deleteA.status).toBe(409);
      expect(deleteA.body.error.code).toBe('group_in_use');
    });

    it('lists by kind and name, and deletes a group no one refers to', async () => {
      const group = await admin.post<{ id: string }>('/api/v1/groups', {
        kind: 'assigned',
        name: 'Temporary Lab',
      });
      const dynamic = await admin.get<Listed<{ kind: string }>>('/api/v1/groups?kind=dynamic');
      expect(dynamic.body.items.length).toBeGreaterThan(0);
      expect(dynamic.body.items.every((g) => g.kind === 'dynamic')).toBe(true);
      const found = await admin.get<Listed<{ id: string }>>('/api/v1/groups?search=temporary');
      expect(found.body.items.map((g) => g.id)).toEqual([group.body.id]);
      expect((await admin.delete(`/api/v1/groups/${group.body.id}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/groups/${group.body.id}`)).status).toBe(404);
    });

    it('keeps assigned groups apart from rules', async () => {
      const group = await admin.post<{ id: string; staticMemberCount: number }>('/api/v1/groups', {
        kind: 'assigned',
        name: 'Pilot',
      });
      expect(group.status).toBe(201);
      expect(group.body.staticMemberCount).toBe(0);
      const rule = await admin.patch<ErrorBody>(`/api/v1/groups/${group.body.id}`, {
        rule: 'device.x -eq 1',
      });
      expect(rule.status).toBe(400);
      expect(rule.body.error.fields?.[0]?.path).toBe('body.rule');
      const unknown = await admin.post<ErrorBody>(`/api/v1/groups/${group.body.id}/members`, {
        add: ['no-such-device'],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.fields?.[0]?.path).toBe('body.add');
    });
  });

  describe('policies', () => {
    let groupId: string;
    beforeAll(async () => {
      const group = await admin.post<{ id: string }>('/api/v1/groups', {
        kind: 'assigned',
        name: 'Ring 0',
      });
      groupId = group.body.id;
    });

    it('creates, edits, diffs and reverts, each save a new version', async () => {
      const created = await admin.post<{ id: string; version: number }>('/api/v1/policies', {
        name: 'Linux AV',
        platform: 'linux',
        profile: 'antivirus',
        settings: { 'antivirus.realTimeProtection': true },
      });
      expect(created.status).toBe(201);
      expect(created.body.version).toBe(1);
      const id = created.body.id;

      const edited = await admin.patch<{ version: number; settings: Record<string, unknown> }>(
        `/api/v1/policies/${id}`,
        { settings: { 'antivirus.realTimeProtection': false, 'antivirus.scanArchives': true } },
      );
      expect(edited.status).toBe(200);
      expect(edited.body.version).toBe(2);

      const assigned = await admin.put<{ version: number; assignments: { include: string[] } }>(
        `/api/v1/policies/${id}/assignments`,
        { include: [groupId], exclude: [], filter: null },
      );
      expect(assigned.body.version).toBe(3);
      expect(assigned.body.assignments.include).toEqual([groupId]);

      const diff = await admin.get<{
        settings: { settingId: string; kind: string; before?: unknown; after?: unknown }[];
      }>(`/api/v1/policies/${id}/diff?from=1&to=2`);
      expect(diff.status).toBe(200);
      expect(diff.body.settings).toEqual([
        { settingId: 'antivirus.realTimeProtection', kind: 'changed', before: true, after: false },
        { settingId: 'antivirus.scanArchives', kind: 'added', after: true },
      ]);

      const reverted = await admin.post<{
        version: number;
        settings: Record<string, unknown>;
        assignments: { include: string[] };
      }>(`/api/v1/policies/${id}/revert`, { version: 1 });
      expect(reverted.body.version).toBe(4);
      expect(reverted.body.settings).toEqual({ 'antivirus.realTimeProtection': true });
      expect(reverted.body.assignments.include).toEqual([]);

      const versions = await admin.get<Listed<{ version: number; change: string }>>(
        `/api/v1/policies/${id}/versions`,
      );
      expect(versions.body.items.map((v) => [v.version, v.change])).toEqual([
        [4, 'reverted to 1'],
        [3, 'assignments'],
        [2, 'updated'],
        [1, 'created'],
      ]);
      const linux = await admin.get<Listed<{ id: string; version: number; settingCount: number }>>(
        '/api/v1/policies?platform=linux&profile=antivirus',
      );
      expect(linux.body.items.find((p) => p.id === id)).toMatchObject({
        version: 4,
        settingCount: 1,
      });
      const windows = await admin.get<Listed<{ id: string }>>('/api/v1/policies?platform=windows');
      expect(windows.body.items.map((p) => p.id)).not.toContain(id);
      const v2 = await admin.get<{ settings: Record<string, unknown> }>(
        `/api/v1/policies/${id}/versions/2`,
      );
      expect(v2.body.settings).toEqual({
        'antivirus.realTimeProtection': false,
        'antivirus.scanArchives': true,
      });
    });

    it('refuses settings the catalog rejects, naming each setting, saving nothing', async () => {
      const entries = await auditCount();
      const answer = await admin.post<ErrorBody>('/api/v1/policies', {
        name: 'Bad',
        platform: 'windows',
        profile: 'antivirus',
        settings: { 'antivirus.cloudBlockLevel': 7, 'antivirus.noSuchSetting': true },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_settings');
      const paths = answer.body.error.fields?.map((field) => field.path) ?? [];
      expect(paths).toContain('body.settings.antivirus.cloudBlockLevel');
      expect(paths).toContain('body.settings.antivirus.noSuchSetting');
      expect(await auditCount()).toBe(entries);
      const listed = await admin.get<Listed<{ name: string }>>('/api/v1/policies?search=Bad');
      expect(listed.body.total).toBe(0);
      // Search ignores case on both stores.
      const found = await admin.get<Listed<{ name: string }>>('/api/v1/policies?search=linux%20av');
      expect(found.body.items.map((policy) => policy.name)).toEqual(['Linux AV']);
    });

    it('numbers concurrent saves of one policy one after the other, losing none', async () => {
      const created = await admin.post<{ id: string }>('/api/v1/policies', {
        name: 'Busy',
        platform: 'linux',
        profile: 'antivirus-exclusions',
        settings: {},
      });
      const saves = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          admin.patch<{ version: number }>(`/api/v1/policies/${created.body.id}`, {
            description: `save ${index}`,
          }),
        ),
      );
      expect(saves.map((save) => save.status)).toEqual(Array(8).fill(200));
      expect(saves.map((save) => save.body.version).sort((a, b) => a - b)).toEqual([
        2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      const versions = await admin.get<Listed<{ version: number }>>(
        `/api/v1/policies/${created.body.id}/versions`,
      );
      expect(versions.body.total).toBe(9);
    });

    it('refuses the security-experience profile', async () => {
      const answer = await admin.post<ErrorBody>('/api/v1/policies', {
        name: 'Tamper',
        platform: 'windows',
        profile: 'security-experience',
        settings: {},
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('profile_refused');
      expect(answer.body.error.fields?.[0]?.path).toBe('body.profile');
    });

    it('refuses assignments to unknown groups and a group in use cannot be deleted', async () => {
      const bad = await admin.post<ErrorBody>('/api/v1/policies', {
        name: 'Unknown group',
        platform: 'linux',
        profile: 'antivirus',
        assignments: { include: ['no-such-group'] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields?.[0]?.path).toBe('body.assignments.include.0');
      const good = await admin.post<{ id: string }>('/api/v1/policies', {
        name: 'Ring 0 AV',
        platform: 'linux',
        profile: 'antivirus',
        assignments: { include: [groupId] },
      });
      expect(good.status).toBe(201);
      const remove = await admin.delete<ErrorBody>(`/api/v1/groups/${groupId}`);
      expect(remove.status).toBe(409);
      expect(remove.body.error.message).toContain('Ring 0 AV');
      expect((await admin.delete(`/api/v1/policies/${good.body.id}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/policies/${good.body.id}`)).status).toBe(404);
    });
  });

  describe('asset rules', () => {
    it('creates, changes and deletes a rule; a bad rule names its position', async () => {
      const created = await admin.post<{ id: string; enabled: boolean }>('/api/v1/asset-rules', {
        name: 'Tag Linux',
        rule: '(device.osPlatform -eq "Linux")',
        tag: 'palisade',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.enabled).toBe(true);
      const changed = await admin.patch<{ enabled: boolean; tag: string }>(
        `/api/v1/asset-rules/${created.body.id}`,
        {
          enabled: false,
          tag: 'pilot',
        },
      );
      expect(changed.body).toMatchObject({ enabled: false, tag: 'pilot' });
      const bad = await admin.post<ErrorBody>('/api/v1/asset-rules', {
        name: 'Bad',
        rule: 'device.osPlatform -eq',
        tag: 'x',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields?.[0]).toMatchObject({ path: 'body.rule', line: 1 });
      expect((await admin.delete(`/api/v1/asset-rules/${created.body.id}`)).status).toBe(200);
      expect((await admin.get(`/api/v1/asset-rules/${created.body.id}`)).status).toBe(404);
    });
  });

  describe('reference data', () => {
    it('serves the catalog, profiles, rule vocabularies, rule checks and enrollment statuses', async () => {
      const settings = await admin.get<
        Listed<{ id: string; platforms: string[]; profile: string }>
      >('/api/v1/catalog/settings?platform=linux&profile=antivirus');
      expect(settings.body.items.map((setting) => setting.id)).toContain(
        'antivirus.realTimeProtection',
      );
      expect(settings.body.items.every((setting) => setting.platforms.includes('linux'))).toBe(
        true,
      );
      expect(settings.body.items.every((setting) => setting.profile === 'antivirus')).toBe(true);

      const profiles = await admin.get<Listed<{ id: string; deliverable: boolean }>>(
        '/api/v1/catalog/profiles',
      );
      expect(
        profiles.body.items.find((profile) => profile.id === 'security-experience')?.deliverable,
      ).toBe(false);

      const properties =
        await admin.get<Record<string, { name: string }[]>>('/api/v1/rule-properties');
      expect(properties.body.device?.map((property) => property.name)).toContain('deviceOSType');
      expect(properties.body.asset?.map((property) => property.name)).toContain('deviceName');

      const valid = await admin.post<{ valid: boolean; normalized: string }>(
        '/api/v1/rules/check',
        {
          rule: 'device.deviceOSType -eq "Linux"',
        },
      );
      expect(valid.body.valid).toBe(true);
      expect(valid.body.normalized).toContain('deviceOSType');
      const invalid = await admin.post<{
        valid: boolean;
        diagnostics: { line: number; column: number }[];
      }>('/api/v1/rules/check', { rule: '(device.deviceName -eq "x"', schema: 'filter' });
      expect(invalid.body.valid).toBe(false);
      expect(invalid.body.diagnostics[0]).toMatchObject({ line: 1 });

      const statuses = await admin.get<Listed<{ code: number; name: string }>>(
        '/api/v1/enrollment-statuses',
      );
      expect(statuses.body.items.find((status) => status.code === 1)).toBeDefined();
    });
  });

  describe('audit log', () => {
    it('records who changed what, with before and after, filterable', async () => {
      const rule = await admin.post<{ id: string }>('/api/v1/asset-rules', {
        name: 'Audited',
        rule: '(device.osPlatform -eq "macOS")',
        tag: 'mac',
      });
      await admin.patch(`/api/v1/asset-rules/${rule.body.id}`, { tag: 'macs' });
      const entries = await admin.get<
        Listed<{
          action: string;
          actor: { name: string };
          before: { tag: string } | null;
          after: { tag: string } | null;
        }>
      >(`/api/v1/audit?objectId=${rule.body.id}`);
      expect(entries.body.items.map((entry) => entry.action)).toEqual([
        'asset-rule.update',
        'asset-rule.create',
      ]);
      expect(entries.body.items[0]).toMatchObject({
        actor: { name: 'admin' },
        before: { tag: 'mac' },
        after: { tag: 'macs' },
      });
      const byPrefix = await admin.get<Listed<{ action: string }>>(
        '/api/v1/audit?action=asset-rule.&limit=500',
      );
      expect(byPrefix.body.items.every((entry) => entry.action.startsWith('asset-rule.'))).toBe(
        true,
      );
      const byActor = await admin.get<Listed<unknown>>('/api/v1/audit?actor=nobody');
      expect(byActor.body.total).toBe(0);
      const future = await admin.get<Listed<unknown>>('/api/v1/audit?since=2100-01-01T00:00:00Z');
      expect(future.body.total).toBe(0);
      const me = await admin.get<{ user: { id: string } }>('/api/v1/auth/me');
      for (const actor of ['admin', me.body.user.id]) {
        const mine = await admin.get<Listed<{ actor: { name: string } }>>(
          `/api/v1/audit?actor=${actor}&limit=500`,
        );
        expect(mine.body.total).toBeGreaterThan(0);
        expect(mine.body.items.every((entry) => entry.actor.name === 'admin')).toBe(true);
      }
      const byType = await admin.get<Listed<{ objectType: string }>>(
        '/api/v1/audit?objectType=asset-rule&limit=500',
      );
      expect(byType.body.total).toBeGreaterThan(0);
      expect(byType.body.items.every((entry) => entry.objectType === 'asset-rule')).toBe(true);
      const past = await admin.get<Listed<unknown>>('/api/v1/audit?until=2000-01-01T00:00:00Z');
      expect(past.body.total).toBe(0);
      const bad = await admin.get<ErrorBody>('/api/v1/audit?since=yesterday');
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields?.[0]?.path).toBe('query.since');
      const page = await admin.get<Listed<unknown>>('/api/v1/audit?limit=2&offset=1');
      expect(page.body.items).toHaveLength(2);
    });
  });

  describe('error contract', () => {
    it('refuses a body over 1 MiB with 413', async () => {
      const answer = await admin.post<ErrorBody>('/api/v1/groups', {
        kind: 'assigned',
        name: 'Huge',
        description: 'x'.repeat(1024 * 1024 + 10),
      });
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('payload_too_large');
    });

    it('refuses malformed JSON with a clear code', async () => {
      const answer = await admin.request<ErrorBody>('POST', '/api/v1/groups', '{"kind": ');
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('malformed_json');
    });

    it('keeps the admin password given at first start', async () => {
      await signIn(server.url, 'admin', TEST_ADMIN_PASSWORD);
    });
  });
});

describeEachStore('audit log storage', (target) => {
  it('refuses to update or delete audit entries, at the database', async () => {
    await target.startServer();
    const store = await target.openStore();
    const entries = await store.db.selectFrom('audit_log').select('seq').execute();
    expect(entries.length).toBeGreaterThan(0);
    await expect(
      store.db.updateTable('audit_log').set({ actor_name: 'someone else' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(store.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    const after = await store.db.selectFrom('audit_log').select('seq').execute();
    expect(after).toHaveLength(entries.length);
  });

  it('refuses to change a saved policy version, at the database', async () => {
    const server = await target.startServer();
    const admin = await signIn(server.url);
    const policy = await admin.post<{ id: string }>('/api/v1/policies', {
      name: 'Frozen',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
    });
    const store = await target.openStore();
    await expect(
      store.db
        .updateTable('policy_versions')
        .set({ settings: '{}' })
        .where('policy_id', '=', policy.body.id)
        .execute(),
    ).rejects.toThrow(/immutable/);
    expect((await admin.delete(`/api/v1/policies/${policy.body.id}`)).status).toBe(200);
  });
});
