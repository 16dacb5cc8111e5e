/**
 * A device for the portal's browser tests: enrolls through the real agent protocol with its own
 * Ed25519 key, checks in (verifying each signed configuration the way the agent does), reports
 * per-setting results, and can listen on notify to answer "sync now" like a connected agent.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceFacts, ReportStatus } from '@palisade/core';
import {
  type CheckInResponse,
  type ConfigurationDocument,
  type EnrollResponse,
  generateEd25519KeyPair,
  verifySignedConfiguration,
} from '@palisade/protocol';

export function factsOf(
  hostname: string,
  platform: DeviceFacts['platform'],
  extra: Partial<DeviceFacts> = {},
): DeviceFacts {
  const windows = platform === 'windows-client' || platform === 'windows-server';
  return {
    hostname,
    domain: windows ? 'corp.example' : null,
    platform,
    osVersion: windows ? '10.0.22631.4037' : platform === 'macos' ? '14.5' : '12',
    osName: windows
      ? 'Windows 11 Enterprise'
      : platform === 'macos'
        ? 'macOS 14.5'
        : 'Debian GNU/Linux 12 (bookworm)',
    ...(platform === 'linux' ? { distro: 'debian' } : {}),
    agentVersion: '0.1.0',
    isDomainController: false,
    isServerCore: false,
    powershellLanguageMode: windows ? 'FullLanguage' : null,
    nonPersistentVdi: false,
    directoryJoin: null,
    mdmManaged: false,
    configMgrManaged: false,
    tags: [],
    ...extra,
  };
}

export interface SettingOutcome {
  readonly status: ReportStatus;
  readonly error?: string;
}

export class SimulatedDevice {
  readonly keys = generateEd25519KeyPair();
  readonly machineId = `machine-${randomUUID()}`;
  deviceId = '';
  private credential = '';
  private tenantPublicKey = '';
  revision: number | null = null;
  document: ConfigurationDocument | null = null;
  /** Per setting id, what this device reports instead of success (a failing driver). */
  readonly outcomes = new Map<string, SettingOutcome>();
  private listening: AbortController | null = null;

  constructor(
    private readonly baseUrl: string,
    readonly facts: DeviceFacts,
  ) {}

  private async post<T>(path: string, body: unknown, auth = true): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${this.credential}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  }

  async enroll(token: string): Promise<EnrollResponse> {
    const enrolled = await this.post<EnrollResponse>(
      '/agent/v1/enroll',
      { token, machineId: this.machineId, publicKey: this.keys.publicKey, facts: this.facts },
      false,
    );
    this.deviceId = enrolled.deviceId;
    this.credential = enrolled.credential;
    this.tenantPublicKey = enrolled.tenantPublicKey;
    return enrolled;
  }

  async checkIn(syncRequestId?: string): Promise<CheckInResponse> {
    const answer = await this.post<CheckInResponse>('/agent/v1/check-in', {
      revision: this.revision,
      ...(syncRequestId ? { syncRequestId } : {}),
    });
    if (answer.s === 'c') {
      const verified = verifySignedConfiguration(answer.configuration, this.tenantPublicKey, {
        deviceId: this.deviceId,
        heldRevision: this.revision,
      });
      if (!verified.ok) throw new Error(`configuration refused: ${verified.reason}`);
      this.revision = verified.document.revision;
      this.document = verified.document;
    }
    return answer;
  }

  /** Reports every setting of the held configuration: succeeded unless `outcomes` says else. */
  async report(syncRequestId?: string): Promise<void> {
    const results = (this.document?.configuration.settings ?? []).map((setting) => {
      const outcome = this.outcomes.get(setting.id);
      return {
        id: setting.id,
        status: outcome?.status ?? 'succeeded',
        ...(outcome?.error ? { error: outcome.error } : {}),
      };
    });
    const conflicts = (this.document?.configuration.conflicts ?? []).map((conflict) => ({
      id: conflict.id,
      status: 'conflict' as const,
    }));
    await this.post('/agent/v1/report', {
      reportId: randomUUID(),
      revision: this.revision ?? 0,
      results: [...results, ...conflicts],
      ...(syncRequestId ? { syncRequestId } : {}),
    });
  }

  /** One full cycle, as the agent does on a notice. */
  async sync(syncRequestId?: string): Promise<void> {
    await this.checkIn(syncRequestId);
    await this.report(syncRequestId);
  }

  /**
   * Listens on notify like a connected agent: on `sync` or `revision` it checks in and reports.
   * `onSynced` is called after each answered sync request.
   */
  async listen(
    onSynced: (syncRequestId: string) => void = () => {},
    options: { catchUp: boolean } = { catchUp: true },
  ): Promise<void> {
    const controller = new AbortController();
    this.listening = controller;
    // With catchUp the server announces at once a revision newer than the one held; without it,
    // only what happens from now on (the test then decides when the device catches up).
    const query = options.catchUp && this.revision !== null ? `?revision=${this.revision}` : '';
    const response = await fetch(`${this.baseUrl}/agent/v1/notify${query}`, {
      headers: { authorization: `Bearer ${this.credential}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`notify: ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const handle = async (event: string, data: string) => {
      if (event === 'sync') {
        const { syncRequestId } = JSON.parse(data) as { syncRequestId: string };
        await this.sync(syncRequestId);
        onSynced(syncRequestId);
      } else if (event === 'revision') {
        await this.sync();
      }
    };
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) continue;
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          await handle(event, data);
        }
      }
    };
    pump().catch(() => {
      // The stream ends when the test stops listening or the server closes.
    });
  }

  stop(): void {
    this.listening?.abort();
    this.listening = null;
  }
}
