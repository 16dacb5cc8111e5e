/**
 * A simulated agent for tests: enrolls with a generated Ed25519 key over the real protocol,
 * checks in, verifies every signed configuration exactly as the agent does, listens on notify
 * (server-sent events) and reports.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceFacts } from '@palisade/core';
import {
  type CheckInResponse,
  type ConfigurationDocument,
  type EnrollResponse,
  generateEd25519KeyPair,
  notifyQuery,
  type ReportResponse,
  verifySignedConfiguration,
} from '@palisade/protocol';

export function linuxFacts(hostname: string, extra: Partial<DeviceFacts> = {}): DeviceFacts {
  return {
    hostname,
    domain: null,
    platform: 'linux',
    osVersion: '12',
    osName: 'Debian GNU/Linux 12 (bookworm)',
    distro: 'debian',
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: null,
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
    ...extra,
  };
}

export function windowsFacts(hostname: string, extra: Partial<DeviceFacts> = {}): DeviceFacts {
  return {
    ...linuxFacts(hostname),
    platform: 'windows-client',
    osVersion: '10.0.22631.4037',
    osName: 'Windows 11 Enterprise',
    distro: undefined,
    powershellLanguageMode: 'FullLanguage',
    domain: 'corp.example',
    ...extra,
  } as DeviceFacts;
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface NotifyStream {
  /** The next event of the kind, waiting at most `timeoutMs`. */
  next(kind: string, timeoutMs: number): Promise<SseEvent>;
  close(): void;
}

export class SimulatedAgent {
  readonly keys = generateEd25519KeyPair();
  readonly machineId = `machine-${randomUUID()}`;
  deviceId = '';
  credential = '';
  tenantPublicKey = '';
  revision: number | null = null;
  document: ConfigurationDocument | null = null;

  constructor(
    readonly baseUrl: string,
    public facts: DeviceFacts,
  ) {}

  async enrollRaw(token: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}/agent/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        machineId: this.machineId,
        publicKey: this.keys.publicKey,
        facts: this.facts,
      }),
    });
    return { status: response.status, body: await response.json() };
  }

  async enroll(token: string): Promise<EnrollResponse> {
    const { status, body } = await this.enrollRaw(token);
    if (status !== 200) throw new Error(`enroll failed: ${status} ${JSON.stringify(body)}`);
    const enrolled = body as EnrollResponse;
    this.deviceId = enrolled.deviceId;
    this.credential = enrolled.credential;
    this.tenantPublicKey = enrolled.tenantPublicKey;
    return enrolled;
  }

  async call(path: string, body: unknown, credential = this.credential) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  /** Checks in; a new configuration must verify (signature, device, revision) or this throws. */
  async checkIn(facts?: Partial<DeviceFacts>, syncRequestId?: string): Promise<CheckInResponse> {
    const { status, body } = await this.call('/agent/v1/check-in', {
      revision: this.revision,
      ...(facts ? { facts } : {}),
      ...(syncRequestId ? { syncRequestId } : {}),
    });
    if (status !== 200) throw new Error(`check-in failed: ${status} ${JSON.stringify(body)}`);
    const answer = body as CheckInResponse;
    this.hold(answer);
    if (facts) this.facts = { ...this.facts, ...facts };
    return answer;
  }

  /** A check-in's answer: a new configuration must verify (signature, device, revision), then is held. */
  hold(answer: CheckInResponse): void {
    if (answer.s !== 'c') return;
    const verified = verifySignedConfiguration(answer.configuration, this.tenantPublicKey, {
      deviceId: this.deviceId,
      heldRevision: this.revision,
    });
    if (!verified.ok) throw new Error(`configuration refused: ${verified.reason}`);
    this.revision = verified.document.revision;
    this.document = verified.document;
  }

  async report(
    results: readonly { id: string; status: string; error?: string }[],
    options: { reportId?: string; syncRequestId?: string; revision?: number } = {},
  ): Promise<ReportResponse> {
    const { status, body } = await this.call('/agent/v1/report', {
      reportId: options.reportId ?? randomUUID(),
      revision: options.revision ?? this.revision ?? 0,
      results,
      ...(options.syncRequestId ? { syncRequestId: options.syncRequestId } : {}),
    });
    if (status !== 200) throw new Error(`report failed: ${status} ${JSON.stringify(body)}`);
    return body as ReportResponse;
  }

  /** Reports every setting of the held configuration as succeeded. */
  reportAllSucceeded(options: { reportId?: string; syncRequestId?: string } = {}) {
    const settings = this.document?.configuration.settings ?? [];
    return this.report(
      settings.map((s) => ({ id: s.id, status: 'succeeded' })),
      options,
    );
  }

  /**
   * A configuration delivered on the notify stream: verified as a check-in's answer would be
   * (signature, device, not older than held), then held; throws when it does not verify.
   */
  accept(signed: { payload: string; signature: string }): ConfigurationDocument {
    const verified = verifySignedConfiguration(signed, this.tenantPublicKey, {
      deviceId: this.deviceId,
      heldRevision: this.revision,
    });
    if (!verified.ok) throw new Error(`configuration refused: ${verified.reason}`);
    this.revision = verified.document.revision;
    this.document = verified.document;
    return verified.document;
  }

  /** Opens notify; `deliver` asks for configurations on the stream (`deliver=configuration`). */
  async notify(
    options: { deliver?: boolean; revision?: number | null } = {},
  ): Promise<NotifyStream> {
    const controller = new AbortController();
    const held = options.revision === undefined ? this.revision : options.revision;
    const query = notifyQuery(held, options.deliver ?? false);
    const response = await fetch(`${this.baseUrl}/agent/v1/notify${query}`, {
      headers: { authorization: `Bearer ${this.credential}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) {
      throw new Error(`notify failed: ${response.status} ${await response.text()}`);
    }
    const events: SseEvent[] = [];
    const waiters: (() => void)[] = [];
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (!block.startsWith(':')) {
            events.push({ event, data: data ? (JSON.parse(data) as unknown) : null });
            for (const wake of waiters.splice(0)) wake();
          }
        }
      }
    };
    pump().catch(() => {});
    return {
      async next(kind, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const index = events.findIndex((e) => e.event === kind);
          if (index >= 0) return events.splice(index, 1)[0] as SseEvent;
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no "${kind}" event within ${timeoutMs} ms`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, left);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      },
      close() {
        controller.abort();
      },
    };
  }
}

/** Reads one sample of a Prometheus counter from /metrics (0 when absent). */
export async function metricValue(baseUrl: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const sample = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(sample));
  return line ? Number(line.split(' ').pop()) : 0;
}
