/**
 * `enroll`: enrollments per second for a burst of N new machines (default 10,000), sent with the
 * simulator's pooled transport at a fixed concurrency; the same burst against the baseline server
 * gives the ratio. Target: ≥ 1,000 enrollments per second.
 */
import { AgentTransport } from '../../sim/agent-http.js';
import { simulatedFacts } from '../../sim/device-facts.js';
import { DEFAULT_MIX, platformsForFleet } from '../../sim/fleet-mix.js';
import { Limiter } from '../../sim/limiter.js';
import { machineIdentity } from '../../sim/machine-identity.js';
import { startBaseline } from '../baseline.js';
import { check, latencyFigures, round } from '../figures.js';
import { startServers } from '../server-processes.js';
import { type Benchmark, setUpTenant } from './common.js';

const CONCURRENCY = 64;

interface BurstResult {
  readonly perSecond: number;
  readonly elapsedMs: number;
  readonly failures: number;
  readonly firstFailure: string | undefined;
  readonly latenciesMs: number[];
  readonly firstAnswer: unknown;
}

async function burst(url: string, bodies: readonly unknown[]): Promise<BurstResult> {
  const transport = new AgentTransport(url, CONCURRENCY);
  const limiter = new Limiter(CONCURRENCY);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let firstAnswer: unknown;
  const started = performance.now();
  await Promise.all(
    bodies.map((body) =>
      limiter.run(async () => {
        const sent = performance.now();
        try {
          const answer = await transport.postJson('/agent/v1/enroll', body);
          firstAnswer ??= answer.body;
          latencies.push(performance.now() - sent);
        } catch (error) {
          failures += 1;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        }
      }),
    ),
  );
  const elapsedMs = performance.now() - started;
  transport.destroy();
  return {
    perSecond: ((bodies.length - failures) / elapsedMs) * 1000,
    elapsedMs,
    failures,
    firstFailure,
    latenciesMs: latencies,
    firstAnswer,
  };
}

export const enroll: Benchmark = {
  name: 'enroll',
  description: 'enrollments per second for a burst of new machines',
  async run(options) {
    const devices = options.devices ?? 10_000;
    const servers = await startServers({
      replicas: 1,
      database: options.database,
      label: 'enroll',
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    try {
      const { token } = await setUpTenant(servers);
      const server = servers.replicas[0];
      if (!server) throw new Error('no server');
      // Keys and facts are made before the clock starts: the burst measures the server.
      const bodies = platformsForFleet(DEFAULT_MIX, devices).map((platform, index) => {
        const identity = machineIdentity('bench-enroll', index);
        return {
          token,
          machineId: identity.machineId,
          publicKey: identity.publicKey,
          facts: simulatedFacts('bench-enroll', index, platform),
        };
      });
      options.log(`  enrolling ${devices} machines…`);
      const subject = await servers.profiled(() => burst(server.url, bodies));
      const baseline = await startBaseline({ body: JSON.stringify(subject.firstAnswer ?? {}) });
      let base: BurstResult;
      try {
        options.log('  the same burst against the baseline…');
        base = await burst(baseline.url, bodies);
      } finally {
        await baseline.stop();
      }
      const ratio = base.perSecond > 0 ? subject.perSecond / base.perSecond : null;
      return {
        name: 'enroll',
        parameters: { machines: devices, concurrency: CONCURRENCY, database: servers.databaseKind },
        figures: {
          enrollments_per_s: round(subject.perSecond, 0),
          baseline_requests_per_s: round(base.perSecond, 0),
          ratio_to_baseline: round(ratio, 3),
          burst_ms: Math.round(subject.elapsedMs),
          ...latencyFigures('enroll', subject.latenciesMs),
          failures: subject.failures,
        },
        targets: [check('enrollments_per_s', '≥ 1000', subject.perSecond, (v) => v >= 1000)],
        notes: subject.firstFailure ? [`first failure: ${subject.firstFailure}`] : [],
      };
    } finally {
      await servers.stop();
    }
  },
};
