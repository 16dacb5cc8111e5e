/**
 * The facts probe's thread (facts-probe.ts): carries on as the machines handed to it, changes
 * each one's facts in turn (waiting for it to apply and report), and posts back the round trips.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AgentTransport } from '../sim/agent-http.js';
import { Limiter } from '../sim/limiter.js';
import { type AgentEnvironment, emptyCounters, SimulatedAgent } from '../sim/simulated-agent.js';
import type { FactsProbeInput, FactsProbeResult } from './facts-probe.js';

async function run(input: FactsProbeInput): Promise<FactsProbeResult> {
  const transport = new AgentTransport(input.serverUrl, 1);
  const counters = emptyCounters();
  const result: FactsProbeResult = { ms: [], newConfigurations: 0, reports: 0, errors: [] };
  const env: AgentEnvironment = {
    transport,
    limiter: new Limiter(1),
    token: '',
    shares: { failureRate: 0, driftRate: 0 },
    counters,
    notify: false,
    deliver: false,
    observer: {
      onCheckIn(_agent, checkIn) {
        if (!checkIn.factsSent) return;
        result.ms.push(checkIn.ms);
        if (checkIn.changed) result.newConfigurations += 1;
      },
      onReported() {
        result.reports += 1;
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
  try {
    for (const handoff of input.agents) {
      const agent = SimulatedAgent.resume(handoff, env);
      await agent.changeFacts({ tags: [...agent.facts.tags, input.tag] });
      await agent.stop();
    }
  } finally {
    transport.destroy();
  }
  return result;
}

const port = parentPort;
if (!port) throw new Error('facts-probe-worker runs as a worker thread');
run(workerData as FactsProbeInput).then(
  (result) => port.postMessage(result),
  (error: unknown) => {
    throw error;
  },
);
