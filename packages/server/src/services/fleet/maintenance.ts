/**
 * Periodic fleet work, run once across all server processes: on PostgreSQL the run takes a
 * transaction-level advisory lock (`pg_try_advisory_xact_lock`) and a process that does not get it
 * skips the round; SQLite has one process.
 *
 * - Fallback sweep: a device that was given a new revision some minutes ago and has not reported
 *   it gets one more notice (the first may have been lost with a dropped connection). Each revision
 *   is swept once: only revisions issued within one interval before the threshold are picked.
 * - Retention: reports and sync requests older than the retention period are deleted (the
 *   per-setting statuses, which the dashboards read, are kept; check-in history is bounded on write).
 * - Reconcile: a slice of devices (in id order, wrapping around) is recomputed from scratch each
 *   round. Normally nothing moves; it heals what a race could leave behind (a device recomputed
 *   from a tenant state another process had just changed), within hours even at 100,000 devices.
 */
import { sql } from 'kysely';
import type { AfterCommit } from '../../context.js';
import { groupBy } from './device-records.js';
import { type FleetDb, fleetDb } from './fleet-db.js';
import type { FleetService } from './fleet-service.js';
import { loadTenantState } from './tenant-state.js';

/** The advisory lock key of the maintenance round (any constant shared by all processes). */
export const MAINTENANCE_LOCK_KEY = 0x7a11_5ade;

export interface MaintenanceOptions {
  /** How often a round runs. */
  readonly intervalMs: number;
  /** How long after issuing a revision an unreported device is notified again. */
  readonly unreportedAfterMs: number;
  readonly retentionDays: number;
  /** Devices recomputed per round by the reconcile pass (0: none). */
  readonly reconcileSlice: number;
}

export const DEFAULT_MAINTENANCE: MaintenanceOptions = {
  intervalMs: 60_000,
  unreportedAfterMs: 5 * 60_000,
  retentionDays: 30,
  reconcileSlice: 500,
};

export interface MaintenanceRound {
  /** False when another process held the lock. */
  readonly ran: boolean;
  readonly renotified: number;
  readonly prunedReports: number;
  /** Devices the reconcile pass recomputed, and how many of them it found out of date. */
  readonly reconciled: number;
  readonly reconcileMoved: number;
}

export class FleetMaintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  /** Where the reconcile pass goes on from (device id order across tenants). */
  private reconcileAfter = '';

  constructor(
    private readonly fleet: FleetService,
    readonly options: MaintenanceOptions = DEFAULT_MAINTENANCE,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((error: unknown) => {
        this.fleet.logger.error({ err: error }, 'fleet maintenance round failed');
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async runOnce(): Promise<MaintenanceRound> {
    const { fleet, options } = this;
    const now = fleet.clock.now();
    const threshold = new Date(now.getTime() - options.unreportedAfterMs);
    const windowStart = new Date(threshold.getTime() - options.intervalMs);
    const retention = new Date(now.getTime() - options.retentionDays * 86_400_000);
    const round = await fleet.store.transaction(async (trx) => {
      if (fleet.store.dialect === 'postgres') {
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_xact_lock(${MAINTENANCE_LOCK_KEY}) as locked`.execute(trx);
        if (!rows[0]?.locked) return null;
      }
      const db = fleetDb(trx);
      const unreported = await db
        .selectFrom('devices as d')
        .innerJoin('effective_configurations as e', 'e.device_id', 'd.id')
        .select(['d.id', 'd.tenant_id'])
        .where('d.offboarded_at', 'is', null)
        .where('e.issued_at', '>=', windowStart.toISOString())
        .where('e.issued_at', '<', threshold.toISOString())
        .where((eb) =>
          eb.or([
            eb('d.reported_revision', 'is', null),
            eb('d.reported_revision', '<', eb.ref('d.revision')),
          ]),
        )
        .execute();
      const pruned = await db
        .deleteFrom('reports')
        .where('received_at', '<', retention.toISOString())
        .executeTakeFirst();
      const oldSyncs = db
        .selectFrom('sync_requests')
        .select('id')
        .where('created_at', '<', retention.toISOString());
      await db
        .deleteFrom('sync_request_devices')
        .where('sync_request_id', 'in', oldSyncs)
        .execute();
      await db
        .deleteFrom('sync_requests')
        .where('created_at', '<', retention.toISOString())
        .execute();
      const reconcile = await this.reconcile(db);
      return { unreported, prunedReports: Number(pruned.numDeletedRows), ...reconcile };
    });
    if (!round) {
      return { ran: false, renotified: 0, prunedReports: 0, reconciled: 0, reconcileMoved: 0 };
    }
    for (const send of round.pushes) await send();
    for (const [tenantId, devices] of groupBy(round.unreported, (d) => d.tenant_id)) {
      await fleet.push.publish(
        tenantId,
        devices.map((d) => d.id),
        { kind: 'revision' },
      );
      fleet.metrics.pushes.inc({ kind: 'sweep' }, devices.length);
    }
    return {
      ran: true,
      renotified: round.unreported.length,
      prunedReports: round.prunedReports,
      reconciled: round.reconciled,
      reconcileMoved: round.moved,
    };
  }

  /** Recomputes the next slice of devices; returns the pushes for those that moved. */
  private async reconcile(db: FleetDb) {
    const { fleet } = this;
    const slice = this.options.reconcileSlice;
    if (slice <= 0) return { reconciled: 0, moved: 0, pushes: [] as AfterCommit[] };
    const devices = await db
      .selectFrom('devices')
      .select(['id', 'tenant_id'])
      .where('offboarded_at', 'is', null)
      .where('id', '>', this.reconcileAfter)
      .orderBy('id')
      .limit(slice)
      .execute();
    const last = devices[devices.length - 1];
    this.reconcileAfter = last && devices.length === slice ? last.id : '';
    const pushes: AfterCommit[] = [];
    let moved = 0;
    for (const [tenantId, rows] of groupBy(devices, (d) => d.tenant_id)) {
      const state = await loadTenantState(db, tenantId);
      const result = await fleet.reconcileDevices(
        db,
        state,
        rows.map((row) => row.id),
      );
      moved += result.moved;
      pushes.push(result.afterCommit);
    }
    return { reconciled: devices.length, moved, pushes };
  }
}
