/**
 * `restart`: N connected agents (default 10,000); a policy change starts a storm of check-ins and
 * reports, and the server is killed (SIGKILL) in the middle of it, then started again. Measured:
 * the time until every agent is connected again and has reported the change, and the reports the
 * agents had acknowledged that the database does not hold (lost) or holds twice (duplicated).
 * Targets: all current within 60 s; 0 lost, 0 duplicated.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { check } from '../figures.js';
import { type ServerSet, startServers } from '../server-processes.js';
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

/** Report ids the server stored (a read-only look at its `reports` table). */
async function storedReportIds(servers: ServerSet): Promise<string[]> {
  if (servers.databaseKind === 'sqlite') {
    const db = new Database(servers.database, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT report_id FROM reports').all() as { report_id: string }[]).map(
        (r) => r.report_id,
      );
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: servers.database });
  await client.connect();
  try {
    const result = await client.query<{ report_id: string }>('SELECT report_id FROM reports');
    return result.rows.map((row) => row.report_id);
  } finally {
    await client.end();
  }
}

export const restart: Benchmark = {
  name: 'restart',
  description:
    'kill the server under load, start it again: time until all current; lost/duplicated reports',
  async run(options) {
    const devices = options.devices ?? 10_000;
    const servers = await startServers({
      replicas: options.replicas,
      database: options.database,
      label: 'restart',
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    const observer = switchableObserver();
    const acknowledged = new Set<string>();
    let fleet: FleetSet | undefined;
    try {
      const { admin, token } = await setUpTenant(servers);
      const { policyId } = await linuxBaselinePolicy(admin);
      fleet = new FleetSet(servers, {
        concurrency: options.concurrency,
        token,
        devices,
        seed: 'bench-restart',
        mix: LINUX_ONLY,
        notify: true,
        observer,
      });
      observer.reported = (_agent, report) => acknowledged.add(report.reportId);
      await fleet.enrollAll();
      await waitForSteadyFleet(fleet, true, options.log);
      const expected = managedAgents(fleet.agents);
      const before = new Map(expected.map((agent) => [agent, agent.heldRevision ?? 0]));
      const caughtUp = new Set<object>();
      observer.reported = (agent, report) => {
        acknowledged.add(report.reportId);
        const held = before.get(agent);
        if (held !== undefined && report.revision > held) caughtUp.add(agent);
      };

      await admin.updatePolicySettings(policyId, {
        'antivirus.realTimeProtection': true,
        'antivirus.behaviorMonitoring': false,
      });
      // Kill in the middle of the storm: once a tenth of the fleet has reported (at most 30 s), so
      // reports are in flight on both sides of the kill.
      await waitFor(
        'a tenth of the reports',
        () => caughtUp.size >= expected.length / 10,
        30_000,
      ).catch(() => undefined);
      const reportedBeforeKill = caughtUp.size;
      const killedAt = performance.now();
      await servers.kill(0);
      options.log(`  killed the server with ${reportedBeforeKill}/${expected.length} reports in`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const restartStarted = performance.now();
      await servers.restart(0);
      const restartedAt = performance.now();
      options.log(
        `  restarted in ${Math.round(restartedAt - restartStarted)} ms; waiting for the fleet…`,
      );
      await waitFor(
        'every agent back and current',
        () => caughtUp.size >= expected.length && fleet?.snapshot().connected === devices,
        180_000,
        () =>
          `${caughtUp.size}/${expected.length} reported, ${fleet?.snapshot().connected} connected`,
        options.log,
      ).catch((error: unknown) =>
        options.log(`  ${error instanceof Error ? error.message : String(error)}`),
      );
      const allCurrentAt = performance.now();
      // Reports still being retried land now; then compare the ledger with the database.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const stored = await storedReportIds(servers);
      const storedSet = new Set(stored);
      const lost = [...acknowledged].filter((id) => !storedSet.has(id)).length;
      const duplicated = stored.length - storedSet.size + fleet.counter('unexpectedDuplicates');
      const gaveUp = fleet.counter('reportsLost');
      return {
        name: 'restart',
        parameters: { agents: devices, replicas: options.replicas, database: servers.databaseKind },
        figures: {
          reported_before_kill: reportedBeforeKill,
          restart_ms: Math.round(restartedAt - restartStarted),
          all_current_after_restart_ms: Math.round(allCurrentAt - restartedAt),
          all_current_after_kill_ms: Math.round(allCurrentAt - killedAt),
          agents_current: caughtUp.size,
          acknowledged_reports: acknowledged.size,
          lost_reports: lost + gaveUp,
          duplicated_reports: duplicated,
          report_retries: fleet.counter('reportRetries'),
        },
        targets: [
          check(
            'all_current_after_restart_ms',
            '≤ 60000',
            caughtUp.size >= expected.length
              ? allCurrentAt - restartedAt
              : Number.POSITIVE_INFINITY,
            (v) => v <= 60_000,
          ),
          check('lost_reports', '= 0', lost + gaveUp, (v) => v === 0),
          check('duplicated_reports', '= 0', duplicated, (v) => v === 0),
        ],
        notes: observer.errors.slice(0, 5),
      };
    } finally {
      await fleet?.stop();
      await servers.stop();
    }
  },
};
