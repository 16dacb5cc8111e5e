/**
 * What the agent does, independent of the command line: enroll, and the sync cycle (check in with
 * the facts that changed and the revision held → verify a new configuration's signature and
 * revision with the pinned tenant key → apply through the drivers → report per setting).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type {
  EffectiveSetting,
  EnrollmentDecision,
  JsonValue,
  SettingResult,
} from '@palisade/core';
import {
  type CheckInRequest,
  type CheckInResponse,
  type ConfigurationDocument,
  type DeviceFactsMessage,
  MAX_FACTS_SEQ,
  type SignedConfiguration,
  verifySignedConfiguration,
} from '@palisade/protocol';
import { type AppliedState, applyConfiguration } from '../apply/apply-configuration.js';
import { catalogNativeMapping } from '../drivers/catalog.js';
import { type CommandRunner, runCommand } from '../drivers/commands.js';
import { canonicalJson, type Driver, type DriverContext, errorMessage } from '../drivers/driver.js';
import { allDrivers, selectDrivers } from '../drivers/registry.js';
import { collectFacts } from '../facts/collect.js';
import {
  type AgentState,
  DEFAULT_STATE_DIR,
  type Enrollment,
  type LastReport,
  type RememberedOptions,
  type SentFacts,
} from '../state/agent-state.js';
import { AgentClient } from './client.js';

/** The fallback interval before the server has given one (seconds). */
export const DEFAULT_INTERVAL_S = 90 * 60;

export interface AgentOptions extends RememberedOptions {
  readonly run?: CommandRunner;
}

/** What one sync did, for the command line. */
export interface SyncOutcome {
  readonly enrollment: EnrollmentDecision;
  readonly revision: number | null;
  /** The server sent a new configuration. */
  readonly newConfiguration: boolean;
  readonly settingChanges: readonly SettingChange[];
  readonly results: readonly SettingResult[];
  readonly previousResults: readonly SettingResult[];
  readonly reportDelivered: boolean;
  readonly nextCheckInSeconds: number;
}

export interface SettingChange {
  readonly id: string;
  readonly change: 'added' | 'changed' | 'removed';
  readonly before?: JsonValue;
  readonly after?: JsonValue;
}

export class NotEnrolledError extends Error {
  constructor(dir: string) {
    super(
      `this machine is not enrolled (no enrollment in ${dir}): run palisade-agent enroll --server URL --token TOKEN`,
    );
  }
}

/**
 * A stable machine id: /etc/machine-id on a real machine (re-enrolling returns the same device);
 * derived from it and the state directory otherwise, so trial agents with their own state
 * directories on one host are distinct devices.
 */
async function machineIdFor(stateDir: string): Promise<string> {
  const base = (await readFile('/etc/machine-id', 'utf8').catch(() => '')).trim() || randomUUID();
  if (stateDir === DEFAULT_STATE_DIR)
    return base.length >= 8 ? base : createHash('sha256').update(base).digest('hex');
  return createHash('sha256').update(`${base}:${stateDir}`).digest('hex').slice(0, 32);
}

function changesBetween(
  before: readonly EffectiveSetting[],
  after: readonly EffectiveSetting[],
): SettingChange[] {
  const old = new Map(before.map((setting) => [setting.id, setting.value as JsonValue]));
  const changes: SettingChange[] = [];
  for (const setting of after) {
    const previous = old.get(setting.id);
    if (previous === undefined)
      changes.push({ id: setting.id, change: 'added', after: setting.value as JsonValue });
    else if (canonicalJson(previous) !== canonicalJson(setting.value as JsonValue)) {
      changes.push({
        id: setting.id,
        change: 'changed',
        before: previous,
        after: setting.value as JsonValue,
      });
    }
    old.delete(setting.id);
  }
  for (const [id, value] of old) changes.push({ id, change: 'removed', before: value });
  return changes;
}

/** The document's settings (JSON values, as the server signed them). */
function settingsOf(document: ConfigurationDocument | null): readonly EffectiveSetting[] {
  return (document?.configuration.settings ?? []) as unknown as readonly EffectiveSetting[];
}

export class DeviceAgent {
  readonly run: CommandRunner;

  constructor(
    readonly state: AgentState,
    private readonly options: AgentOptions = {},
  ) {
    this.run = options.run ?? runCommand;
  }

  /** Options given now win over those remembered at enroll. */
  private effective(enrollment: Enrollment | null): RememberedOptions {
    const remembered = enrollment?.options ?? {};
    return {
      root: this.options.root ?? remembered.root ?? '/',
      drivers: this.options.drivers ?? remembered.drivers,
      factsFile: this.options.factsFile ?? remembered.factsFile,
      tags: this.options.tags ?? remembered.tags,
    };
  }

  drivers(options: RememberedOptions): Driver[] {
    return selectDrivers(
      allDrivers(catalogNativeMapping),
      options.root ?? '/',
      options.drivers ?? null,
    );
  }

  driverContext(options: RememberedOptions): DriverContext {
    return {
      root: options.root ?? '/',
      run: this.run,
      log: (line) => {
        void this.state.log(line).catch(() => {});
      },
    };
  }

  async facts(options: RememberedOptions): Promise<DeviceFactsMessage> {
    return collectFacts({
      run: this.run,
      drivers: this.drivers(options),
      stateConfigFile: this.state.configFile,
      ...(options.factsFile ? { factsFile: options.factsFile } : {}),
      ...(options.tags ? { extraTags: options.tags } : {}),
    });
  }

  async enroll(
    serverUrl: string,
    token: string,
  ): Promise<{ enrollment: Enrollment; sync: SyncOutcome }> {
    const options = this.effective(null);
    const facts = await this.facts(options);
    const key = await this.state.deviceKey();
    const machineId = await machineIdFor(this.state.dir);
    const client = new AgentClient(serverUrl, null);
    const response = await client.enroll({ token, machineId, publicKey: key.publicKeyDer, facts });
    const { nextCheckInSeconds: _next, ...rest } = response;
    const enrollment: Enrollment = {
      ...rest,
      serverUrl,
      machineId,
      enrolledAt: new Date().toISOString(),
      options,
    };
    await this.state.saveEnrollment(enrollment);
    // The facts sent with enroll are the server's number 0.
    await this.state.saveSentFacts({ facts, seq: 0, resend: false });
    await this.state.log(
      `enrolled with ${serverUrl} as device ${response.deviceId}: status ${response.enrollment.code} ${response.enrollment.name}`,
    );
    // First sync at enrollment, not minutes later.
    return { enrollment, sync: await this.sync() };
  }

  async requireEnrollment(): Promise<Enrollment> {
    const enrollment = await this.state.loadEnrollment();
    if (!enrollment) throw new NotEnrolledError(this.state.dir);
    return enrollment;
  }

  /** The held configuration's document, verified again against the pinned key. */
  verifyHeld(enrollment: Enrollment, signed: SignedConfiguration): ConfigurationDocument {
    const verified = verifySignedConfiguration(signed, enrollment.tenantPublicKey, {
      deviceId: enrollment.deviceId,
      heldRevision: null,
    });
    if (!verified.ok) throw new Error(`the held configuration does not verify: ${verified.reason}`);
    return verified.document;
  }

  /**
   * One full cycle: check in, apply, read back, report. The attempt is recorded either way. Given
   * a configuration the notify stream delivered, that is verified and applied in place of a
   * check-in's answer (no check-in: the facts go with the next one).
   */
  async sync(syncRequestId?: string, delivered?: SignedConfiguration): Promise<SyncOutcome> {
    await this.requireEnrollment();
    const at = new Date().toISOString();
    try {
      const outcome = await this.state.withLock(() => this.cycle(syncRequestId, delivered));
      await this.state.saveLastSync({
        at,
        ok: true,
        revision: outcome.revision,
        nextCheckInSeconds: outcome.nextCheckInSeconds,
      });
      return outcome;
    } catch (error) {
      const held = await this.state.loadConfiguration().catch(() => null);
      const message = error instanceof Error ? error.message : String(error);
      await this.state.saveLastSync({
        at,
        ok: false,
        error: message,
        revision: held?.revision ?? null,
      });
      throw error;
    }
  }

  private async cycle(
    syncRequestId: string | undefined,
    delivered: SignedConfiguration | undefined,
  ): Promise<SyncOutcome> {
    let enrollment = await this.requireEnrollment();
    const options = this.effective(enrollment);
    const client = new AgentClient(enrollment.serverUrl, enrollment.credential);
    await this.resendUndeliveredReport(client);
    const { held, heldDocument } = await this.heldConfiguration(enrollment);
    const answer: CheckInResponse = delivered
      ? { s: 'c', n: await this.lastInterval(), configuration: delivered }
      : await this.checkIn(client, options, held?.revision ?? null, syncRequestId);
    let document = heldDocument;
    if (answer.s === 'c') {
      document = await this.accept(answer.configuration, enrollment, held?.revision ?? null);
      enrollment = (await this.state.loadEnrollment()) ?? enrollment;
    }
    const newConfiguration = document !== null && held?.revision !== document.revision;
    const previous = await this.state.loadReport();
    const base = {
      enrollment: enrollment.enrollment,
      revision: document?.revision ?? null,
      newConfiguration,
      settingChanges: newConfiguration
        ? changesBetween(settingsOf(heldDocument), settingsOf(document))
        : [],
      previousResults: previous?.results ?? [],
      nextCheckInSeconds: answer.n,
    };
    const managed = document !== null && document.enrollment.code === 1;
    if (!managed || document === null) {
      return { ...base, results: [], reportDelivered: false };
    }
    const results = await this.applyDocument(document, options);
    const report: LastReport = {
      reportId: randomUUID(),
      revision: document.revision,
      ...(syncRequestId ? { syncRequestId } : {}),
      results,
      at: new Date().toISOString(),
      delivered: false,
    };
    const reportDelivered = await this.deliver(client, report);
    return { ...base, results, reportDelivered };
  }

  /**
   * Checks in with the facts that changed, numbered (`factsSeq`), and the revision held. When the
   * server answers that it does not hold the facts this agent sent (`f: 1`: it may have lost a
   * change to a power loss), it checks in again at once with all of them (`factsFull`).
   */
  private async checkIn(
    client: AgentClient,
    options: RememberedOptions,
    revision: number | null,
    syncRequestId: string | undefined,
  ): Promise<CheckInResponse> {
    const facts = await this.facts(options);
    const sent = await this.state.loadSentFacts();
    const common = { revision, ...(syncRequestId ? { syncRequestId } : {}) };
    const first = factsToSend(sent, facts);
    const answer = await client.checkIn({ ...common, ...first.body });
    if (answer.f !== 1) {
      await this.state.saveSentFacts({ facts, seq: first.seq, resend: false });
      return answer;
    }
    // Whatever happens next, the next check-in sends all facts until the server holds them.
    await this.state.saveSentFacts({ facts, seq: first.seq, resend: true });
    await this.state.log(
      `the server does not hold this machine's latest facts (number ${first.seq}): sending all of them`,
    );
    const full = factsToSend({ facts, seq: first.seq, resend: true }, facts);
    let again: CheckInResponse;
    try {
      again = await client.checkIn({ ...common, ...full.body });
    } catch (error) {
      // The first answer stands (a configuration it carries is applied); all facts go next time.
      await this.state.log(`sending all facts failed, will retry: ${errorMessage(error)}`);
      return answer;
    }
    await this.state.saveSentFacts({ facts, seq: full.seq, resend: again.f === 1 });
    // It compares the same held revision with the newest: it carries whatever the first did.
    return again;
  }

  /** The fallback interval the server gave at the last check-in (90 minutes before any). */
  private async lastInterval(): Promise<number> {
    return (await this.state.loadLastSync())?.nextCheckInSeconds ?? DEFAULT_INTERVAL_S;
  }

  /**
   * The configuration held, verified again. One that no longer verifies (a state file edited by
   * hand, a tenant key changed) is dropped: the agent then asks for the whole configuration.
   */
  private async heldConfiguration(enrollment: Enrollment) {
    const held = await this.state.loadConfiguration();
    if (!held) return { held: null, heldDocument: null };
    try {
      return { held, heldDocument: this.verifyHeld(enrollment, held.signed) };
    } catch (error) {
      await this.state.log(`${errorMessage(error)}; asking the server for the whole configuration`);
      return { held: null, heldDocument: null };
    }
  }

  /**
   * A configuration from the server: verified with the pinned tenant key, for this device, not
   * older than the one held; then kept, and the enrollment status it carries recorded.
   */
  private async accept(
    signed: SignedConfiguration,
    enrollment: Enrollment,
    heldRevision: number | null,
  ): Promise<ConfigurationDocument> {
    const verified = verifySignedConfiguration(signed, enrollment.tenantPublicKey, {
      deviceId: enrollment.deviceId,
      heldRevision,
    });
    if (!verified.ok) {
      await this.state.log(`refused a configuration: ${verified.reason}`);
      throw new Error(`refused the configuration from the server: ${verified.reason}`);
    }
    const document = verified.document;
    await this.state.saveConfiguration({
      revision: document.revision,
      signed,
      receivedAt: new Date().toISOString(),
    });
    const status = document.enrollment as unknown as JsonValue;
    if (canonicalJson(status) !== canonicalJson(enrollment.enrollment as unknown as JsonValue)) {
      await this.state.saveEnrollment({ ...enrollment, enrollment: document.enrollment });
      await this.state.log(
        `enrollment status now ${document.enrollment.code} ${document.enrollment.name}`,
      );
    }
    return document;
  }

  private async applyDocument(
    document: ConfigurationDocument,
    options: RememberedOptions,
  ): Promise<SettingResult[]> {
    const drivers = this.drivers(options);
    const lastApplied: AppliedState = await this.state.loadApplied();
    const outcome = await applyConfiguration(
      document.configuration as Parameters<typeof applyConfiguration>[0],
      drivers,
      this.driverContext(options),
      lastApplied,
    );
    await this.state.saveApplied(outcome.applied);
    const counts = new Map<string, number>();
    for (const result of outcome.results)
      counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
    await this.state.log(
      `applied revision ${document.revision} with ${drivers.map((d) => d.target).join(', ') || 'no drivers'}: ${
        [...counts].map(([status, count]) => `${count} ${status}`).join(', ') || 'nothing to apply'
      }`,
    );
    return [...outcome.results];
  }

  private async deliver(client: AgentClient, report: LastReport): Promise<boolean> {
    await this.state.saveReport(report);
    try {
      await client.report({
        reportId: report.reportId,
        revision: report.revision,
        ...(report.syncRequestId ? { syncRequestId: report.syncRequestId } : {}),
        results: report.results.map((result) => ({ ...result })),
      });
      await this.state.saveReport({ ...report, delivered: true });
      return true;
    } catch (error) {
      await this.state.log(
        `report ${report.reportId} not delivered, will retry: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /** A report the server did not take is sent again (same reportId: counted once). */
  private async resendUndeliveredReport(client: AgentClient): Promise<void> {
    const report = await this.state.loadReport();
    if (report && !report.delivered) await this.deliver(client, report);
  }
}

/** The next facts number (past the protocol's bound it starts over: the server then asks for all). */
function nextFactsSeq(seq: number): number {
  return seq >= MAX_FACTS_SEQ ? 1 : seq + 1;
}

/**
 * What a check-in carries about facts: those that changed since the last send (numbered one more),
 * all of them when the server may not hold the last send, or only the current number.
 */
function factsToSend(
  sent: SentFacts | null,
  facts: DeviceFactsMessage,
): { seq: number; body: Pick<CheckInRequest, 'facts' | 'factsSeq' | 'factsFull'> } {
  if (!sent || sent.resend) {
    const seq = nextFactsSeq(sent?.seq ?? 0);
    return { seq, body: { facts, factsSeq: seq, factsFull: true } };
  }
  const delta = factsDelta(sent.facts, facts);
  if (!delta) return { seq: sent.seq, body: { factsSeq: sent.seq } };
  const seq = nextFactsSeq(sent.seq);
  return { seq, body: { facts: delta, factsSeq: seq } };
}

/** The facts that changed since the last send; undefined when none did. */
function factsDelta(
  last: DeviceFactsMessage,
  facts: DeviceFactsMessage,
): Partial<DeviceFactsMessage> | undefined {
  const delta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(facts)) {
    const before = (last as unknown as Record<string, JsonValue>)[key];
    if (canonicalJson(before) !== canonicalJson(value as JsonValue)) delta[key] = value;
  }
  return Object.keys(delta).length > 0 ? (delta as Partial<DeviceFactsMessage>) : undefined;
}
