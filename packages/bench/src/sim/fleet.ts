/**
 * A simulated fleet: N machines generated from a seed, enrolled with bounded concurrency, kept
 * checking in through the agent protocol, all in one process and sharing one connection pool.
 */
import type { Platform } from '@palisade/core';
import { AgentTransport, ServerAnswerError } from './agent-http.js';
import { simulatedFacts } from './device-facts.js';
import { type FleetMix, platformsForFleet } from './fleet-mix.js';
import { Limiter } from './limiter.js';
import { machineIdentity } from './machine-identity.js';
import {
  type AgentEnvironment,
  emptyCounters,
  type FleetCounters,
  type FleetObserver,
  SimulatedAgent,
} from './simulated-agent.js';

const ENROLL_ATTEMPTS = 5;

export interface FleetOptions {
  readonly serverUrl: string;
  /** Onboarding token. */
  readonly token: string;
  readonly devices: number;
  readonly mix: FleetMix;
  /** Fleet seed: the same seed gives the same machines (ids, keys, facts). */
  readonly seed: string;
  readonly failureRate: number;
  readonly driftRate: number;
  /** Calls in flight at most (and the size of the shared keep-alive pool). */
  readonly concurrency: number;
  /** Hold `notify` streams (default true); off, agents rely on the fallback interval only. */
  readonly notify?: boolean;
  /**
   * Ask notify streams for configurations themselves (default true, as `palisade-agent` does);
   * off, the stream only announces them and each agent checks in to fetch its configuration.
   */
  readonly deliver?: boolean;
  /** Index of the first machine (to run a fleet in several slices). */
  readonly firstIndex?: number;
  readonly observer?: FleetObserver;
  readonly driftDelayMs?: number;
  /** Start checking in right after enrolling (default true); false only enrolls. */
  readonly startAfterEnroll?: boolean;
}

export interface FleetSnapshot extends FleetCounters {
  readonly devices: number;
  /** Agents that hold and have reported the newest configuration they know of. */
  readonly current: number;
  readonly inFlight: number;
  /** Enrollment outcomes by status name ("managed", …). */
  readonly enrollmentStatuses: Readonly<Record<string, number>>;
}

export class Fleet {
  readonly agents: SimulatedAgent[];
  readonly counters = emptyCounters();
  private readonly transport: AgentTransport;
  private readonly limiter: Limiter;
  private readonly enrollErrors = new Map<string, number>();
  private stopping = false;

  constructor(readonly options: FleetOptions) {
    validateFleetOptions(options);
    this.transport = new AgentTransport(options.serverUrl, options.concurrency);
    this.limiter = new Limiter(options.concurrency);
    const environment: AgentEnvironment = {
      transport: this.transport,
      limiter: this.limiter,
      token: options.token,
      shares: { failureRate: options.failureRate, driftRate: options.driftRate },
      counters: this.counters,
      notify: options.notify ?? true,
      deliver: options.deliver ?? true,
      observer: options.observer ?? {},
      driftDelayMs: options.driftDelayMs ?? 30_000,
    };
    const first = options.firstIndex ?? 0;
    const platforms = platformsForFleet(options.mix, first + options.devices).slice(first);
    this.agents = platforms.map((platform: Platform, offset) => {
      const index = first + offset;
      return new SimulatedAgent(
        index,
        platform,
        simulatedFacts(options.seed, index, platform),
        machineIdentity(options.seed, index),
        environment,
      );
    });
  }

  /**
   * Enrolls every machine (at most `concurrency` at once) and starts each one as soon as it is
   * enrolled. Resolves when every enrollment has been answered; the fleet keeps running.
   */
  async enrollAll(): Promise<void> {
    await Promise.all(this.agents.map((agent) => this.enrollOne(agent)));
  }

  private async enrollOne(agent: SimulatedAgent): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopping) return;
      try {
        await agent.enroll();
        break;
      } catch (error) {
        // A refusal (bad token, invalid facts) is final; a timeout or a 5xx is retried, as the
        // agent does — enrolling is idempotent on the machine id.
        const final = error instanceof ServerAnswerError && error.status < 500;
        if (final || attempt >= ENROLL_ATTEMPTS || this.stopping) {
          this.counters.enrollFailures += 1;
          const message = error instanceof Error ? error.message : String(error);
          this.enrollErrors.set(message, (this.enrollErrors.get(message) ?? 0) + 1);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt * (0.5 + Math.random())));
      }
    }
    if (!this.stopping && this.options.startAfterEnroll !== false) agent.start();
  }

  /** Enrollment failures by message, most frequent first. */
  enrollmentErrors(): [string, number][] {
    return [...this.enrollErrors.entries()].sort((a, b) => b[1] - a[1]);
  }

  snapshot(): FleetSnapshot {
    let current = 0;
    const statuses: Record<string, number> = {};
    for (const agent of this.agents) {
      if (agent.current) current += 1;
      if (agent.enrollment) {
        statuses[agent.enrollment.name] = (statuses[agent.enrollment.name] ?? 0) + 1;
      }
    }
    return {
      ...this.counters,
      devices: this.agents.length,
      current,
      inFlight: this.limiter.inFlight,
      enrollmentStatuses: statuses,
    };
  }

  /** Closes every stream, stops every timer, waits for running check-ins, closes the pool. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Queued calls are refused and open sockets closed first, so stopping never waits for a
    // backlog of calls to a slow server.
    const stopped = Promise.all(this.agents.map((agent) => agent.stop()));
    this.limiter.close();
    this.transport.destroy();
    await stopped;
  }
}

export function validateFleetOptions(options: FleetOptions): void {
  const fail = (message: string): never => {
    throw new Error(message);
  };
  if (!Number.isInteger(options.devices) || options.devices < 1)
    fail('--devices must be a positive integer');
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    fail('--concurrency must be a positive integer');
  }
  for (const [name, value] of [
    ['--failure-rate', options.failureRate],
    ['--drift-rate', options.driftRate],
  ] as const) {
    if (!(value >= 0 && value <= 1)) fail(`${name} must be a share between 0 and 1 (got ${value})`);
  }
  if (options.failureRate + options.driftRate > 1)
    fail('--failure-rate plus --drift-rate must not exceed 1');
  if (options.token.trim() === '') fail('--token must not be empty');
}
