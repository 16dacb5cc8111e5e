/**
 * Reports written in bulk (services/fleet/report-writer.ts) mean what one-at-a-time reports
 * meant: the first (device, reportId) is stored and later ones are retries, a report of the
 * current revision replaces the per-setting statuses (the device's later report wins), an older
 * one only moves "last report", and one bad report in a batch fails alone.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { loadDeviceRecords } from '../src/services/fleet/device-records.js';
import { fleetDb } from '../src/services/fleet/fleet-db.js';
import { FleetService } from '../src/services/fleet/fleet-service.js';
import { type ReportEntry, writeReports } from '../src/services/fleet/report-writer.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('report writer', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let fleet: FleetService;
  let token: string;
  const SETTING = 'antivirus.realTimeProtection';

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    fleet = server.context.fleet as FleetService;
    token = (
      await admin.post<{ token: string }>('/api/v1/onboarding-tokens', { description: 'reports' })
    ).body.token;
    const group = await admin.post<{ id: string }>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Report writers',
      rule: '(device.displayName -startsWith "rep-")',
    });
    const policy = await admin.post('/api/v1/policies', {
      name: 'Report antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { [SETTING]: true },
      assignments: { include: [group.body.id], exclude: [], filter: null },
    });
    expect(policy.status).toBe(201);
  });

  async function device(name: string): Promise<{ id: string; revision: number }> {
    const agent = new SimulatedAgent(server.url, linuxFacts(name));
    await agent.enroll(token);
    await agent.checkIn();
    if (agent.revision === null) throw new Error('no configuration');
    return { id: agent.deviceId, revision: agent.revision };
  }

  const entry = (
    deviceId: string,
    revision: number,
    reportId: string,
    results: ReportEntry['request']['results'],
  ): ReportEntry => ({
    tenantId: fleetTenant(),
    deviceId,
    request: { reportId, revision, results },
    now: new Date(),
  });
  const fleetTenant = () => server.firstStart.tenantId;

  const deviceRow = (id: string) =>
    server.context.store.db
      .selectFrom('devices')
      .select(['report_status', 'reported_revision', 'last_report_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('stores first reports, recognises retries, and lets the later current report win', async () => {
    expect(fleet).toBeInstanceOf(FleetService);
    const d1 = await device('rep-01');
    const d2 = await device('rep-02');
    const first = `report-${randomUUID()}`;
    const applied = [{ id: SETTING, status: 'applied' as const }];
    const answers = await Promise.all([
      fleet.reports.write(entry(d1.id, d1.revision, first, applied)),
      fleet.reports.write(entry(d1.id, d1.revision, first, applied)),
      fleet.reports.write(entry(d2.id, d2.revision - 1, `report-${randomUUID()}`, applied)),
      fleet.reports.write(
        entry(d1.id, d1.revision, `report-${randomUUID()}`, [
          { id: SETTING, status: 'failed', error: 'refused by the test' },
        ]),
      ),
    ]);
    expect(answers).toEqual([false, true, false, false]);
    // A retry in a later batch is still a retry.
    expect(await fleet.reports.write(entry(d1.id, d1.revision, first, applied))).toBe(true);
    const db = server.context.store.db;
    const stored = await db
      .selectFrom('reports')
      .select('report_id')
      .where('device_id', '=', d1.id)
      .execute();
    expect(stored).toHaveLength(2);
    const status = await db
      .selectFrom('setting_statuses')
      .select(['status', 'error'])
      .where('device_id', '=', d1.id)
      .where('setting_id', '=', SETTING)
      .executeTakeFirstOrThrow();
    expect(status).toEqual({ status: 'failed', error: 'refused by the test' });
    expect(await deviceRow(d1.id)).toMatchObject({
      reported_revision: d1.revision,
      report_status: 'failed',
    });
    // d2 reported an older revision: "last report" moved, its statuses stay pending.
    const row2 = await deviceRow(d2.id);
    expect(row2.last_report_at).not.toBeNull();
    expect(row2.reported_revision).toBeNull();
    const pending = await db
      .selectFrom('setting_statuses')
      .select('status')
      .where('device_id', '=', d2.id)
      .where('setting_id', '=', SETTING)
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
  });

  it('fails only the report that cannot be written', async () => {
    const d3 = await device('rep-03');
    const [good, bad] = await Promise.allSettled([
      fleet.reports.write(entry(d3.id, d3.revision, `report-${randomUUID()}`, [])),
      fleet.reports.write(entry(`missing-${randomUUID()}`, 1, `report-${randomUUID()}`, [])),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: false });
    expect(bad?.status).toBe('rejected');
    expect(await deviceRow(d3.id)).toMatchObject({ reported_revision: d3.revision });
  });

  it('a report batch and a recompute of the same devices wait for each other, never deadlock', async () => {
    // PostgreSQL only: SQLite runs one transaction at a time.
    const store = server.context.store;
    if (store.dialect !== 'postgres') return;
    const [first, second] = [await device('rep-04'), await device('rep-05')].sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    if (!first || !second) throw new Error('two devices expected');
    const lockWaits = async () =>
      Number(
        (
          await sql<{
            count: string;
          }>`select count(*) as count from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`.execute(
            store.db,
          )
        ).rows[0]?.count,
      );
    const untilLockWait = async () => {
      const deadline = Date.now() + 5_000;
      while ((await lockWaits()) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // A recompute (a policy saved meanwhile) has locked the first device and is about to lock
    // the second, in id order, as fleet-service does.
    let lockedFirst: () => void = () => {};
    let goOn: () => void = () => {};
    const firstLocked = new Promise<void>((resolve) => {
      lockedFirst = resolve;
    });
    const mayGoOn = new Promise<void>((resolve) => {
      goOn = resolve;
    });
    const recompute = store.transaction(async (trx) => {
      await loadDeviceRecords(fleetDb(trx), fleetTenant(), [first.id], { lock: true });
      lockedFirst();
      await mayGoOn;
      await loadDeviceRecords(fleetDb(trx), fleetTenant(), [second.id], { lock: true });
    });
    await firstLocked;
    // Reports of both arrive, the second device's first. Before the batch locked its devices
    // first in id order, it took the second one's row (its report's foreign key) and then
    // waited for the first: with the recompute waiting for the second, a deadlock.
    const applied = [{ id: SETTING, status: 'applied' as const }];
    const batch = store.transaction((trx) =>
      writeReports(
        fleetDb(trx),
        fleet.configurations,
        [
          entry(second.id, second.revision, `report-${randomUUID()}`, applied),
          entry(first.id, first.revision, `report-${randomUUID()}`, applied),
        ],
        { lockDevices: true },
      ),
    );
    await untilLockWait();
    goOn();
    const [recomputed, written] = await Promise.allSettled([recompute, batch]);
    expect(recomputed.status).toBe('fulfilled');
    expect(written).toEqual({ status: 'fulfilled', value: [false, false] });
  });
});
