/**
 * `palisade-agent run`: check in at start, hold the notify stream, check in on every notice and on
 * the fallback interval the server gives (jittered, so a fleet does not check in in step), and
 * reconnect the stream with exponential backoff and jitter. A configuration the stream delivers
 * itself is applied and reported without a check-in. Cycles never overlap: a notice (or a
 * delivered configuration) that arrives during a cycle runs one more cycle, a check-in, after it.
 * SIGTERM/SIGINT stop it cleanly.
 */
import type { SignedConfiguration } from '@palisade/protocol';
import { errorMessage } from '../drivers/driver.js';
import { AgentClient, AgentProtocolError } from './client.js';
import { DEFAULT_INTERVAL_S, type DeviceAgent, type SyncOutcome } from './device-agent.js';

export interface DaemonOptions {
  /** Stops the daemon (SIGTERM/SIGINT in main). */
  readonly signal: AbortSignal;
  readonly onCycle?: (outcome: SyncOutcome | Error) => void;
  readonly random?: () => number;
}

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Full jitter: a uniform wait in [base/2, base]. */
export function jittered(ms: number, random: () => number): number {
  return Math.round(ms / 2 + (ms / 2) * random());
}

export function backoffMs(attempt: number, random: () => number): number {
  return jittered(Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt), random);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function runDaemon(agent: DeviceAgent, options: DaemonOptions): Promise<void> {
  const random = options.random ?? Math.random;
  const { signal } = options;
  let intervalS = DEFAULT_INTERVAL_S;
  let running: Promise<void> | null = null;
  let again: string | undefined | null = null;
  let fallback: NodeJS.Timeout | undefined;

  const schedule = () => {
    clearTimeout(fallback);
    if (signal.aborted) return;
    // The server's interval is the fallback; jitter spreads a fleet's check-ins.
    fallback = setTimeout(() => trigger(undefined), jittered(intervalS * 1000, random));
  };

  const cycle = async (syncRequestId: string | undefined, delivered?: SignedConfiguration) => {
    try {
      const outcome = await agent.sync(syncRequestId, delivered);
      intervalS = outcome.nextCheckInSeconds;
      options.onCycle?.(outcome);
    } catch (error) {
      await agent.state.log(`sync failed: ${errorMessage(error)}`).catch(() => {});
      options.onCycle?.(error instanceof Error ? error : new Error(String(error)));
    }
    // The fallback interval runs from the last check-in: a delivered configuration is not one
    // (its facts did not go up), and deliveries more frequent than the interval must not put
    // the next check-in off for ever.
    if (!delivered) schedule();
  };

  function trigger(syncRequestId: string | undefined, delivered?: SignedConfiguration): void {
    if (signal.aborted) return;
    if (running) {
      // After the running cycle, a check-in: it fetches whatever is newest, delivered or not.
      again = syncRequestId ?? again ?? undefined;
      return;
    }
    running = cycle(syncRequestId, delivered).finally(() => {
      running = null;
      if (again !== null) {
        const next = again;
        again = null;
        trigger(next);
      }
    });
  }

  await agent.state.log('agent started');
  trigger(undefined);
  await listen(agent, signal, random, trigger);
  clearTimeout(fallback);
  while (running) await running;
  await agent.state.log('agent stopped');
}

/** Holds the notify stream, reconnecting with backoff, until the signal aborts. */
async function listen(
  agent: DeviceAgent,
  signal: AbortSignal,
  random: () => number,
  trigger: (syncRequestId: string | undefined, delivered?: SignedConfiguration) => void,
): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    const enrollment = await agent.requireEnrollment();
    const held = await agent.state.loadConfiguration();
    const client = new AgentClient(enrollment.serverUrl, enrollment.credential);
    try {
      for await (const notice of client.notify(held?.revision ?? null, signal)) {
        attempt = 0;
        if (notice.kind === 'configuration') trigger(undefined, notice.configuration);
        else trigger(notice.kind === 'sync' ? notice.syncRequestId : undefined);
      }
      // The server closed the stream (restart, deploy): reconnect soon, and check in, since a
      // notice may have been missed meanwhile.
      trigger(undefined);
    } catch (error) {
      if (signal.aborted) break;
      const refused = error instanceof AgentProtocolError && error.refused;
      await agent.state.log(
        `notify stream lost${refused ? ' (credential refused)' : ''}: ${errorMessage(error)}`,
      );
    }
    await sleep(backoffMs(attempt++, random), signal);
  }
}
