/**
 * `GET /agent/v1/notify?deliver=configuration`: the stream carries each new signed configuration
 * itself (`configuration` events) instead of a `revision` notice, so an agent applies and reports
 * a change without a check-in. The configuration is the one a check-in would answer: it verifies
 * with the pinned key, for this device, at the device's revision. Asked without `deliver`, the
 * stream still sends notices; a malformed `deliver` is refused.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, metricValue, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, linuxPolicyOnGroup, signIn } from './http.js';
import { describeEachStore } from './stores.js';

const WITHIN_MS = 5_000;

describeEachStore('notify delivering configurations', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let agent: SimulatedAgent;

  const storedRevision = async () =>
    (
      await server.context.store.db
        .selectFrom('devices')
        .select('revision')
        .where('id', '=', agent.deviceId)
        .executeTakeFirstOrThrow()
    ).revision;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'deliver test',
    });
    agent = new SimulatedAgent(server.url, linuxFacts('deliver-01'));
    await agent.enroll(created.body.token);
    await agent.checkIn();
  });

  it('sends a saved change as the signed configuration itself, applied and reported without a check-in', async () => {
    const held = agent.revision ?? 0;
    const stream = await agent.notify({ deliver: true });
    const checkInsBefore = await metricValue(
      server.url,
      'palisade_check_ins_total',
      'result="changed"',
    );
    await linuxPolicyOnGroup(
      admin,
      { group: 'deliver linux', policy: 'Delivered antivirus' },
      '(device.deviceOSType -eq "Linux")',
    );
    const event = await stream.next('configuration', WITHIN_MS);
    const document = agent.accept(event.data as { payload: string; signature: string });
    expect(document.revision).toBeGreaterThan(held);
    expect(document.revision).toBe(await storedRevision());
    expect(document.configuration.settings.map((s) => s.id)).toContain(
      'antivirus.realTimeProtection',
    );
    const report = await agent.reportAllSucceeded();
    expect(report.accepted).toBe(true);
    const detail = await admin.get<{ revision: number; reportStatus: string | null }>(
      `/api/v1/devices/${agent.deviceId}`,
    );
    expect(detail.body.revision).toBe(document.revision);
    // Delivered on the stream: no check-in fetched it.
    expect(await metricValue(server.url, 'palisade_check_ins_total', 'result="changed"')).toBe(
      checkInsBefore,
    );
    expect(
      await metricValue(server.url, 'palisade_pushes_total', 'kind="configuration"'),
    ).toBeGreaterThanOrEqual(1);
    // Held now: a check-in has nothing newer to send.
    expect((await agent.checkIn()).s).toBe('u');
    stream.close();
  });

  it('opened behind the device, sends the current configuration at once', async () => {
    const stream = await agent.notify({ deliver: true, revision: 0 });
    const event = await stream.next('configuration', WITHIN_MS);
    const payload = JSON.parse((event.data as { payload: string }).payload) as {
      revision: number;
      deviceId: string;
    };
    expect(payload).toMatchObject({ revision: await storedRevision(), deviceId: agent.deviceId });
    stream.close();
    // Without `deliver`, the same stream announces the revision instead.
    const notices = await agent.notify({ revision: 0 });
    const notice = await notices.next('revision', WITHIN_MS);
    expect(notice.data).toEqual({ revision: await storedRevision() });
    notices.close();
  });

  it('refuses a deliver value it does not know', async () => {
    for (const query of ['deliver=revision', 'deliver=', 'revision=1&deliver=configurations']) {
      const response = await fetch(`${server.url}/agent/v1/notify?${query}`, {
        headers: { authorization: `Bearer ${agent.credential}`, accept: 'text/event-stream' },
      });
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'validation_failed',
      );
    }
  });
});
