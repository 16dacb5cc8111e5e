/**
 * `propagation`: N connected agents (default 10,000); one policy change that reaches all of them,
 * timed from the save returning to each agent having verified, applied and reported the new
 * revision; then the same for a "sync now" of the group. Targets: p99 ≤ 5 s, max ≤ 10 s.
 */
import { check, latencyFigures, round } from '../figures.js';
import { startServers } from '../server-processes.js';
import {
  type Benchmark,
  FleetSet,
  LINUX_ONLY,
  linuxBaselinePolicy,
  managedAgents,
  setUpTenant,
  switchableObserver,
  waitFor,
  waitForSteadyFleet,
} from './common.js';

export const propagation: Benchmark = {
  name: 'propagation',
  description: 'policy change and sync-now → every connected agent applied and reported',
  async run(options) {
    const devices = options.devices ?? 10_000;
    const servers = await startServers({
      replicas: options.replicas,
      database: options.database,
      label: 'propagation',
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    const observer = switchableObserver();
    let fleet: FleetSet | undefined;
    try {
      const { admin, token } = await setUpTenant(servers);
      const { policyId, groupId } = await linuxBaselinePolicy(admin);
      fleet = new FleetSet(servers, {
        concurrency: options.concurrency,
        token,
        devices,
        seed: 'bench-propagation',
        mix: LINUX_ONLY,
        notify: true,
        observer,
      });
      const enrollStarted = performance.now();
      await fleet.enrollAll();
      const steadyMs = await waitForSteadyFleet(fleet, true, options.log);
      options.log(
        `  ${devices} agents connected and current after ${Math.round(performance.now() - enrollStarted)} ms`,
      );
      const expected = managedAgents(fleet.agents);

      // 1. One policy change.
      const before = new Map(expected.map((agent) => [agent, agent.heldRevision ?? 0]));
      // When each agent reported the change; latencies are taken once the save has returned (on
      // several replicas an agent held by another one can report before the save's answer).
      const changeReports = new Map<object, number>();
      let savedAt = Number.POSITIVE_INFINITY;
      observer.reported = (agent, report) => {
        const held = before.get(agent);
        if (held === undefined || report.revision <= held || changeReports.has(agent)) return;
        changeReports.set(agent, report.at);
      };
      let saveMs = 0;
      // The simulator shares the machine: its own CPU time in the window says how much of the
      // wait is the client's.
      const cpuBefore = process.cpuUsage();
      const windowStarted = performance.now();
      await servers.profiled(async () => {
        const saveStarted = performance.now();
        await admin.updatePolicySettings(policyId, {
          'antivirus.realTimeProtection': true,
          'antivirus.behaviorMonitoring': false,
        });
        savedAt = performance.now();
        saveMs = savedAt - saveStarted;
        await waitFor(
          'every managed agent to report the change',
          () => changeReports.size >= expected.length,
          120_000,
          () => `${changeReports.size}/${expected.length}`,
          options.log,
        ).catch((error: unknown) => {
          options.log(`  ${error instanceof Error ? error.message : String(error)}`);
        });
      });

      const cpu = process.cpuUsage(cpuBefore);
      const simulatorCpuShare =
        (cpu.user + cpu.system) / 1000 / (performance.now() - windowStarted);

      // 2. Sync now for the group. Reports can land before the call's answer names the request,
      // so every sync report is kept by request id and matched afterwards.
      const syncReports = new Map<string, Map<object, number>>();
      observer.reported = (agent, report) => {
        if (report.syncRequestId === undefined) return;
        let byAgent = syncReports.get(report.syncRequestId);
        if (!byAgent) {
          byAgent = new Map();
          syncReports.set(report.syncRequestId, byAgent);
        }
        if (!byAgent.has(agent)) byAgent.set(agent, report.at);
      };
      let syncAskedAt = 0;
      let syncCallMs = 0;
      let sync = { syncRequestId: '', deviceCount: 0 };
      // Profiled too (with --profile): the second window of each server's profiles.
      await servers.profiled(async () => {
        const syncStarted = performance.now();
        sync = await admin.syncNow('group', groupId);
        syncAskedAt = performance.now();
        syncCallMs = syncAskedAt - syncStarted;
        const answered = () => syncReports.get(sync.syncRequestId)?.size ?? 0;
        await waitFor(
          'every group member to answer the sync',
          () => answered() >= sync.deviceCount,
          120_000,
          () => `${answered()}/${sync.deviceCount}`,
          options.log,
        ).catch((error: unknown) => {
          options.log(`  ${error instanceof Error ? error.message : String(error)}`);
        });
      });
      const syncLatencies = [...(syncReports.get(sync.syncRequestId)?.values() ?? [])].map((at) =>
        Math.max(0, at - syncAskedAt),
      );

      const changeAts = [...changeReports.values()];
      const change = latencyFigures(
        'change',
        changeAts.map((at) => Math.max(0, at - savedAt)),
      );
      const beforeSaveReturned = changeAts.filter((at) => at < savedAt).length;
      const syncFigures = latencyFigures('sync', syncLatencies);
      return {
        name: 'propagation',
        parameters: {
          agents: devices,
          managed_agents: expected.length,
          replicas: options.replicas,
          database: servers.databaseKind,
        },
        figures: {
          steady_after_enroll_ms: Math.round(steadyMs),
          save_ms: Math.round(saveMs),
          ...change,
          change_missing: expected.length - changeReports.size,
          change_reported_before_save_returned: beforeSaveReturned,
          simulator_cpu_cores_during_change: round(simulatorCpuShare, 2),
          sync_call_ms: Math.round(syncCallMs),
          sync_devices: sync.deviceCount,
          ...syncFigures,
          sync_missing: sync.deviceCount - syncLatencies.length,
          verification_failures: fleet.counter('verificationFailures'),
        },
        targets: [
          check('change_p99_ms', '≤ 5000', change.change_p99_ms, (v) => v <= 5000),
          check('change_max_ms', '≤ 10000', change.change_max_ms, (v) => v <= 10_000),
          check('sync_p99_ms', '≤ 5000', syncFigures.sync_p99_ms, (v) => v <= 5000),
        ],
        notes: observer.errors.slice(0, 5),
      };
    } finally {
      await fleet?.stop();
      await servers.stop();
    }
  },
};
