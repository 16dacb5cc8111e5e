/**
 * The device list over real HTTP on SQLite and PostgreSQL: keyset paging under every sort key and
 * both orders returns every device exactly once, in the order of one long page (ties broken by
 * id), and the filters (enrollment status by code or name, managed-by, case-insensitive search
 * with LIKE's wildcards taken literally) count and list the same devices.
 */

import type { DeviceFacts } from '@palisade/core';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent, windowsFacts } from './agent-sim.js';
import { manualClock } from './clock.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

interface Summary {
  id: string;
  hostname: string;
  managedBy: string;
  enrollment: { code: number; name: string };
}
interface Page {
  items: Summary[];
  total: number;
  nextCursor: string | null;
}

const SORTS = ['hostname', 'lastCheckInAt', 'platform', 'enrollmentStatus'] as const;

describeEachStore('device list', (target) => {
  const clock = manualClock(new Date('2026-04-01T09:00:00.000Z'));
  let server: RunningServer;
  let admin: ApiClient;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await target.startServer({ clock, sessionTtlSeconds: 24 * 3600 });
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'device list',
    });
    const fleet: DeviceFacts[] = [
      linuxFacts('alpha'),
      linuxFacts('ALPHA'),
      windowsFacts('bravo', { mdmManaged: true }),
      windowsFacts('charlie', { isDomainController: true, platform: 'windows-server' }),
      linuxFacts('delta'),
      linuxFacts('echo_100%'),
      { ...linuxFacts('foxtrot'), platform: 'macos', osVersion: '14.5', distro: undefined },
    ];
    for (const [index, facts] of fleet.entries()) {
      // Pairs of devices share a check-in time, so the id must break ties.
      if (index % 2 === 0) clock.advance(60_000);
      const agent = new SimulatedAgent(server.url, facts);
      await agent.enroll(created.body.token);
      ids.push(agent.deviceId);
    }
  });

  const list = async (query: string) => {
    const answer = await admin.get<Page>(`/api/v1/devices?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  it('pages every sort and order with the cursor: each device once, in order', async () => {
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc']) {
        const whole = await list(`sort=${sort}&order=${order}&limit=50`);
        expect(whole.total).toBe(ids.length);
        expect(whole.nextCursor).toBeNull();
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Page = await list(
            `sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          );
          paged.push(...page.items.map((d) => d.id));
          cursor = page.nextCursor;
        } while (cursor !== null && paged.length <= ids.length);
        expect(paged, `${sort} ${order}`).toEqual(whole.items.map((d) => d.id));
        expect(new Set(paged).size).toBe(ids.length);
      }
    }
    const byName = (await list('sort=hostname&limit=50')).items.map((d) =>
      d.hostname.toLowerCase(),
    );
    expect(byName).toEqual([...byName].sort());
  });

  it('filters by enrollment status (code or name), managed-by and search, counting alike', async () => {
    const managed = await list('enrollmentStatus=1&limit=50');
    expect(managed.items.every((d) => d.enrollment.code === 1)).toBe(true);
    expect(managed.total).toBe(managed.items.length);
    const name = managed.items[0]?.enrollment.name ?? '';
    expect((await list(`enrollmentStatus=${name}&limit=50`)).total).toBe(managed.total);
    const others = await list('managedBy=mdm');
    expect(others.items.map((d) => d.hostname)).toEqual(['bravo']);
    expect(managed.total + others.total).toBeLessThan(ids.length); // the DC is neither

    const search = await list('search=ALPHA');
    expect(search.total).toBe(2);
    expect((await list('search=o_1')).items.map((d) => d.hostname)).toEqual(['echo_100%']);
    expect((await list('search=%25')).items.map((d) => d.hostname)).toEqual(['echo_100%']);
    expect((await list('search=a_p')).total).toBe(0); // "_" is not a wildcard
  });

  it('previews a draft group rule: the count of all matches and the page asked for', async () => {
    interface Preview {
      valid: boolean;
      count: number;
      devices: { hostname: string }[];
    }
    const rule = '(device.deviceOSType -eq "Linux")';
    const first = await admin.post<Preview>('/api/v1/groups/preview', { rule, limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(4); // alpha, ALPHA, delta, echo_100%
    expect(first.body.devices).toHaveLength(2);
    const rest = await admin.post<Preview>('/api/v1/groups/preview', { rule, limit: 2, offset: 2 });
    const hostnames = [...first.body.devices, ...rest.body.devices].map((d) => d.hostname);
    expect(hostnames.map((h) => h.toLowerCase())).toEqual(['alpha', 'alpha', 'delta', 'echo_100%']);
    const groups = await admin.get<{ total: number }>('/api/v1/groups');
    expect(groups.body.total).toBe(0); // a preview saves nothing
  });
});
