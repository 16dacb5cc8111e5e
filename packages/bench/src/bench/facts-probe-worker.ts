/**
 * The facts probe's thread (facts-probe.ts): carries on as the machines handed to it, changes
 * each one's facts in turn (waiting for it to apply and report), first the warm-up machines,
 * then, when told to, the timed ones; posts back the timed round trips.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AgentTransport } from '../sim/agent-http.js';
import { Limiter } from '../sim/limiter.js';
import {
  type AgentEnvironment,
  type AgentHandoff,
  emptyCounters,
  SimulatedAgent,
} from '../sim/simulated-agent.js';
import type { FactsProbeInput, FactsProbeMessage, FactsProbeResult } from './facts-probe.js';

const port = parentPort;
if (!port) throw new Error('facts-probe-worker runs as a worker thread');

async function run(input: FactsProbeInput): Promise<FactsProbeResult> {
  const transport = new AgentTransport(input.serverUrl, 1);
  const result: FactsProbeResult = { ms: [], newConfigurations: 0, errors: [] };
  let timing = false;
  const env: AgentEnvironment = {
    transport,
    limiter: new Limiter(1),
    token: '',
    shares: { failureRate: 0, driftRate: 0 },
    counters: emptyCounters(),
    notify: false,
    deliver: false,
    observer: {
      onCheckIn(_agent, checkIn) {
        if (!timing || !checkIn.factsSent) return;
        result.ms.push(checkIn.ms);
        if (checkIn.changed) result.newConfigurations += 1;
      },
      onError(agent, what, error) {
        if (result.errors.length < 10) {
          const message = error instanceof Error ? error.message : String(error);
          result.errors.push(`machine ${agent.index}: ${what}: ${message}`);
        }
      },
    },
    driftDelayMs: 30_000,
  };
  const change = async (handoff: AgentHandoff) => {
    const agent = SimulatedAgent.resume(handoff, env);
    await agent.changeFacts({ tags: [...agent.facts.tags, input.tag] });
    await agent.stop();
  };
  try {
    for (const handoff of input.warmUp) await change(handoff);
    const go = new Promise<void>((resolve) => {
      port?.on('message', (message: FactsProbeMessage) => {
        if (message.kind === 'go') resolve();
      });
    });
    const warm: FactsProbeMessage = { kind: 'warm' };
    port?.postMessage(warm);
    await go;
    timing = true;
    for (const handoff of input.agents) await change(handoff);
  } finally {
    transport.destroy();
  }
  return result;
}

run(workerData as FactsProbeInput).then(
  (result) => {
    const message: FactsProbeMessage = { kind: 'result', result };
    port.postMessage(message);
    port.close();
  },
  (error: unknown) => {
    throw error;
  },
);
