/**
 * Facts changes timed from a thread of their own. The machines sampled are handed off
 * (`SimulatedAgent.handoff`) to a worker thread that carries on as them, one facts change after
 * the other, each applied and reported before the next, and times each check-in round trip.
 * The simulator's main thread holds up to 100,000 simulated machines; its garbage collections
 * (young-generation pauses of 7-12 ms with such a heap) landed inside the few hundred round trips
 * timed, which no real agent — one per machine, with a heap of its own — would see. The worker
 * has its own small heap, and talks to the server over its own keep-alive connection. Its first
 * machines warm its code and connection (a new thread compiles everything afresh) and are not
 * counted; the caller measures after `warm()`.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentHandoff } from '../sim/simulated-agent.js';

export interface FactsProbeInput {
  readonly serverUrl: string;
  /** The machines to warm up with (not counted), then the ones timed. */
  readonly warmUp: readonly AgentHandoff[];
  readonly agents: readonly AgentHandoff[];
  /** The tag each machine adds to its facts (its change). */
  readonly tag: string;
}

export interface FactsProbeResult {
  /** Each timed facts change's check-in round trip, ms, in order. */
  ms: number[];
  /** Of those, the answers that carried a new configuration. */
  newConfigurations: number;
  /** Errors of the warm-up and the timed changes (the first few). */
  errors: string[];
}

/** Between the thread and its caller. */
export type FactsProbeMessage =
  | { readonly kind: 'warm' }
  | { readonly kind: 'go' }
  | { readonly kind: 'result'; readonly result: FactsProbeResult };

/** The worker's script, built (src and dist alike resolve to the build). */
const WORKER = fileURLToPath(new URL('../../dist/bench/facts-probe-worker.js', import.meta.url));

export class FactsProbe {
  private constructor(
    private readonly worker: Worker,
    private readonly result: Promise<FactsProbeResult>,
  ) {}

  /** Starts the thread; resolves once its warm-up changes are done. */
  static async start(input: FactsProbeInput): Promise<FactsProbe> {
    const worker = new Worker(WORKER, {
      workerData: input,
      // Its young generation collected every ~500 ms at V8's default size, 1-2 ms each: inside a
      // timed round trip now and then, on this side of the connection. A larger one (as the
      // server has, SERVE_NODE_FLAGS) collects a few times per window instead.
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
    });
    let warmed: () => void = () => {};
    const warm = new Promise<void>((resolve) => {
      warmed = resolve;
    });
    const result = new Promise<FactsProbeResult>((resolve, reject) => {
      let answered = false;
      worker.on('message', (message: FactsProbeMessage) => {
        if (message.kind === 'warm') warmed();
        if (message.kind === 'result') {
          answered = true;
          resolve(message.result);
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (!answered) reject(new Error(`the facts probe thread ended (code ${code}) early`));
      });
    });
    // A thread that fails before it is warm rejects `result`: surface that instead of waiting.
    await Promise.race([warm, result]);
    return new FactsProbe(worker, result);
  }

  /** Times the changes of the machines to time; resolves with the round trips. */
  measure(): Promise<FactsProbeResult> {
    const go: FactsProbeMessage = { kind: 'go' };
    this.worker.postMessage(go);
    return this.result;
  }
}
