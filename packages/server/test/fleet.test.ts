/**
 * The fleet engine end to end, over real HTTP, on SQLite and PostgreSQL: simulated agents enroll
 * through the protocol with their own Ed25519 keys, dynamic groups and policies are built through
 * the admin API, the signed configuration change arrives over notify, is verified the agent's
 * way, reported, and read back from the dashboard.
 */
import { randomUUID } from 'node:crypto';
import { MAX_REVISION } from '@palisade/protocol';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import type { FleetService } from '../src/services/fleet/fleet-service.js';
import { FleetMaintenance, MAINTENANCE_LOCK_KEY } from '../src/services/fleet/maintenance.js';
import {
  linuxFacts,
  metricValue,
  type NotifyStream,
  SimulatedAgent,
  windowsFacts,
} from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

/** The promise: a saved change reaches a connected agent within a second. */
const PUSH_WITHIN_MS = 1_000;

interface Created {
  id: string;
}

describeEachStore('fleet engine', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let token: string;
  let linux: SimulatedAgent;
  let windows: SimulatedAgent;
  let linuxNotify: NotifyStream;
  let linuxGroupId: string;
  let policyId: string;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'fleet test',
    });
    expect(created.status).toBe(201);
    token = created.body.token;
    linux = new SimulatedAgent(server.url, linuxFacts('web-01'));
    windows = new SimulatedAgent(server.url, windowsFacts('DESKTOP-7'));
  });
  afterAll(() => {
    linuxNotify?.close();
  });

  it('enrolls devices and hands out the first signed configuration at once', async () => {
    const enrolled = await linux.enroll(token);
    expect(enrolled.enrollment.code).toBe(1);
    expect(enrolled.enrollment.managedBy).toBe('palisade');
    await windows.enroll(token);
    const first = await linux.checkIn();
    expect(first.s).toBe('c');
    expect(linux.revision).toBeGreaterThanOrEqual(1);
    expect(linux.document?.enrollment.code).toBe(1);
    // Holding the current revision: the tiny "unchanged" answer.
    const second = await linux.checkIn();
    expect(second).toEqual({ s: 'u', n: expect.any(Number) });
    await windows.checkIn();
  });

  it('re-enrolling one machine is idempotent: same device, new credential, old one refused', async () => {
    const again = new SimulatedAgent(server.url, linuxFacts('db-01'));
    const first = await again.enroll(token);
    const oldCredential = again.credential;
    const second = await again.enroll(token);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.credential).not.toBe(oldCredential);
    const refused = await again.call('/agent/v1/check-in', { revision: null }, oldCredential);
    expect(refused.status).toBe(401);
    const list = await admin.get<{ total: number }>('/api/v1/devices?search=db-01');
    expect(list.body.total).toBe(1);
  });

  it('refuses invalid, revoked and expired onboarding tokens with clear errors', async () => {
    const agent = new SimulatedAgent(server.url, linuxFacts('rogue-01'));
    const invalid = await agent.enrollRaw('not-a-real-token-at-all');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toMatchObject({ error: { code: 'token_invalid' } });

    const revokedToken = await admin.post<{ token: string; onboardingToken?: Created } & Created>(
      '/api/v1/onboarding-tokens',
      { description: 'to revoke' },
    );
    const revokedId = revokedToken.body.onboardingToken?.id ?? revokedToken.body.id;
    expect((await admin.post(`/api/v1/onboarding-tokens/${revokedId}/revoke`)).status).toBe(200);
    const revoked = await agent.enrollRaw(revokedToken.body.token);
    expect(revoked.status).toBe(403);
    expect(revoked.body).toMatchObject({ error: { code: 'token_revoked' } });

    const expiring = await admin.post<{ token: string; onboardingToken?: Created } & Created>(
      '/api/v1/onboarding-tokens',
      { description: 'to expire' },
    );
    const expiringId = expiring.body.onboardingToken?.id ?? expiring.body.id;
    const store = await target.openStore();
    await store.db
      .updateTable('onboarding_tokens')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', expiringId)
      .execute();
    const expired = await agent.enrollRaw(expiring.body.token);
    expect(expired.status).toBe(403);
    expect(expired.body).toMatchObject({ error: { code: 'token_expired' } });
    expect((await admin.get<{ total: number }>('/api/v1/devices?search=rogue')).body.total).toBe(0);
  });

  it('pushes a policy change to the connected agent over notify, signed and newer', async () => {
    linuxNotify = await linux.notify();
    expect(await metricValue(server.url, 'palisade_notify_connections', '')).toBeGreaterThanOrEqual(
      1,
    );
    const group = await admin.post<Created>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Linux servers',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    expect(group.status).toBe(201);
    linuxGroupId = group.body.id;
    const members = await admin.get<{ total: number; items: { id: string }[] }>(
      `/api/v1/groups/${linuxGroupId}/members`,
    );
    expect(members.body.items.map((d) => d.id)).toContain(linux.deviceId);
    expect(members.body.items.map((d) => d.id)).not.toContain(windows.deviceId);

    const before = linux.revision ?? 0;
    const policy = await admin.post<Created>('/api/v1/policies', {
      name: 'Linux antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true, 'antivirus.puaProtection': 'block' },
      assignments: { include: [linuxGroupId], exclude: [], filter: null },
    });
    expect(policy.status).toBe(201);
    policyId = policy.body.id;
    const event = await linuxNotify.next('revision', PUSH_WITHIN_MS);
    expect((event.data as { revision: number }).revision).toBeGreaterThan(before);

    const answer = await linux.checkIn();
    expect(answer.s).toBe('c');
    expect(linux.revision).toBe((event.data as { revision: number }).revision);
    const settings = linux.document?.configuration.settings ?? [];
    expect(settings.map((s) => s.id)).toEqual([
      'antivirus.puaProtection',
      'antivirus.realTimeProtection',
    ]);
    expect(settings[0]?.sources[0]?.policyId).toBe(policyId);
    // The Windows device is not in the group: nothing for it.
    expect((await windows.checkIn()).s).toBe('u');
  });

  it('rolls a report up at once and counts a retried report once', async () => {
    const reportId = randomUUID();
    expect(await linux.reportAllSucceeded({ reportId })).toEqual({
      accepted: true,
      duplicate: false,
    });
    expect(await linux.reportAllSucceeded({ reportId })).toEqual({
      accepted: true,
      duplicate: true,
    });
    const report = await admin.get<{
      devices: number;
      counts: Record<string, number>;
      deviceStatuses: { items: { deviceId: string; status: string }[] };
    }>(`/api/v1/policies/${policyId}/report`);
    expect(report.status).toBe(200);
    // Two Linux devices are in the group (web-01 reported, db-01 did not yet).
    expect(report.body.devices).toBe(2);
    expect(report.body.counts.succeeded).toBe(2);
    expect(report.body.counts.pending).toBe(2);
    expect(report.body.deviceStatuses.items).toContainEqual(
      expect.objectContaining({ deviceId: linux.deviceId, status: 'succeeded' }),
    );

    const dashboard = await admin.get<{
      devices: number;
      enrollment: { code: number; platform: string; devices: number }[];
      policies: { policyId: string; devices: number; counts: Record<string, number> }[];
      deviceStatus: Record<string, number>;
    }>('/api/v1/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.enrollment).toContainEqual(
      expect.objectContaining({ code: 1, platform: 'linux' }),
    );
    const row = dashboard.body.policies.find((p) => p.policyId === policyId);
    expect(row).toMatchObject({
      devices: 2,
      counts: expect.objectContaining({ succeeded: 2, pending: 2 }),
    });
    expect(dashboard.body.deviceStatus.succeeded).toBe(1);

    // A failure shows at once too.
    await linux.report([
      { id: 'antivirus.puaProtection', status: 'failed', error: 'mdatp: permission denied' },
      { id: 'antivirus.realTimeProtection', status: 'succeeded' },
    ]);
    const failing = await admin.get<{ failingDevices: { id: string }[] }>('/api/v1/dashboard');
    expect(failing.body.failingDevices.map((d) => d.id)).toEqual([linux.deviceId]);
  });

  it('recomputes only the device whose facts changed, and bumps the revision only on change', async () => {
    const metric = 'palisade_devices_recomputed_total';
    const factsBefore = await metricValue(server.url, metric, 'cause="facts"');
    const policyBefore = await metricValue(server.url, metric, 'cause="policy"');
    const revision = linux.revision;
    // A facts change that changes no configuration: recompute one device, keep the revision.
    const answer = await linux.checkIn({ osName: 'Debian GNU/Linux 12.7 (bookworm)' });
    expect(answer.s).toBe('u');
    expect(linux.revision).toBe(revision);
    expect(await metricValue(server.url, metric, 'cause="facts"')).toBe(factsBefore + 1);
    expect(await metricValue(server.url, metric, 'cause="policy"')).toBe(policyBefore);
    // The same facts again: no recompute at all.
    await linux.checkIn({ osName: 'Debian GNU/Linux 12.7 (bookworm)' });
    expect(await metricValue(server.url, metric, 'cause="facts"')).toBe(factsBefore + 1);
  });

  it('moves a device between groups when its facts change, with a newer revision', async () => {
    const windowsGroup = await admin.post<Created>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Finance desktops',
      rule: '(device.displayName -startsWith "FIN-")',
    });
    expect(windowsGroup.status).toBe(201);
    const policy = await admin.post<Created>('/api/v1/policies', {
      name: 'Finance antivirus',
      platform: 'windows',
      profile: 'antivirus',
      settings: { 'antivirus.cloudProtection': true },
      assignments: { include: [windowsGroup.body.id], exclude: [], filter: null },
    });
    expect(policy.status).toBe(201);
    const before = windows.revision ?? 0;
    const answer = await windows.checkIn({ hostname: 'FIN-DESKTOP-7' });
    expect(answer.s).toBe('c');
    expect(windows.revision).toBeGreaterThan(before);
    expect(windows.document?.configuration.settings.map((s) => s.id)).toEqual([
      'antivirus.cloudProtection',
    ]);
  });

  it('tags devices by asset rule and by hand, and lists them by tag, group and platform', async () => {
    const rule = await admin.post<Created>('/api/v1/asset-rules', {
      name: 'Linux phase 1',
      rule: '(device.osPlatform -eq "Linux")',
      tag: 'phase-1',
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const tagged = await admin.get<{ items: { id: string }[] }>('/api/v1/devices?tag=phase-1');
    expect(tagged.body.items.map((d) => d.id)).toContain(linux.deviceId);
    expect(tagged.body.items.map((d) => d.id)).not.toContain(windows.deviceId);

    const added = await admin.post<{ tags: { tag: string; source: string }[] }>(
      `/api/v1/devices/${windows.deviceId}/tags`,
      { tag: 'vip' },
    );
    expect(added.status).toBe(200);
    expect(added.body.tags).toContainEqual({ tag: 'vip', source: 'manual' });

    const detail = await admin.get<{
      tagSources: { tag: string; source: string; ruleId?: string }[];
      enrollment: { code: number; meaning: string; fix: string | null };
      groups: { id: string }[];
      configuration: { revision: number } | null;
      checkIns: unknown[];
      identity: { kind: string };
    }>(`/api/v1/devices/${linux.deviceId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.tagSources).toContainEqual({
      tag: 'phase-1',
      source: 'asset-rule',
      ruleId: rule.body.id,
      ruleName: 'Linux phase 1',
    });
    expect(detail.body.enrollment.code).toBe(1);
    expect(detail.body.enrollment.meaning.length).toBeGreaterThan(0);
    expect(detail.body.groups.map((g) => g.id)).toContain(linuxGroupId);
    expect(detail.body.configuration?.revision).toBe(linux.revision);
    expect(detail.body.identity.kind).toBe('synthetic');
    expect(detail.body.checkIns.length).toBeGreaterThan(0);

    const byPlatform = await admin.get<{ total: number }>(
      '/api/v1/devices?platform=windows-client',
    );
    expect(byPlatform.body.total).toBe(1);
    const byGroup = await admin.get<{ items: { id: string }[] }>(
      `/api/v1/devices?group=${linuxGroupId}`,
    );
    expect(byGroup.body.items.map((d) => d.id)).toContain(linux.deviceId);
    const bad = await admin.get<{ error: { fields: { path: string }[] } }>(
      '/api/v1/devices?platform=amiga',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0]?.path).toBe('query.platform');
  });

  it('pages the device list with a keyset cursor', async () => {
    const first = await admin.get<{ items: { hostname: string }[]; nextCursor: string | null }>(
      '/api/v1/devices?limit=1&sort=hostname',
    );
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await admin.get<{ items: { hostname: string }[] }>(
      `/api/v1/devices?limit=1&sort=hostname&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]?.hostname.toLowerCase() ?? '').not.toBe('');
    expect(
      (second.body.items[0]?.hostname.toLowerCase() ?? '') >
        (first.body.items[0]?.hostname.toLowerCase() ?? ''),
    ).toBe(true);
  });

  it('syncs now and follows the progress as devices report back', async () => {
    const sync = await admin.post<{ syncRequestId: string; deviceCount: number }>('/api/v1/sync', {
      scope: 'group',
      id: linuxGroupId,
    });
    expect(sync.status).toBe(202);
    expect(sync.body.deviceCount).toBeGreaterThanOrEqual(1);
    const event = await linuxNotify.next('sync', PUSH_WITHIN_MS);
    expect(event.data).toEqual({ syncRequestId: sync.body.syncRequestId });
    await linux.checkIn(undefined, sync.body.syncRequestId);
    await linux.reportAllSucceeded({ syncRequestId: sync.body.syncRequestId });
    const progress = await admin.get<{ reported: number; deviceCount: number }>(
      `/api/v1/sync/${sync.body.syncRequestId}`,
    );
    expect(progress.body.reported).toBe(1);
    expect(progress.body.deviceCount).toBe(sync.body.deviceCount);
  });

  it('previews group and asset rules and answers what-if without saving', async () => {
    const preview = await admin.post<{ valid: boolean; count: number }>('/api/v1/groups/preview', {
      rule: '(device.deviceOSType -eq "Windows")',
    });
    expect(preview.body).toMatchObject({ valid: true, count: 1 });
    const broken = await admin.post<{ valid: boolean; diagnostics: { line: number }[] }>(
      '/api/v1/groups/preview',
      { rule: '(device.deviceOSType -eq ' },
    );
    expect(broken.body.valid).toBe(false);
    expect(broken.body.diagnostics[0]?.line).toBe(1);
    const assets = await admin.post<{ count: number }>('/api/v1/asset-rules/preview', {
      rule: '(device.osPlatform -eq "Linux")',
    });
    expect(assets.body.count).toBeGreaterThanOrEqual(1);

    const revision = linux.revision;
    const whatIf = await admin.post<{
      devicesReached: number;
      changes: { deviceId: string; changes: { id: string; kind: string }[] }[];
      conflictsAppearing: { settingId: string }[];
    }>('/api/v1/policies/what-if', {
      policy: {
        name: 'Competing PUA',
        platform: 'linux',
        profile: 'antivirus',
        settings: { 'antivirus.puaProtection': 'audit' },
        assignments: { include: [linuxGroupId], exclude: [], filter: null },
      },
    });
    expect(whatIf.status, JSON.stringify(whatIf.body)).toBe(200);
    expect(whatIf.body.devicesReached).toBeGreaterThanOrEqual(1);
    const mine = whatIf.body.changes.find((c) => c.deviceId === linux.deviceId);
    expect(mine?.changes).toContainEqual(
      expect.objectContaining({ id: 'antivirus.puaProtection', kind: 'conflict-added' }),
    );
    expect(whatIf.body.conflictsAppearing.map((c) => c.settingId)).toContain(
      'antivirus.puaProtection',
    );
    // Nothing was saved: the agent's configuration did not move.
    expect((await linux.checkIn()).s).toBe('u');
    expect(linux.revision).toBe(revision);
  });

  it('a tagged enforcement scope takes untagged devices out of management until tagged', async () => {
    const scope = (linuxScope: unknown) =>
      admin.patch('/api/v1/tenant/settings', { enforcementScope: { linux: linuxScope } });
    const before = linux.revision ?? 0;
    expect((await scope({ mode: 'tagged', tag: 'palisade-managed' })).status).toBe(200);
    const event = await linuxNotify.next('revision', PUSH_WITHIN_MS);
    expect((event.data as { revision: number }).revision).toBeGreaterThan(before);
    await linux.checkIn();
    expect(linux.document?.enrollment.code).not.toBe(1);
    expect(linux.document?.enrollment.fix).toBeTruthy();
    expect(linux.document?.configuration.settings).toEqual([]);
    const listed = await admin.get<{ items: { id: string }[] }>(
      `/api/v1/devices?managedBy=none&platform=linux`,
    );
    expect(listed.body.items.map((d) => d.id)).toContain(linux.deviceId);

    await admin.post(`/api/v1/devices/${linux.deviceId}/tags`, { tag: 'palisade-managed' });
    await linuxNotify.next('revision', PUSH_WITHIN_MS);
    await linux.checkIn();
    expect(linux.document?.enrollment.code).toBe(1);
    expect(linux.document?.configuration.settings.length).toBe(2);

    expect((await scope({ mode: 'all' })).status).toBe(200);
    const removed = await admin.delete(`/api/v1/devices/${linux.deviceId}/tags/palisade-managed`);
    expect(removed.status).toBe(200);
    await linux.checkIn();
    expect(linux.document?.enrollment.code).toBe(1);
  });

  it('previews see facts changed since the last preview', async () => {
    const rule = { rule: '(device.displayName -startsWith "renamed-")' };
    expect((await admin.post<{ count: number }>('/api/v1/groups/preview', rule)).body.count).toBe(
      0,
    );
    await windows.checkIn({ hostname: 'renamed-7' });
    expect((await admin.post<{ count: number }>('/api/v1/groups/preview', rule)).body.count).toBe(
      1,
    );
  });

  it('a facts change that renames a device moves its name in lists and searches; others keep it', async () => {
    type Listed = { items: { id: string; hostname: string; platform: string }[] };
    const search = async (text: string) =>
      (await admin.get<Listed>(`/api/v1/devices?search=${text}`)).body.items;
    await windows.checkIn({ hostname: 'Moved-Eight' });
    expect((await search('moved-eight')).map((d) => [d.id, d.hostname])).toEqual([
      [windows.deviceId, 'Moved-Eight'],
    ]);
    // Facts that leave the name alone do not touch the name's columns.
    await windows.checkIn({ tags: ['ring-2'] });
    const found = await search('moved-eight');
    expect(found.map((d) => [d.id, d.hostname, d.platform])).toEqual([
      [windows.deviceId, 'Moved-Eight', 'windows-client'],
    ]);
  });

  it('revisions only grow, even when a change brings back an earlier configuration', async () => {
    await linux.checkIn();
    const start = linux.revision ?? 0;
    const values = () => linux.document?.configuration.settings.map((x) => [x.id, x.value]);
    const startValues = values();
    const edit = (pua: string) =>
      admin.patch(`/api/v1/policies/${policyId}`, {
        settings: { 'antivirus.realTimeProtection': true, 'antivirus.puaProtection': pua },
      });
    expect((await edit('audit')).status).toBe(200);
    expect((await linux.checkIn()).s).toBe('c');
    const middle = linux.revision ?? 0;
    const middleDocument = linux.document;
    expect(middle).toBeGreaterThan(start);
    expect((await edit('block')).status).toBe(200);
    expect((await linux.checkIn()).s).toBe('c');
    expect(linux.revision).toBeGreaterThan(middle);
    // The same values as at the start (the provenance names the newer policy version).
    expect(values()).toEqual(startValues);
    // A tag that no rule or scope reads changes nothing: no new revision.
    await admin.post(`/api/v1/devices/${linux.deviceId}/tags`, { tag: 'inventory-2026' });
    expect((await linux.checkIn()).s).toBe('u');
    // Replaying the older signed document is refused by the agent's check.
    const replay = await linux.call('/agent/v1/check-in', { revision: null });
    const answer = replay.body as {
      s: string;
      configuration: { payload: string; signature: string };
    };
    expect(answer.s).toBe('c');
    expect(JSON.parse(answer.configuration.payload).revision).toBe(linux.revision);
    expect(middleDocument?.revision).toBe(middle);
  });

  it('an agent holding a revision the server never issued (restored database) gets a newer one', async () => {
    await linux.checkIn();
    const current = linux.revision ?? 0;
    const settings = linux.document?.configuration.settings;
    // As after a restore from an older backup: the agent holds revision current + 5.
    linux.revision = current + 5;
    const answer = await linux.checkIn();
    expect(answer.s).toBe('c');
    // Accepted by the agent's own check (newer than held), same configuration, signed again.
    expect(linux.revision).toBe(current + 6);
    expect(linux.document?.configuration.settings).toEqual(settings);
    expect(await linux.checkIn()).toEqual({ s: 'u', n: expect.any(Number) });
    // The device's revision moved for good: the admin view says so too.
    const detail = await admin.get<{ revision: number }>(`/api/v1/devices/${linux.deviceId}`);
    expect(detail.body.revision).toBe(current + 6);
    // A revision that is not ahead changes nothing.
    linux.revision = current + 6;
    expect((await linux.checkIn()).s).toBe('u');
    // One beyond what a revision can be is refused at the edge, and moves nothing.
    const absurd = await linux.call('/agent/v1/check-in', { revision: MAX_REVISION + 1 });
    expect(absurd.status).toBe(400);
    expect((absurd.body as { error: { code: string } }).error.code).toBe('validation_failed');
    const after = await admin.get<{ revision: number }>(`/api/v1/devices/${linux.deviceId}`);
    expect(after.body.revision).toBe(current + 6);
  });

  it('sweeps once across processes: a device that lost its notice is told again', async () => {
    const agent = new SimulatedAgent(server.url, linuxFacts('sleepy-01'));
    await agent.enroll(token);
    await agent.checkIn();
    const stream = await agent.notify();
    try {
      // A change whose notice was lost: the revision moved, nobody told the agent.
      const store = await target.openStore();
      await store.db
        .updateTable('devices')
        .set((eb) => ({ revision: eb('revision', '+', 1) }))
        .where('id', '=', agent.deviceId)
        .execute();
      const maintenance = new FleetMaintenance(server.context.fleet as FleetService, {
        intervalMs: 60 * 60_000,
        unreportedAfterMs: 0,
        retentionDays: 30,
        reconcileSlice: 10_000,
      });
      const round = await maintenance.runOnce();
      expect(round.ran).toBe(true);
      expect(round.renotified).toBeGreaterThanOrEqual(1);
      // Recomputing every device from scratch finds nothing the incremental recompute missed.
      expect(round.reconciled).toBeGreaterThanOrEqual(4);
      expect(round.reconcileMoved).toBe(0);
      const event = await stream.next('revision', PUSH_WITHIN_MS);
      expect(event.data).toEqual({ revision: (agent.revision ?? 0) + 1 });
      if (target.kind === 'postgres') {
        // Another process holds the round's lock: this one skips.
        await store.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${MAINTENANCE_LOCK_KEY})`.execute(trx);
          expect((await maintenance.runOnce()).ran).toBe(false);
        });
      }
    } finally {
      stream.close();
    }
  });

  it('refuses bad agent input with the field named, and changes nothing', async () => {
    const rogue = new SimulatedAgent(server.url, {
      ...linuxFacts('bad-01'),
      platform: 'amiga',
    } as never);
    const enrolled = await rogue.enrollRaw(token);
    expect(enrolled.status).toBe(400);
    expect(enrolled.body).toMatchObject({
      error: { code: 'validation_failed', fields: [{ path: 'body.facts.platform' }] },
    });
    expect((await admin.get<{ total: number }>('/api/v1/devices?search=bad-01')).body.total).toBe(
      0,
    );

    const revision = linux.revision;
    const badCheckIn = await linux.call('/agent/v1/check-in', {
      revision,
      facts: { isDomainController: 'yes' },
    });
    expect(badCheckIn.status).toBe(400);
    expect(badCheckIn.body).toMatchObject({
      error: { fields: [{ path: 'body.facts.isDomainController' }] },
    });
    const badReport = await linux.call('/agent/v1/report', {
      reportId: 'report-0001',
      revision,
      results: [{ id: 'antivirus.puaProtection', status: 'great' }],
    });
    expect(badReport.status).toBe(400);
    expect(badReport.body).toMatchObject({
      error: { fields: [{ path: 'body.results.0.status' }] },
    });
    // A report over the 4 MiB limit is refused before it is read.
    const huge = await linux.call('/agent/v1/report', {
      reportId: 'report-0002',
      revision,
      results: [{ id: 'x', status: 'failed', error: 'e'.repeat(5 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
  });

  it('offboards a device: its credential stops working', async () => {
    const agent = new SimulatedAgent(server.url, linuxFacts('retired-01'));
    await agent.enroll(token);
    const done = await admin.post(`/api/v1/devices/${agent.deviceId}/offboard`);
    expect(done.status).toBe(200);
    const refused = await agent.call('/agent/v1/check-in', { revision: null });
    expect(refused.status).toBe(401);
    const listed = await admin.get<{ total: number }>('/api/v1/devices?search=retired-01');
    expect(listed.body.total).toBe(0);
    // Enrolling the machine again brings the same device back.
    const back = await agent.enroll(token);
    expect(back.deviceId).toBe(agent.deviceId);
    expect((await agent.checkIn()).s).toBe('c');
    const relisted = await admin.get<{ total: number }>('/api/v1/devices?search=retired-01');
    expect(relisted.body.total).toBe(1);
  });
});

describe('fleet metrics', () => {
  it('names every metric the issue asks for', async () => {
    const { createFleetMetrics } = await import('../src/services/fleet/fleet-metrics.js');
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    createFleetMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'palisade_check_ins_total',
        'palisade_enrollments_total',
        'palisade_pushes_total',
        'palisade_notify_connections',
        'palisade_recompute_seconds',
      ]),
    );
  });
});
