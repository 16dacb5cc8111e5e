/**
 * Starts server processes (serve-process.ts: what `palisade serve` runs, logging at warn) on
 * loopback for a benchmark: one on SQLite in a temp directory,
 * or several replicas on one PostgreSQL database (a fresh schema per run, dropped afterwards).
 * Each process gets a raised file-descriptor limit (every held notify stream is a socket) and,
 * with `--profile`, CPU profiles of the measured windows (server-preload.ts), so a missed target
 * can be explained.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const SERVE = fileURLToPath(new URL('./serve-process.js', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./server-preload.js', import.meta.url));
/**
 * The node flags the server asks for, as the root `npm start` passes them: a young generation of
 * up to 64 MB. The server package's SERVE_NODE_FLAGS, written again because this process never
 * loads the server (server-flags.test.ts keeps the two the same). The baseline servers get the
 * same flags, so a ratio compares the frameworks' work, not two heap configurations.
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password-1';
/** File descriptors for a server: held streams of 10,000+ agents plus the database and logs. */
const SERVER_FD_LIMIT = 65_536;

/** process.memoryUsage() after a forced GC, with V8's heap spaces (committed and used bytes). */
export interface ServerMemory extends NodeJS.MemoryUsage {
  readonly spaces?: Readonly<Record<string, { committed: number; used: number }>>;
  /** Resident kilobytes by kind of mapping (server-preload.ts). */
  readonly mappings?: Readonly<Record<string, number>>;
}

export interface ServerSetOptions {
  readonly replicas: number;
  /** postgres://… or undefined for SQLite. */
  readonly database: string | undefined;
  readonly profileDir?: string;
  readonly label: string;
}

export interface ServerReplica {
  readonly url: string;
  readonly port: number;
  process: ChildProcess;
  readonly logFile: string;
  readonly memoryFile: string;
}

export interface ServerSet {
  readonly replicas: ServerReplica[];
  readonly dir: string;
  /** SQLite file, or the PostgreSQL URL with the run's schema. */
  readonly database: string;
  readonly databaseKind: 'sqlite' | 'postgres';
  readonly schema: string | undefined;
  /** Kills one replica at once (SIGKILL: no graceful close). */
  kill(index: number): Promise<void>;
  /** Starts a killed replica again on the same port; resolves when it answers /healthz. */
  restart(index: number): Promise<void>;
  /**
   * Runs `task` with every replica CPU-profiled (when the set was started with a profile
   * directory): the profile covers exactly the measured window.
   */
  profiled<T>(task: () => Promise<T>): Promise<T>;
  /** Forces a GC in the replica and returns its memory (rss, heapUsed, …) in bytes. */
  memory(index: number): Promise<ServerMemory>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The database URL with `search_path` set to `schema` (pg reads `options` from the URL). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function createSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export async function waitForHealth(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs = 90_000,
) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`palisade serve exited (${exited}) before answering; log:\n${tail(logFile)}`);
    }
    try {
      const answer = await fetch(`${url}/healthz`);
      if (answer.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(
    `palisade serve did not answer /healthz within ${timeoutMs / 1000} s; log:\n${tail(logFile)}`,
  );
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startServers(options: ServerSetOptions): Promise<ServerSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `palisade-bench-${options.label}-`));
  const schema = options.database ? `palisade_bench_${randomBytes(4).toString('hex')}` : undefined;
  if (options.database && schema) await createSchema(options.database, schema);
  const database =
    options.database && schema
      ? withSearchPath(options.database, schema)
      : path.join(dir, 'palisade.sqlite');
  const replicas: ServerReplica[] = [];

  const launch = (index: number, port: number): ChildProcess => {
    const logFile = path.join(dir, `server-${index}.log`);
    const memoryFile = path.join(dir, `memory-${index}.json`);
    // PALISADE_BENCH_NODE_FLAGS adds flags for an investigation (e.g. --heapsnapshot-signal=SIGTTIN).
    const extraFlags = (process.env.PALISADE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const nodeFlags = [...SERVE_NODE_FLAGS, '--expose-gc', '--import', PRELOAD, ...extraFlags];
    const serveArgs = ['--port', String(port), '--host', '127.0.0.1'];
    if (options.database) serveArgs.push('--database', database);
    else serveArgs.push('--data', dir);
    const quoted = [process.execPath, ...nodeFlags, SERVE, ...serveArgs].map(
      (arg) => `'${arg.replaceAll("'", "'\\''")}'`,
    );
    const child = spawn(
      'bash',
      ['-c', `ulimit -n ${SERVER_FD_LIMIT} 2>/dev/null; exec ${quoted.join(' ')}`],
      {
        env: {
          ...process.env,
          PALISADE_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
          // PALISADE_BENCH_LOG_LEVEL=info logs every request with its time (for an investigation).
          PALISADE_LOG_LEVEL: process.env.PALISADE_BENCH_LOG_LEVEL ?? 'warn',
          PALISADE_BENCH_MEMORY_FILE: memoryFile,
          ...(options.profileDir
            ? {
                PALISADE_BENCH_PROFILE_DIR: options.profileDir,
                PALISADE_BENCH_PROFILE_LABEL: options.label,
              }
            : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const existing = replicas[index];
    if (existing) existing.process = child;
    else
      replicas[index] = {
        url: `http://127.0.0.1:${port}`,
        port,
        process: child,
        logFile,
        memoryFile,
      };
    return child;
  };

  const set: ServerSet = {
    replicas,
    dir,
    database,
    databaseKind: options.database ? 'postgres' : 'sqlite',
    schema,
    kill: async (index) => {
      const replica = replicas[index];
      if (!replica) throw new Error(`no replica ${index}`);
      await killProcess(replica.process, 'SIGKILL');
    },
    restart: async (index) => {
      const replica = replicas[index];
      if (!replica) throw new Error(`no replica ${index}`);
      const child = launch(index, replica.port);
      await waitForHealth(replica.url, child, replica.logFile);
    },
    profiled: async (task) => {
      const toggle = () => {
        if (!options.profileDir) return;
        for (const replica of replicas) replica.process.kill('SIGURG');
      };
      toggle();
      // The simulated fleet runs in this process and shares the machine: profiled too.
      const simulator = options.profileDir ? await startOwnProfile() : null;
      try {
        return await task();
      } finally {
        toggle();
        if (simulator && options.profileDir) {
          await simulator.stopInto(
            path.join(options.profileDir, `${options.label}-simulator-${process.pid}.cpuprofile`),
          );
        }
        // Give the replicas a moment to write their profiles.
        if (options.profileDir) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    memory: async (index) => {
      const replica = replicas[index];
      if (!replica) throw new Error(`no replica ${index}`);
      rmSync(replica.memoryFile, { force: true });
      replica.process.kill('SIGUSR2');
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          return JSON.parse(readFileSync(replica.memoryFile, 'utf8')) as NodeJS.MemoryUsage;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error('the server did not report its memory after a forced GC');
    },
    stop: async () => {
      await Promise.all(replicas.map((replica) => killProcess(replica.process, 'SIGTERM')));
      if (options.database && schema)
        await dropSchema(options.database, schema).catch(() => undefined);
      // PALISADE_BENCH_KEEP keeps the servers' directory (logs, database) for a look afterwards.
      if (process.env.PALISADE_BENCH_KEEP) process.stderr.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // The first replica runs the migrations alone; the others start once it answers.
    for (let index = 0; index < options.replicas; index += 1) {
      const port = await freePort();
      const child = launch(index, port);
      const replica = replicas[index];
      if (!replica) throw new Error('replica not registered');
      await waitForHealth(replica.url, child, replica.logFile);
    }
  } catch (error) {
    await set.stop();
    throw error;
  }
  return set;
}

async function killProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** A CPU profile of this process (the simulator), written where `stopInto` is told. */
async function startOwnProfile(): Promise<{ stopInto(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stopInto(file) {
      const result = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(result.profile));
      session.disconnect();
    },
  };
}
