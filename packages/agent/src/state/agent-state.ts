/**
 * The agent's state directory (default /var/lib/palisade-agent, mode 0700):
 * - `device-key.pem`      the device's Ed25519 private key (0600); its public half goes to enroll
 * - `enrollment.json`     server URL, device id, credential (0600), pinned tenant key, status,
 *                         and the options given at enroll (root, drivers, facts file) for later runs
 * - `configuration.json`  the last verified signed configuration and its revision
 * - `applied.json`        per driver, the native fragments applied last (drift detection)
 * - `facts.json`          the facts sent last (at enroll or a check-in) and the number of that
 *                         send (`factsSeq`)
 * - `sync.json`           the last sync attempt (when, ok or the error)
 * - `report.json`         the last report and whether the server accepted it
 * - `agent.log`           one line per event, newest last
 * Every JSON file is written atomically (temp + rename).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EnforcementTarget, SettingResult } from '@palisade/core';
import type { DeviceFactsMessage, EnrollResponse, SignedConfiguration } from '@palisade/protocol';
import type { AppliedState } from '../apply/apply-configuration.js';

export const DEFAULT_STATE_DIR = '/var/lib/palisade-agent';
const LOG_ROTATE_BYTES = 1024 * 1024;

/** Options given at enroll that later commands reuse unless given again. */
export interface RememberedOptions {
  readonly root?: string;
  readonly drivers?: readonly EnforcementTarget[];
  readonly factsFile?: string;
  readonly tags?: readonly string[];
}

export interface Enrollment extends Omit<EnrollResponse, 'nextCheckInSeconds'> {
  readonly serverUrl: string;
  readonly machineId: string;
  readonly enrolledAt: string;
  readonly options: RememberedOptions;
}

export interface HeldConfiguration {
  readonly revision: number;
  readonly signed: SignedConfiguration;
  readonly receivedAt: string;
}

export interface LastReport {
  readonly reportId: string;
  readonly revision: number;
  readonly syncRequestId?: string;
  readonly results: readonly SettingResult[];
  readonly at: string;
  /** The server accepted it (false: it is sent again at the next cycle). */
  readonly delivered: boolean;
}

/**
 * The facts the agent sent last, and the number of that send in the agent protocol (`factsSeq`):
 * 0 for the facts sent at enroll, one more for each check-in that carried facts.
 */
export interface SentFacts {
  readonly facts: DeviceFactsMessage;
  readonly seq: number;
  /**
   * The server may not hold them (it asked for all facts, or the number is not known): the next
   * check-in sends all of them (`factsFull`).
   */
  readonly resend: boolean;
}

/** The last sync attempt: when, and whether it worked. */
export interface LastSync {
  readonly at: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly revision: number | null;
  readonly nextCheckInSeconds?: number;
}

export class AgentState {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, name);
  }

  async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private async readJson<T>(name: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.path(name), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`${this.path(name)}: ${(error as Error).message}`);
    }
  }

  private async writeJson(name: string, value: unknown, mode = 0o600): Promise<void> {
    await this.ensureDir();
    const target = this.path(name);
    const temp = `${target}.tmp-${process.pid}`;
    const handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
      mode,
    );
    try {
      await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }

  /** The device's Ed25519 key, created (mode 0600) on first use. */
  async deviceKey(): Promise<{ readonly privateKey: KeyObject; readonly publicKeyDer: string }> {
    await this.ensureDir();
    const path = this.path('device-key.pem');
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const handle = await open(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
        0o600,
      );
      await handle.writeFile(pem);
      await handle.close();
    }
    await chmod(path, 0o600);
    const privateKey = createPrivateKey(await readFile(path, 'utf8'));
    const publicKeyDer = createPublicKey(privateKey)
      .export({ format: 'der', type: 'spki' })
      .toString('base64');
    return { privateKey, publicKeyDer };
  }

  loadEnrollment(): Promise<Enrollment | null> {
    return this.readJson<Enrollment>('enrollment.json');
  }

  saveEnrollment(enrollment: Enrollment): Promise<void> {
    return this.writeJson('enrollment.json', enrollment);
  }

  loadConfiguration(): Promise<HeldConfiguration | null> {
    return this.readJson<HeldConfiguration>('configuration.json');
  }

  saveConfiguration(held: HeldConfiguration): Promise<void> {
    return this.writeJson('configuration.json', held);
  }

  async loadApplied(): Promise<AppliedState> {
    return (await this.readJson<AppliedState>('applied.json')) ?? {};
  }

  saveApplied(applied: AppliedState): Promise<void> {
    return this.writeJson('applied.json', applied);
  }

  /**
   * The facts sent last, with their number (only changes are sent next time). A file an older
   * agent wrote holds the facts alone: their number is not known, so all of them are sent next.
   */
  async loadSentFacts(): Promise<SentFacts | null> {
    const stored = await this.readJson<Partial<StoredFacts> & DeviceFactsMessage>('facts.json');
    if (!stored) return null;
    if (stored.facts && typeof stored.factsSeq === 'number') {
      return { facts: stored.facts, seq: stored.factsSeq, resend: stored.resend === true };
    }
    return { facts: stored, seq: 0, resend: true };
  }

  /** One file, written atomically: the facts and their number never disagree. */
  saveSentFacts(sent: SentFacts): Promise<void> {
    const stored: StoredFacts = { factsSeq: sent.seq, resend: sent.resend, facts: sent.facts };
    return this.writeJson('facts.json', stored);
  }

  loadLastSync(): Promise<LastSync | null> {
    return this.readJson<LastSync>('sync.json');
  }

  saveLastSync(sync: LastSync): Promise<void> {
    return this.writeJson('sync.json', sync);
  }

  loadReport(): Promise<LastReport | null> {
    return this.readJson<LastReport>('report.json');
  }

  saveReport(report: LastReport): Promise<void> {
    return this.writeJson('report.json', report);
  }

  /**
   * Runs `work` holding `<state-dir>/cycle.lock`, so a `sync` started by hand and the daemon never
   * apply at the same time. A lock left by a process that is gone is taken over.
   */
  async withLock<T>(work: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
    await this.ensureDir();
    const path = this.path('cycle.lock');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const handle = await open(
          path,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
          0o600,
        );
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
        if (!(holder > 0 && isAlive(holder))) {
          await rm(path, { force: true });
          continue;
        }
        if (Date.now() > deadline)
          throw new Error(`another palisade-agent (pid ${holder}) is applying; try again`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      return await work();
    } finally {
      await rm(path, { force: true });
    }
  }

  /** The machine's own tags and settings file, `<state-dir>/agent.json`. */
  get configFile(): string {
    return this.path('agent.json');
  }

  get logFile(): string {
    return this.path('agent.log');
  }

  /** Appends one line; past 1 MiB the log moves to `agent.log.1` (one generation kept). */
  async log(message: string): Promise<void> {
    await this.ensureDir();
    const size = await stat(this.logFile).then(
      (s) => s.size,
      () => 0,
    );
    if (size > LOG_ROTATE_BYTES) await rename(this.logFile, `${this.logFile}.1`);
    await appendFile(this.logFile, `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
  }

  async logTail(lines = 200): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  }
}

/** `facts.json` as this agent writes it. */
interface StoredFacts {
  readonly factsSeq: number;
  readonly resend: boolean;
  readonly facts: DeviceFactsMessage;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
