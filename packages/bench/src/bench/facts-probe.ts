/**
 * Facts changes timed from a thread of their own. The machines sampled are handed off
 * (`SimulatedAgent.handoff`) to a worker thread that carries on as them, one facts change after
 * the other, each applied and reported before the next, and times each check-in round trip.
 * The simulator's main thread holds up to 100,000 simulated machines; its garbage collections
 * (young-generation pauses of 7-12 ms with such a heap) landed inside the few hundred round trips
 * timed, which no real agent — one per machine, with a heap of its own — would see. The worker
 * has its own small heap, and talks to the server over its own keep-alive connection.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentHandoff } from '../sim/simulated-agent.js';

export interface FactsProbeInput {
  readonly serverUrl: string;
  readonly agents: readonly AgentHandoff[];
  /** The tag each machine adds to its facts (its change). */
  readonly tag: string;
}

export interface FactsProbeResult {
  /** Each facts change's check-in round trip, ms, in order. */
  ms: number[];
  /** Of those, the answers that carried a new configuration. */
  newConfigurations: number;
  /** Configurations reported applied afterwards. */
  reports: number;
  errors: string[];
}

/** The worker's script, built (src and dist alike resolve to the build). */
const WORKER = fileURLToPath(new URL('../../dist/bench/facts-probe-worker.js', import.meta.url));

export function probeFactsChanges(input: FactsProbeInput): Promise<FactsProbeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: input });
    let answered = false;
    worker.once('message', (result: FactsProbeResult) => {
      answered = true;
      resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered)
        reject(new Error(`the facts probe thread ended (code ${code}) without a result`));
    });
  });
}
