/**
 * `connections`: memory per idle connected agent. The server's resident memory is read after a
 * forced GC (server-preload.ts) with half of the N agents (default 10,000) enrolled, current and
 * holding notify, and again with all N; the difference divided by the agents added is what one
 * more idle agent costs (the slope). Taking the slope between two fleet sizes leaves out what the
 * first connections pay once for the whole process (V8's young generation growing to its working
 * size under the connection burst, the code of these paths paged in, caches warming), which a
 * difference from an empty server would spread over the agents. Target: ≤ 8 KiB. Reported too:
 * the difference from the server before any agent, and the whole RSS divided by N.
 */
import { check, leastSquaresSlope, round } from '../figures.js';
import { type ServerMemory, startServers } from '../server-processes.js';
import {
  type Benchmark,
  FleetSet,
  LINUX_ONLY,
  linuxBaselinePolicy,
  setUpTenant,
  switchableObserver,
  waitForSteadyFleet,
} from './common.js';

export const connections: Benchmark = {
  name: 'connections',
  description: 'server memory per idle connected agent (after a forced GC)',
  async run(options) {
    const devices = options.devices ?? 10_000;
    const servers = await startServers({
      replicas: 1,
      database: options.database,
      label: 'connections',
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    const fleets: FleetSet[] = [];
    try {
      const { admin, token } = await setUpTenant(servers);
      await linuxBaselinePolicy(admin);
      const idle = await servers.memory(0);
      const half = Math.floor(devices / 2);
      /** Adds `count` agents after those already connected; memory once all are idle. */
      const connect = async (count: number) => {
        const fleet = new FleetSet(servers, {
          concurrency: options.concurrency,
          token,
          devices: count,
          seed: 'bench-connections',
          mix: LINUX_ONLY,
          notify: true,
          observer: switchableObserver(),
          firstIndex: fleets.reduce((sum, each) => sum + each.agents.length, 0),
        });
        fleets.push(fleet);
        await fleet.enrollAll();
        await waitForSteadyFleet(fleet, true, options.log);
        // Let the last reports and check-ins settle, so what is measured is idle streams.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const held = fleets.reduce((sum, each) => sum + each.snapshot().connected, 0);
        return { held, memory: await servers.memory(0) };
      };
      const first = await connect(half);
      // Then the rest in steps, memory read after each: the slope through all of those points
      // (least squares) moves far less between runs than the difference of two readings, which
      // glibc's arenas and V8's page commits shift by a few KB per agent either way.
      const points = [first];
      let connectedSoFar = half;
      for (let step = 1; step <= SLOPE_STEPS; step += 1) {
        const upTo = half + Math.round(((devices - half) * step) / SLOPE_STEPS);
        points.push(await connect(upTo - connectedSoFar));
        connectedSoFar = upTo;
      }
      const all = points[points.length - 1] ?? first;
      const connected = all.memory;
      const added = all.held - first.held;
      const perAgent = leastSquaresSlope(points.map((point) => [point.held, point.memory.rss]));
      const halfToFull = (connected.rss - first.memory.rss) / added;
      const fromIdle = (connected.rss - idle.rss) / all.held;
      return {
        name: 'connections',
        parameters: { agents: devices, database: servers.databaseKind },
        figures: {
          connected_agents: all.held,
          rss_idle_bytes: idle.rss,
          rss_half_connected_bytes: first.memory.rss,
          rss_connected_bytes: connected.rss,
          heap_used_idle_bytes: idle.heapUsed,
          heap_used_connected_bytes: connected.heapUsed,
          bytes_per_agent: round(perAgent, 0),
          heap_bytes_per_agent: round((connected.heapUsed - first.memory.heapUsed) / added, 0),
          heap_committed_bytes_per_agent: round(
            (connected.heapTotal - first.memory.heapTotal) / added,
            0,
          ),
          native_bytes_per_agent: round(
            (connected.rss - connected.heapTotal - (first.memory.rss - first.memory.heapTotal)) /
              added,
            0,
          ),
          bytes_per_agent_half_to_full: round(halfToFull, 0),
          bytes_per_agent_from_idle: round(fromIdle, 0),
          rss_bytes_per_agent_total: round(connected.rss / all.held, 0),
        },
        targets: [check('bytes_per_agent', '≤ 8192', perAgent, (v) => v <= 8192)],
        notes: [
          `V8 spaces committed/used with half the agents connected (MB): ${spacesOf(first.memory)}`,
          `V8 spaces committed/used with all the agents connected (MB): ${spacesOf(connected)}`,
          `resident bytes per added agent by mapping: ${mappingsAdded(first.memory, connected, added)}`,
          `bytes_per_agent: resident memory added per agent from N/2 to N connected agents (device state included): the least-squares slope through ${SLOPE_STEPS + 1} readings (N/2, then ${SLOPE_STEPS} equal steps to N); bytes_per_agent_half_to_full: the difference of the first and last reading alone; bytes_per_agent_from_idle: from the server before any agent; rss_bytes_per_agent_total: the whole process divided by N`,
        ],
      };
    } finally {
      for (const fleet of fleets) await fleet.stop();
      await servers.stop();
    }
  },
};

/** Steps from N/2 to N, a memory reading after each (the slope's points). */
const SLOPE_STEPS = 5;

/** Where the added resident memory sits ([heap], [anon], files), per added agent. */
function mappingsAdded(before: ServerMemory, after: ServerMemory, added: number): string {
  const names = new Set([
    ...Object.keys(before.mappings ?? {}),
    ...Object.keys(after.mappings ?? {}),
  ]);
  return [...names]
    .map((name) => ({
      name,
      bytes: (((after.mappings?.[name] ?? 0) - (before.mappings?.[name] ?? 0)) * 1024) / added,
    }))
    .filter((entry) => Math.abs(entry.bytes) >= 50)
    .sort((a, b) => b.bytes - a.bytes)
    .map((entry) => `${entry.name} ${Math.round(entry.bytes)}`)
    .join(', ');
}

function spacesOf(memory: ServerMemory): string {
  return Object.entries(memory.spaces ?? {})
    .filter(([, space]) => space.committed > 1024 * 1024)
    .map(([name, space]) => `${name} ${mb(space.committed)}/${mb(space.used)}`)
    .join(', ');
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
