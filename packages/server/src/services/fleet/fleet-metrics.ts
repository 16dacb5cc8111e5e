import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The fleet's Prometheus metrics: check-ins, enrollments, pushes, notify connections, recompute. */
export interface FleetMetrics {
  readonly checkIns: Counter<'result'>;
  readonly enrollments: Counter<'status'>;
  readonly pushes: Counter<'kind'>;
  readonly notifyConnections: Gauge;
  readonly recomputeSeconds: Histogram<'cause'>;
  /** Devices whose configuration was recomputed: the incremental-recompute test reads it. */
  readonly devicesRecomputed: Counter<'cause'>;
  readonly reports: Counter<'result'>;
  /**
   * Check-ins answered `f: 1` (the agent is asked for all of its facts), by reason: `number` (a
   * check-in without facts names a send the server does not hold), `base` (a delta whose base the
   * server does not hold). A burst after a power loss counts the facts changes it forgot.
   */
  readonly factsRequested: Counter<'reason'>;
  /** SQLite: how long each WAL fsync behind durable commits took (the disk's share of them). */
  readonly walSyncSeconds: Histogram;
  /**
   * Check-ins that carried facts: from the check-in reaching the service to its answer, the facts
   * stored and the device's groups and configuration current (fine buckets: the target is ms).
   */
  readonly factsCheckInSeconds: Histogram;
}

export function createFleetMetrics(registry: Registry): FleetMetrics {
  const registers = [registry];
  return {
    checkIns: new Counter({
      name: 'palisade_check_ins_total',
      help: 'Agent check-ins, by result (unchanged or changed).',
      labelNames: ['result'],
      registers,
    }),
    enrollments: new Counter({
      name: 'palisade_enrollments_total',
      help: 'Agent enrollments, by enrollment status name.',
      labelNames: ['status'],
      registers,
    }),
    pushes: new Counter({
      name: 'palisade_pushes_total',
      help: 'Device notices published (one per device), by kind (revision or sync).',
      labelNames: ['kind'],
      registers,
    }),
    notifyConnections: new Gauge({
      name: 'palisade_notify_connections',
      help: 'Open agent notify (server-sent events) connections in this process.',
      registers,
    }),
    walSyncSeconds: new Histogram({
      name: 'palisade_store_wal_sync_seconds',
      help: 'SQLite: time of each WAL fsync that makes durable commits durable (the disk).',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers,
    }),
    factsCheckInSeconds: new Histogram({
      name: 'palisade_facts_check_in_seconds',
      help: 'Check-ins carrying facts: time to store them and make the device current, answered.',
      buckets: [
        0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.1, 1,
      ],
      registers,
    }),
    recomputeSeconds: new Histogram({
      name: 'palisade_recompute_seconds',
      help: 'Time to recompute the devices one change reaches, by cause.',
      labelNames: ['cause'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    }),
    devicesRecomputed: new Counter({
      name: 'palisade_devices_recomputed_total',
      help: 'Devices whose effective configuration was recomputed, by cause.',
      labelNames: ['cause'],
      registers,
    }),
    factsRequested: new Counter({
      name: 'palisade_facts_requested_total',
      help: 'Check-ins that asked the agent for all of its facts (f: 1), by reason (number or base).',
      labelNames: ['reason'],
      registers,
    }),
    reports: new Counter({
      name: 'palisade_reports_total',
      help: 'Agent reports, by result (accepted or duplicate).',
      labelNames: ['result'],
      registers,
    }),
  };
}
