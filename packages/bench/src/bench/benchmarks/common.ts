/**
 * What every benchmark shares: its options, a tenant set up through the admin API, and a simulated
 * fleet split across the server replicas (slice i talks to replica i, as a load balancer with
 * sticky connections would arrange).
 */

import { AdminClient } from '../../sim/admin-client.js';
import { Fleet, type FleetSnapshot } from '../../sim/fleet.js';
import type { FleetMix } from '../../sim/fleet-mix.js';
import type { FleetObserver, ReportEvent, SimulatedAgent } from '../../sim/simulated-agent.js';
import type { BenchResult } from '../figures.js';
import { BENCH_ADMIN_PASSWORD, type ServerSet } from '../server-processes.js';

export interface BenchOptions {
  /** Agents / devices; each benchmark has its own default (the issue's). */
  readonly devices: number | undefined;
  /** Dynamic rules for `groups`. */
  readonly rules: number | undefined;
  readonly database: string | undefined;
  readonly replicas: number;
  /** Seconds of each measured load run. */
  readonly seconds: number;
  readonly profileDir: string | undefined;
  /** Calls the simulated fleet has in flight at most (default SIMULATOR_CONCURRENCY). */
  readonly concurrency?: number | undefined;
  readonly log: (line: string) => void;
}

/**
 * Calls in flight at most across a benchmark's simulated fleet (and its pooled sockets). The
 * simulator stands in for thousands of machines that each call on their own; a tight limit turns
 * into a queue inside the client that real fleets do not have. Measured (propagation, 10,000
 * agents): 200 in flight gave p99 7.9 s with the server idle 27 % of the window, 1,000 gave 5.5 s,
 * 2,500 no better (the two cores are then the limit).
 */
export const SIMULATOR_CONCURRENCY = 1_000;

export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(options: BenchOptions): Promise<BenchResult>;
}

export const LINUX_ONLY: FleetMix = {
  linux: 1,
  'windows-server': 0,
  'windows-client': 0,
  macos: 0,
};
export const LINUX_RULE = '(device.deviceOSType -eq "Linux")';

export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs: number,
  progress?: () => string,
  log?: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  let lastLog = started;
  while (!condition()) {
    const now = performance.now();
    if (now - started > timeoutMs) {
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${progress ? ` (${progress()})` : ''}`,
      );
    }
    if (log && progress && now - lastLog > 5_000) {
      log(`  … ${what}: ${progress()}`);
      lastLog = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

export interface Tenant {
  readonly admin: AdminClient;
  readonly token: string;
}

export async function setUpTenant(servers: ServerSet): Promise<Tenant> {
  const first = servers.replicas[0];
  if (!first) throw new Error('no server');
  const admin = await AdminClient.signIn(first.url, 'admin', BENCH_ADMIN_PASSWORD);
  const token = await admin.createOnboardingToken('benchmark fleet');
  return { admin, token };
}

/** A Linux antivirus policy on a dynamic "all Linux" group: what the propagation runs change. */
export async function linuxBaselinePolicy(
  admin: AdminClient,
): Promise<{ policyId: string; groupId: string }> {
  const group = await admin.createDynamicGroup('All Linux servers', LINUX_RULE);
  const policy = await admin.createPolicy({
    name: 'Linux antivirus baseline',
    platform: 'linux',
    profile: 'antivirus',
    settings: { 'antivirus.realTimeProtection': true, 'antivirus.behaviorMonitoring': true },
    include: [group.id],
  });
  return { policyId: policy.id, groupId: group.id };
}

/** Observer hooks that a benchmark can swap while the fleet runs. */
export interface SwitchableObserver extends FleetObserver {
  reported?: ((agent: SimulatedAgent, report: ReportEvent) => void) | undefined;
  checkedIn?:
    | ((
        agent: SimulatedAgent,
        checkIn: { changed: boolean; ms: number; factsSent: boolean },
      ) => void)
    | undefined;
  errors: string[];
}

export function switchableObserver(): SwitchableObserver {
  const observer: SwitchableObserver = {
    errors: [],
    onReported: (agent, report) => observer.reported?.(agent, report),
    onCheckIn: (agent, checkIn) => observer.checkedIn?.(agent, checkIn),
    onError: (_agent, what, error) => {
      if (observer.errors.length < 20) {
        observer.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
  return observer;
}

/** One fleet slice per replica. */
export class FleetSet {
  readonly fleets: Fleet[];

  constructor(
    servers: ServerSet,
    options: {
      token: string;
      devices: number;
      seed: string;
      mix: FleetMix;
      notify: boolean;
      observer: FleetObserver;
      concurrency?: number | undefined;
      startAfterEnroll?: boolean;
      /** Index of the first machine (a second set of the same seed continues after the first). */
      firstIndex?: number;
    },
  ) {
    const count = servers.replicas.length;
    const base = Math.floor(options.devices / count);
    let first = options.firstIndex ?? 0;
    this.fleets = servers.replicas.map((replica, index) => {
      const devices = base + (index < options.devices % count ? 1 : 0);
      const fleet = new Fleet({
        serverUrl: replica.url,
        token: options.token,
        devices,
        mix: options.mix,
        seed: options.seed,
        failureRate: 0,
        driftRate: 0,
        concurrency: options.concurrency ?? SIMULATOR_CONCURRENCY,
        notify: options.notify,
        firstIndex: first,
        observer: options.observer,
        ...(options.startAfterEnroll === undefined
          ? {}
          : { startAfterEnroll: options.startAfterEnroll }),
      });
      first += devices;
      return fleet;
    });
  }

  get agents(): SimulatedAgent[] {
    return this.fleets.flatMap((fleet) => fleet.agents);
  }

  async enrollAll(): Promise<void> {
    await Promise.all(this.fleets.map((fleet) => fleet.enrollAll()));
    const failures = this.fleets.flatMap((fleet) => fleet.enrollmentErrors());
    if (failures.length > 0)
      throw new Error(`enrollment failed: ${failures[0]?.[0]} (×${failures[0]?.[1]})`);
  }

  snapshot(): Pick<FleetSnapshot, 'enrolled' | 'connected' | 'current' | 'reports' | 'checkIns'> {
    const total = { enrolled: 0, connected: 0, current: 0, reports: 0, checkIns: 0 };
    for (const fleet of this.fleets) {
      const snapshot = fleet.snapshot();
      total.enrolled += snapshot.enrolled;
      total.connected += snapshot.connected;
      total.current += snapshot.current;
      total.reports += snapshot.reports;
      total.checkIns += snapshot.checkIns;
    }
    return total;
  }

  counter(
    name:
      | 'reportsLost'
      | 'unexpectedDuplicates'
      | 'reportRetries'
      | 'verificationFailures'
      | 'checkInErrors',
  ): number {
    return this.fleets.reduce((sum, fleet) => sum + fleet.counters[name], 0);
  }

  progress(): string {
    const s = this.snapshot();
    return `enrolled ${s.enrolled}, connected ${s.connected}, current ${s.current}, reports ${s.reports}`;
  }

  async stop(): Promise<void> {
    await Promise.all(this.fleets.map((fleet) => fleet.stop()));
  }
}

/** Managed agents (enrollment status 1): the ones a policy change must reach. */
export function managedAgents(agents: readonly SimulatedAgent[]): SimulatedAgent[] {
  return agents.filter((agent) => agent.enrollment?.code === 1);
}

/** Waits until every enrolled agent is connected (when notify is on) and current. */
export async function waitForSteadyFleet(
  fleet: FleetSet,
  notify: boolean,
  log: (line: string) => void,
): Promise<number> {
  const total = fleet.agents.length;
  return waitFor(
    'every agent connected and current',
    () => {
      const s = fleet.snapshot();
      return s.enrolled === total && s.current === total && (!notify || s.connected === total);
    },
    Math.max(300_000, total * 100),
    () => fleet.progress(),
    log,
  );
}
