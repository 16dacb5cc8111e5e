/**
 * `connections`: memory per idle connected agent. The server's resident memory is read after a
 * forced GC (gc-preload.ts) before any agent and again with N agents enrolled, current and holding
 * notify (default 10,000); the difference divided by N is what one more idle agent costs. Target:
 * ≤ 8 KiB. The total RSS divided by N is reported too, as the issue words it.
 */
import { check, round } from '../figures.js';
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
    let fleet: FleetSet | undefined;
    try {
      const { admin, token } = await setUpTenant(servers);
      await linuxBaselinePolicy(admin);
      const idle = await servers.memory(0);
      fleet = new FleetSet(servers, {
        token,
        devices,
        seed: 'bench-connections',
        mix: LINUX_ONLY,
        notify: true,
        observer: switchableObserver(),
      });
      await fleet.enrollAll();
      await waitForSteadyFleet(fleet, true, options.log);
      // Let the last reports and check-ins settle, so what is measured is idle streams.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const connected = await servers.memory(0);
      const held = fleet.snapshot().connected;
      const perAgent = (connected.rss - idle.rss) / held;
      return {
        name: 'connections',
        parameters: { agents: devices, database: servers.databaseKind },
        figures: {
          connected_agents: held,
          rss_idle_bytes: idle.rss,
          rss_connected_bytes: connected.rss,
          heap_used_idle_bytes: idle.heapUsed,
          heap_used_connected_bytes: connected.heapUsed,
          bytes_per_agent: round(perAgent, 0),
          heap_bytes_per_agent: round((connected.heapUsed - idle.heapUsed) / held, 0),
          rss_bytes_per_agent_total: round(connected.rss / held, 0),
          heap_committed_bytes_per_agent: round((connected.heapTotal - idle.heapTotal) / held, 0),
          native_bytes_per_agent: round(
            (connected.rss - connected.heapTotal - (idle.rss - idle.heapTotal)) / held,
            0,
          ),
        },
        targets: [check('bytes_per_agent', '≤ 8192', perAgent, (v) => v <= 8192)],
        notes: [
          `V8 spaces committed/used with the agents connected (MB): ${spacesOf(connected)}`,
          'bytes_per_agent is the marginal resident memory of one more connected agent (device state included); rss_bytes_per_agent_total divides the whole process by N',
        ],
      };
    } finally {
      await fleet?.stop();
      await servers.stop();
    }
  },
};

function spacesOf(memory: ServerMemory): string {
  return Object.entries(memory.spaces ?? {})
    .filter(([, space]) => space.committed > 1024 * 1024)
    .map(([name, space]) => `${name} ${mb(space.committed)}/${mb(space.used)}`)
    .join(', ');
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
