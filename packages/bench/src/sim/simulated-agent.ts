/**
 * One simulated machine speaking the real agent protocol: enroll, hold `notify` (asking for new
 * configurations on the stream itself, as `palisade-agent` does), check in on every notice, on
 * reconnect and on the jittered fallback interval, verify each signed configuration exactly as
 * `palisade-agent` does (`verifySignedConfiguration`'s checks, the signature on the thread pool),
 * "apply" it, and report per-setting results (retrying a report with the same reportId, so
 * retries never double-count). Facts changes go up as deltas numbered as the agent numbers them
 * (`factsSeq`); asked for all facts (`f: 1`), it sends them at once (`factsFull`).
 */
import { randomUUID } from 'node:crypto';
import type { Platform, SettingResult } from '@palisade/core';
import type {
  CheckInRequest,
  CheckInResponse,
  DeviceFactsMessage,
  EnrollResponse,
  ReportRequest,
} from '@palisade/protocol';
import {
  AGENT_API_PREFIX,
  CheckInResponseSchema,
  EnrollResponseSchema,
  MAX_FACTS_SEQ,
  NotifyConfigurationEventSchema,
  NotifyRevisionEventSchema,
  NotifySyncEventSchema,
  notifyQuery,
  ReportResponseSchema,
  verifySignedConfigurationOffThread,
} from '@palisade/protocol';
import type { AgentTransport, EventStream } from './agent-http.js';
import { ServerAnswerError } from './agent-http.js';
import type { Limiter } from './limiter.js';
import type { MachineIdentity } from './machine-identity.js';
import { type ResultShares, simulateApply } from './setting-results.js';
import type { ServerSentEvent } from './sse-parser.js';

/** Counters shared by every agent of a fleet. */
export interface FleetCounters {
  enrolled: number;
  enrollFailures: number;
  connected: number;
  checkIns: number;
  checkInErrors: number;
  configurations: number;
  verificationFailures: number;
  reports: number;
  reportRetries: number;
  /** Reports the server called duplicates although this was their first attempt: must stay 0. */
  unexpectedDuplicates: number;
  /** Reports given up after every retry failed. */
  reportsLost: number;
  /** Reports still being retried when the fleet stopped. */
  reportsAbandoned: number;
  notices: number;
  streamErrors: number;
  /** Check-ins the server answered "send all your facts" (`f: 1`). */
  factsRequested: number;
}

export function emptyCounters(): FleetCounters {
  return {
    enrolled: 0,
    enrollFailures: 0,
    connected: 0,
    checkIns: 0,
    checkInErrors: 0,
    configurations: 0,
    verificationFailures: 0,
    reports: 0,
    reportRetries: 0,
    unexpectedDuplicates: 0,
    reportsLost: 0,
    reportsAbandoned: 0,
    notices: 0,
    streamErrors: 0,
    factsRequested: 0,
  };
}

export interface ReportEvent {
  readonly revision: number;
  readonly reportId: string;
  readonly syncRequestId: string | undefined;
  readonly kind: 'applied' | 'drift' | 'sync';
  /** performance.now() when the server acknowledged it. */
  readonly at: number;
}

/** Hooks for benchmarks that time what the fleet sees. */
export interface FleetObserver {
  onReported?(agent: SimulatedAgent, report: ReportEvent): void;
  /** Every answered check-in, with its round-trip time. */
  onCheckIn?(
    agent: SimulatedAgent,
    checkIn: { changed: boolean; ms: number; factsSent: boolean },
  ): void;
  onError?(agent: SimulatedAgent, what: string, error: unknown): void;
}

export interface AgentEnvironment {
  readonly transport: AgentTransport;
  readonly limiter: Limiter;
  readonly token: string;
  readonly shares: ResultShares;
  readonly counters: FleetCounters;
  readonly notify: boolean;
  /** Ask the stream for configurations themselves (`deliver=configuration`), not notices. */
  readonly deliver: boolean;
  readonly observer: FleetObserver;
  /** Upper bound for the delay before a drift is "noticed" and reported, ms. */
  readonly driftDelayMs: number;
}

const MAX_BACKOFF_MS = 30_000;
const REPORT_ATTEMPTS = 8;

function jitter(ms: number): number {
  return ms * (0.5 + Math.random() * 0.5);
}

/**
 * An enrolled machine's state, to carry on as that machine in another thread (plain data and a
 * KeyObject: structured-cloneable).
 */
export interface AgentHandoff {
  readonly index: number;
  readonly platform: Platform;
  readonly facts: DeviceFactsMessage;
  readonly identity: MachineIdentity;
  readonly deviceId: string;
  readonly credential: string;
  readonly tenantPublicKey: string;
  readonly enrollment: EnrollResponse['enrollment'];
  readonly heldRevision: number | null;
  readonly factsSeq: number;
}

export class SimulatedAgent {
  deviceId: string | undefined;
  private credential: string | undefined;
  private tenantPublicKey: string | undefined;
  enrollment: EnrollResponse['enrollment'] | undefined;
  /** The revision whose signed configuration this machine verified and applied. */
  heldRevision: number | null = null;
  /** The highest revision a notice announced. */
  announcedRevision: number | null = null;
  reportedRevision: number | null = null;
  private lastResults: SettingResult[] = [];
  private stream: EventStream | undefined;
  private streamOpen = false;
  private streamFailures = 0;
  private syncing: Promise<void> | undefined;
  private rerun = false;
  private pendingSyncIds: string[] = [];
  private pendingFacts: Partial<DeviceFactsMessage> | undefined;
  /** The number of the last facts send the server answered (0: the facts sent with enroll). */
  private factsSeq = 0;
  /** The server asked for all facts and has not yet answered a send of them. */
  private resendFacts = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private fallbackTimer: NodeJS.Timeout | undefined;
  private checkInFailures = 0;
  private stopped = false;

  constructor(
    readonly index: number,
    readonly platform: Platform,
    /** The facts as last sent (those with enroll, with each answered delta merged in). */
    public facts: DeviceFactsMessage,
    readonly identity: MachineIdentity,
    private readonly env: AgentEnvironment,
  ) {}

  /** The device credential (`<deviceId>.<secret>`), for benchmarks that replay its calls. */
  get deviceCredential(): string | undefined {
    return this.credential;
  }

  get connected(): boolean {
    return this.streamOpen;
  }

  /** Holds the newest configuration it was told about, and has reported it. */
  get current(): boolean {
    return (
      this.heldRevision !== null &&
      this.syncing === undefined &&
      this.reportedRevision === this.heldRevision &&
      (this.announcedRevision === null || this.heldRevision >= this.announcedRevision)
    );
  }

  /** Its state, to carry on as this machine elsewhere (`resume`); it must be enrolled and idle. */
  handoff(): AgentHandoff {
    const { deviceId, credential, tenantPublicKey, enrollment } = this;
    if (!deviceId || !credential || !tenantPublicKey || !enrollment) {
      throw new Error(`machine ${this.index} is not enrolled: nothing to hand off`);
    }
    return {
      index: this.index,
      platform: this.platform,
      facts: this.facts,
      identity: this.identity,
      deviceId,
      credential,
      tenantPublicKey,
      enrollment,
      heldRevision: this.heldRevision,
      factsSeq: this.factsSeq,
    };
  }

  /** The machine handed off, carrying on in this environment (not started: no stream). */
  static resume(handoff: AgentHandoff, env: AgentEnvironment): SimulatedAgent {
    const agent = new SimulatedAgent(
      handoff.index,
      handoff.platform,
      handoff.facts,
      handoff.identity,
      env,
    );
    agent.deviceId = handoff.deviceId;
    agent.credential = handoff.credential;
    agent.tenantPublicKey = handoff.tenantPublicKey;
    agent.enrollment = handoff.enrollment;
    agent.heldRevision = handoff.heldRevision;
    agent.reportedRevision = handoff.heldRevision;
    agent.factsSeq = handoff.factsSeq;
    return agent;
  }

  async enroll(): Promise<void> {
    const answer = await this.env.limiter.run(() =>
      this.env.transport.postJson(`${AGENT_API_PREFIX}/enroll`, {
        token: this.env.token,
        machineId: this.identity.machineId,
        publicKey: this.identity.publicKey,
        facts: this.facts,
      }),
    );
    const parsed = EnrollResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw new Error(`enroll: unexpected answer: ${parsed.error.message}`);
    this.deviceId = parsed.data.deviceId;
    this.credential = parsed.data.credential;
    this.tenantPublicKey = parsed.data.tenantPublicKey;
    this.enrollment = parsed.data.enrollment;
    this.factsSeq = 0;
    this.env.counters.enrolled += 1;
  }

  /**
   * After enrollment: first check-in (first sync at enrollment), then hold notify. The stream is
   * opened with the revision just received, so the server announces at once anything newer that
   * was saved in between — no second check-in needed.
   */
  start(): void {
    void this.requestSync().then(() => {
      if (this.env.notify) this.openStream();
    });
  }

  /** Changes facts; the next check-in carries them as a delta, and one is requested now. */
  changeFacts(delta: Partial<DeviceFactsMessage>): Promise<void> {
    this.pendingFacts = { ...this.pendingFacts, ...delta };
    return this.requestSync();
  }

  /** Checks in now, or right after the running check-in ends (never two at once). */
  requestSync(syncRequestId?: string): Promise<void> {
    if (syncRequestId !== undefined) this.pendingSyncIds.push(syncRequestId);
    if (this.stopped) return Promise.resolve();
    if (this.syncing) {
      this.rerun = true;
      return this.syncing;
    }
    this.syncing = this.syncLoop().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncLoop(): Promise<void> {
    do {
      this.rerun = false;
      const syncIds = this.pendingSyncIds.splice(0);
      try {
        await this.checkIn(syncIds);
        this.checkInFailures = 0;
      } catch (error) {
        if (this.stopped) return;
        this.env.counters.checkInErrors += 1;
        this.env.observer.onError?.(this, 'check-in', error);
        this.pendingSyncIds.unshift(...syncIds);
        this.checkInFailures += 1;
        const delay = jitter(Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.checkInFailures));
        this.schedule(delay, () => void this.requestSync());
        return;
      }
    } while (this.rerun && !this.stopped);
  }

  private async checkIn(syncIds: readonly string[]): Promise<void> {
    const syncRequestId = syncIds[syncIds.length - 1];
    let answer = await this.sendCheckIn(syncRequestId);
    if (answer.f === 1) {
      // The server does not hold this machine's latest facts: all of them, at once; its answer
      // (the same held revision against the newest) is the one acted on.
      this.env.counters.factsRequested += 1;
      answer = await this.sendCheckIn(syncRequestId);
    }
    this.scheduleFallback(answer.n);
    if (answer.s === 'c') {
      await this.applyConfiguration(answer.configuration, syncIds);
      return;
    }
    // Unchanged: a sync request still wants a fresh report of what the machine holds.
    for (const id of syncIds) await this.report(this.lastResults, 'sync', id);
  }

  /** One check-in request: the facts delta (or all facts, when asked), numbered. */
  private async sendCheckIn(syncRequestId: string | undefined): Promise<CheckInResponse> {
    const delta = this.pendingFacts;
    const full = this.resendFacts;
    const sends = full || delta !== undefined;
    const seq = sends ? (this.factsSeq >= MAX_FACTS_SEQ ? 1 : this.factsSeq + 1) : this.factsSeq;
    const facts = full ? { ...this.facts, ...delta } : delta;
    const body: CheckInRequest = {
      revision: this.heldRevision,
      ...(facts ? { facts } : {}),
      factsSeq: seq,
      ...(full ? { factsFull: true } : {}),
      ...(syncRequestId ? { syncRequestId } : {}),
    };
    let started = 0;
    const answer = await this.env.limiter.run(() => {
      // Timed from the request, not from the queue of the fleet's limiter…
      started = performance.now();
      return this.env.transport.postJson(`${AGENT_API_PREFIX}/check-in`, body, this.credential);
    });
    // …to the answer received (read and parsed as JSON), not the agent's own checks of it.
    const ms = performance.now() - started;
    this.env.counters.checkIns += 1;
    const parsed = CheckInResponseSchema.safeParse(answer.body);
    if (!parsed.success) throw new Error(`check-in: unexpected answer: ${parsed.error.message}`);
    // Answered: these facts were sent, under this number.
    if (delta) this.facts = { ...this.facts, ...delta };
    if (delta === this.pendingFacts) this.pendingFacts = undefined;
    this.factsSeq = seq;
    // Asked for all facts: they go with this agent's next check-in (at once, see checkIn).
    this.resendFacts = parsed.data.f === 1;
    this.env.observer.onCheckIn?.(this, {
      changed: parsed.data.s === 'c',
      ms,
      factsSent: sends,
    });
    return parsed.data;
  }

  private async applyConfiguration(
    signed: { payload: string; signature: string },
    syncIds: readonly string[],
    delivered = false,
  ): Promise<void> {
    if (this.tenantPublicKey === undefined || this.deviceId === undefined) return;
    // The agent's own checks; the signature on the thread pool, as thousands of agents share
    // this process's one event loop (each real agent has a machine to itself).
    const verified = await verifySignedConfigurationOffThread(signed, this.tenantPublicKey, {
      deviceId: this.deviceId,
      heldRevision: this.heldRevision,
    });
    if (!verified.ok) {
      this.env.counters.verificationFailures += 1;
      this.env.observer.onError?.(this, 'verify', new Error(verified.reason));
      return;
    }
    const document = verified.document;
    // Delivered on the stream after a check-in already brought it: applied and reported once.
    if (delivered && document.revision === this.heldRevision) return;
    this.env.counters.configurations += 1;
    this.heldRevision = document.revision;
    const outcome = simulateApply(
      {
        machineId: this.identity.machineId,
        platform: this.platform,
        installedTargets: this.facts.installedTargets ?? [],
      },
      document,
      this.env.shares,
    );
    this.lastResults = outcome.applied;
    await this.report(outcome.applied, 'applied', syncIds[syncIds.length - 1]);
    for (const id of syncIds.slice(0, -1)) await this.report(outcome.applied, 'sync', id);
    const drifted = outcome.drifted;
    if (drifted) {
      const revision = document.revision;
      this.schedule(Math.random() * this.env.driftDelayMs, () => {
        // Drift is detected on the configuration it happened to; a newer one re-applies anyway.
        if (this.heldRevision !== revision || this.syncing) return;
        this.lastResults = drifted;
        void this.report(drifted, 'drift', undefined).catch(() => undefined);
      });
    }
  }

  /** Sends a report, retrying failures with the same reportId until it is acknowledged. */
  private async report(
    results: readonly SettingResult[],
    kind: ReportEvent['kind'],
    syncRequestId: string | undefined,
  ): Promise<void> {
    const revision = this.heldRevision;
    if (revision === null) return;
    const body: ReportRequest = {
      reportId: randomUUID(),
      revision,
      results: [...results],
      ...(syncRequestId ? { syncRequestId } : {}),
    };
    for (let attempt = 0; attempt < REPORT_ATTEMPTS; attempt += 1) {
      if (this.stopped && attempt > 0) {
        this.env.counters.reportsAbandoned += 1;
        return;
      }
      try {
        const answer = await this.env.limiter.run(() =>
          this.env.transport.postJson(`${AGENT_API_PREFIX}/report`, body, this.credential),
        );
        const parsed = ReportResponseSchema.safeParse(answer.body);
        if (!parsed.success) throw new Error(`report: unexpected answer: ${parsed.error.message}`);
        if (parsed.data.duplicate && attempt === 0) this.env.counters.unexpectedDuplicates += 1;
        this.env.counters.reports += 1;
        this.reportedRevision = revision;
        this.env.observer.onReported?.(this, {
          revision,
          reportId: body.reportId,
          syncRequestId,
          kind,
          at: performance.now(),
        });
        return;
      } catch (error) {
        if (error instanceof ServerAnswerError && error.status >= 400 && error.status < 500) {
          this.env.observer.onError?.(this, 'report', error);
          break;
        }
        if (this.stopped) {
          this.env.counters.reportsAbandoned += 1;
          return;
        }
        this.env.counters.reportRetries += 1;
        await new Promise((resolve) =>
          setTimeout(resolve, jitter(Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt))),
        );
      }
    }
    this.env.counters.reportsLost += 1;
  }

  private openStream(): void {
    if (this.stopped || this.credential === undefined) return;
    const credential = this.credential;
    void this.env.limiter.acquire().then(
      () => {
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            this.env.limiter.release();
          }
        };
        if (this.stopped) {
          release();
          return;
        }
        // The held revision lets the server announce at once a change made while the stream was down.
        const openedWith = this.heldRevision;
        const query = notifyQuery(openedWith, this.env.deliver);
        this.stream = this.env.transport.openEventStream(
          `${AGENT_API_PREFIX}/notify${query}`,
          credential,
          {
            onOpen: () => {
              release();
              this.streamOpen = true;
              this.streamFailures = 0;
              this.env.counters.connected += 1;
              // The server compares the revision sent with the stream against the device's: only a
              // stream opened without one (no configuration yet) needs a check-in to catch up.
              if (openedWith === null) void this.requestSync();
            },
            onEvent: (event) => this.onNotice(event),
            onClose: (error) => {
              release();
              if (this.streamOpen) this.env.counters.connected -= 1;
              this.streamOpen = false;
              this.stream = undefined;
              if (this.stopped) return;
              if (error) {
                this.env.counters.streamErrors += 1;
                this.env.observer.onError?.(this, 'notify', error);
              }
              this.streamFailures += 1;
              const delay = jitter(Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.streamFailures));
              this.schedule(delay, () => this.openStream());
            },
          },
        );
      },
      () => undefined,
    );
  }

  private onNotice(event: ServerSentEvent): void {
    this.env.counters.notices += 1;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === 'revision') {
      const notice = NotifyRevisionEventSchema.safeParse(data);
      if (!notice.success) return;
      const revision = notice.data.revision;
      this.announcedRevision = Math.max(this.announcedRevision ?? 0, revision);
      if (this.heldRevision === null || revision > this.heldRevision) void this.requestSync();
    } else if (event.event === 'configuration') {
      const delivered = NotifyConfigurationEventSchema.safeParse(data);
      if (!delivered.success) return;
      // A check-in under way fetches the newest itself; otherwise this is applied and reported
      // as a check-in's answer would be, and check-ins wait for it (never two at once).
      if (this.syncing) {
        void this.requestSync();
        return;
      }
      this.syncing = this.applyConfiguration(delivered.data, [], true)
        .catch((error: unknown) => this.env.observer.onError?.(this, 'deliver', error))
        .finally(() => {
          this.syncing = undefined;
        });
    } else if (event.event === 'sync') {
      const notice = NotifySyncEventSchema.safeParse(data);
      if (notice.success) void this.requestSync(notice.data.syncRequestId);
    }
  }

  private scheduleFallback(seconds: number): void {
    if (this.fallbackTimer) {
      clearTimeout(this.fallbackTimer);
      this.timers.delete(this.fallbackTimer);
    }
    // ±10 % jitter, so a fleet enrolled in one burst does not check in in one burst forever after.
    const delay = seconds * 1000 * (0.9 + Math.random() * 0.2);
    this.fallbackTimer = this.schedule(delay, () => void this.requestSync());
  }

  private schedule(ms: number, task: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.stopped) task();
      },
      Math.min(ms, 2_147_483_647),
    );
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  /** Stops timers and closes the stream; resolves when its running check-in (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.stream) {
      this.stream.close();
      if (this.streamOpen) this.env.counters.connected -= 1;
      this.streamOpen = false;
      this.stream = undefined;
    }
    await this.syncing?.catch(() => undefined);
  }
}
