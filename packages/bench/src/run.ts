#!/usr/bin/env node
/**
 * `npm run bench [name…] [--database postgres://…] [--replicas N] [--devices N] [--rules N]
 * [--seconds S] [--profile]`: runs the benchmarks (all when none is named), each against its own
 * `palisade serve` on loopback, prints a table per benchmark and writes
 * `packages/bench/results/<name>.json`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkin } from './bench/benchmarks/checkin.js';
import type { Benchmark, BenchOptions } from './bench/benchmarks/common.js';
import { connections } from './bench/benchmarks/connections.js';
import { enroll } from './bench/benchmarks/enroll.js';
import { groups } from './bench/benchmarks/groups.js';
import { propagation } from './bench/benchmarks/propagation.js';
import { restart } from './bench/benchmarks/restart.js';
import { formatTable, RESULTS_DIR, writeResult } from './bench/figures.js';

export const BENCHMARKS: readonly Benchmark[] = [
  propagation,
  checkin,
  enroll,
  groups,
  connections,
  restart,
];

const USAGE = `Usage: npm run bench -- [name…] [options]

Benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')} (all when none is named)

  --database URL   run on PostgreSQL (postgres://…; a fresh schema per benchmark) instead of SQLite
  --replicas N     server processes on that database (propagation, restart; needs --database)
  --devices N      agents / devices (defaults: the issue's sizes, e.g. 10,000 agents, 100,000 devices)
  --rules N        dynamic rules for groups (default 1,000)
  --seconds S      length of each measured load run (default 10)
  --concurrency N  calls the simulated fleet has in flight at most (default 1,000)
  --profile        CPU-profile the servers over each measured window (results/profiles/*.cpuprofile)
`;

/** The simulated fleet lives in this process: one socket per held notify stream. */
const FD_LIMIT = 65_536;

function currentFdLimit(): number {
  const answer = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const value = Number(answer.stdout.trim());
  return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
}

/** Re-runs this process under a raised `ulimit -n` (as root, or within the hard limit). */
function reexecWithMoreFiles(): number | null {
  if (process.env.PALISADE_BENCH_REEXEC === '1' || currentFdLimit() >= FD_LIMIT) return null;
  const quoted = [process.execPath, ...process.execArgv, ...process.argv.slice(1)]
    .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawnSync(
    'bash',
    ['-c', `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n hard; exec ${quoted}`],
    {
      stdio: 'inherit',
      env: { ...process.env, PALISADE_BENCH_REEXEC: '1' },
    },
  );
  return child.status ?? 1;
}

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer (got "${text}")`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        database: { type: 'string' },
        replicas: { type: 'string' },
        devices: { type: 'string' },
        rules: { type: 'string' },
        seconds: { type: 'string' },
        concurrency: { type: 'string' },
        profile: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(
      `bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no benchmark named ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  let options: BenchOptions;
  try {
    const database = typeof values.database === 'string' ? values.database : undefined;
    if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
      throw new Error(`--database must be a postgres:// URL (got "${database}")`);
    }
    // As the server checks (store.ts postgresUrlProblem): pg would send no user name at all.
    if (
      database !== undefined &&
      !namesUser(database) &&
      !process.env.PGUSER &&
      !process.env.USER
    ) {
      throw new Error(
        '--database names no user and neither PGUSER nor USER is set: postgres://USER@host:5432/database',
      );
    }
    const replicas = positiveInteger('--replicas', values.replicas as string | undefined) ?? 1;
    if (replicas > 1 && database === undefined)
      throw new Error('--replicas above 1 needs --database postgres://…');
    const profileDir = values.profile ? path.join(RESULTS_DIR, 'profiles') : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    options = {
      devices: positiveInteger('--devices', values.devices as string | undefined),
      rules: positiveInteger('--rules', values.rules as string | undefined),
      seconds: positiveInteger('--seconds', values.seconds as string | undefined) ?? 10,
      concurrency: positiveInteger('--concurrency', values.concurrency as string | undefined),
      database,
      replicas,
      profileDir,
      log: (line) => process.stdout.write(`${line}\n`),
    };
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const selected =
    positionals.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => positionals.includes(b.name));
  let failures = 0;
  for (const benchmark of selected) {
    process.stdout.write(`\n▶ ${benchmark.name}: ${benchmark.description}\n`);
    try {
      const result = await benchmark.run(options);
      // results/<name>.json on SQLite; <name>-postgres[-Nreplicas].json otherwise.
      const variant =
        (options.database ? '-postgres' : '') +
        (options.replicas > 1 ? `-${options.replicas}replicas` : '');
      const file = writeResult(result, variant);
      process.stdout.write(`${formatTable(result)}\n  → ${path.relative(process.cwd(), file)}\n`);
    } catch (error) {
      failures += 1;
      process.stderr.write(
        `✗ ${benchmark.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
  }
  return failures === 0 ? 0 : 1;
}

const reexec = reexecWithMoreFiles();
process.exitCode = reexec ?? (await main(process.argv.slice(2)));

/** The URL carries a user name (before `@`, or as `?user=`). */
function namesUser(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || Boolean(parsed.searchParams.get('user'));
  } catch {
    return true; // left to pg's own parser
  }
}
