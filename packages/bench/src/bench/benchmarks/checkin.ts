/**
 * `checkin`: unchanged check-ins per second (and per core) against a same-run baseline (a minimal
 * Hono server answering the same bytes), full check-ins carrying a typical ~5 KB signed
 * configuration against a baseline answering that many bytes, and the bytes of an unchanged
 * answer. Targets: unchanged ≥ 60 % of baseline with an answer ≤ 64 bytes; full ≥ 25 %.
 */
import os from 'node:os';
import { startBaseline } from '../baseline.js';
import { check, type Figures, round } from '../figures.js';
import { generateLoad, type LoadResult } from '../load-generator.js';
import type { LoadRequest } from '../load-spec.js';
import { startServers } from '../server-processes.js';
import {
  type Benchmark,
  FleetSet,
  LINUX_ONLY,
  LINUX_RULE,
  managedAgents,
  setUpTenant,
  switchableObserver,
  waitForSteadyFleet,
} from './common.js';

/** ~20 exclusion paths (each item carries its provenance): with the antivirus settings, a signed configuration of about 5 KB. */
export function typicalExclusions(count = 20): string[] {
  return Array.from(
    { length: count },
    (_, i) => `/srv/app-${String(i).padStart(3, '0')}/cache/tmp/`,
  );
}

async function answerOf(url: string, request: LoadRequest): Promise<string> {
  const answer = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${request.path}: ${answer.status} ${text.slice(0, 200)}`);
  return text;
}

/** Several equal-length runs as one: mean throughput, the worse run's latency figures. */
function combine(runs: readonly LoadResult[]): LoadResult {
  const mean = runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / runs.length;
  const worst = runs.reduce((a, b) => ((a.latency.p99_ms ?? 0) >= (b.latency.p99_ms ?? 0) ? a : b));
  return {
    ...worst,
    requestsPerSecond: Math.round(mean),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

async function compare(
  label: string,
  serverUrl: string,
  requests: LoadRequest[],
  seconds: number,
  log: (line: string) => void,
  profiled: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<{ figures: Figures; ratio: number | null; bytes: number }> {
  const sample = requests[0];
  if (!sample) throw new Error('no request to send');
  const answer = await answerOf(serverUrl, sample);
  const baseline = await startBaseline({ body: answer });
  const load = (url: string, durationMs: number) =>
    generateLoad({ baseUrl: url, requests, connections: 64, durationMs, warmupMs: 1000 });
  // Baseline and Palisade take turns (B P B P): the machine's noise falls on both alike.
  const rounds = 2;
  const roundMs = (seconds * 1000) / rounds;
  const baseRuns: LoadResult[] = [];
  const subjectRuns: LoadResult[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      log(`  ${label}: round ${round + 1}/${rounds}: baseline, then palisade…`);
      baseRuns.push(await load(baseline.url, roundMs));
      subjectRuns.push(await profiled(() => load(serverUrl, roundMs)));
    }
  } finally {
    await baseline.stop();
  }
  const base = combine(baseRuns);
  const subject = combine(subjectRuns);
  const ratio =
    base.requestsPerSecond > 0 ? subject.requestsPerSecond / base.requestsPerSecond : null;
  const bytes = Buffer.byteLength(answer);
  return {
    ratio,
    bytes,
    figures: {
      [`${label}_requests_per_s`]: subject.requestsPerSecond,
      [`${label}_baseline_requests_per_s`]: base.requestsPerSecond,
      [`${label}_ratio_to_baseline`]: round(ratio, 3),
      [`${label}_p50_ms`]: subject.latency.p50_ms ?? null,
      [`${label}_p99_ms`]: subject.latency.p99_ms ?? null,
      [`${label}_baseline_p99_ms`]: base.latency.p99_ms ?? null,
      [`${label}_errors`]:
        subject.errors + Object.values(subject.badStatuses).reduce((a, b) => a + b, 0),
      [`${label}_answer_bytes`]: bytes,
    },
  };
}

export const checkin: Benchmark = {
  name: 'checkin',
  description: 'unchanged and full check-ins per second against a minimal Hono baseline',
  async run(options) {
    const devices = options.devices ?? 1_000;
    const servers = await startServers({
      replicas: 1,
      database: options.database,
      label: 'checkin',
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    let fleet: FleetSet | undefined;
    try {
      const { admin, token } = await setUpTenant(servers);
      const group = await admin.createDynamicGroup('All Linux servers', LINUX_RULE);
      await admin.createPolicy({
        name: 'Linux antivirus baseline',
        platform: 'linux',
        profile: 'antivirus',
        settings: { 'antivirus.realTimeProtection': true, 'antivirus.behaviorMonitoring': true },
        include: [group.id],
      });
      await admin.createPolicy({
        name: 'Application server exclusions',
        platform: 'linux',
        profile: 'antivirus-exclusions',
        settings: { 'exclusions.paths': typicalExclusions() },
        include: [group.id],
      });
      fleet = new FleetSet(servers, {
        concurrency: options.concurrency,
        token,
        devices,
        seed: 'bench-checkin',
        mix: LINUX_ONLY,
        notify: false,
        observer: switchableObserver(),
      });
      await fleet.enrollAll();
      await waitForSteadyFleet(fleet, false, options.log);
      const agents = managedAgents(fleet.agents);
      const server = servers.replicas[0];
      if (!server) throw new Error('no server');
      const request = (revision: number | null, credential: string): LoadRequest => ({
        method: 'POST',
        path: '/agent/v1/check-in',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ revision }),
      });
      const unchangedRequests = agents.map((agent) =>
        request(agent.heldRevision, agent.deviceCredential ?? ''),
      );
      const fullRequests = agents.map((agent) => request(null, agent.deviceCredential ?? ''));
      const unchanged = await compare(
        'unchanged',
        server.url,
        unchangedRequests,
        options.seconds,
        options.log,
        servers.profiled,
      );
      const full = await compare(
        'full',
        server.url,
        fullRequests,
        options.seconds,
        options.log,
        servers.profiled,
      );
      const cores = os.availableParallelism();
      return {
        name: 'checkin',
        parameters: {
          devices: agents.length,
          database: servers.databaseKind,
          seconds: options.seconds,
          connections: 64,
          cores,
        },
        figures: {
          ...unchanged.figures,
          // One server process uses one core for JavaScript: per core = per process here.
          unchanged_requests_per_s_per_core: unchanged.figures.unchanged_requests_per_s ?? null,
          bytes_per_unchanged_answer: unchanged.bytes,
          ...full.figures,
        },
        targets: [
          check('unchanged_ratio_to_baseline', '≥ 0.60', unchanged.ratio, (v) => v >= 0.6),
          check('bytes_per_unchanged_answer', '≤ 64', unchanged.bytes, (v) => v <= 64),
          check('full_ratio_to_baseline', '≥ 0.25', full.ratio, (v) => v >= 0.25),
        ],
        notes: [
          `full answer is ${full.bytes} bytes (a signed configuration of ${agents.length > 0 ? 'antivirus + 20 exclusion paths' : 'nothing'})`,
          'load: node:http keep-alive workers (cores − 1), closed loop, 64 connections, same generator for both',
        ],
      };
    } finally {
      await fleet?.stop();
      await servers.stop();
    }
  },
};
