/**
 * `palisade serve`: reads options from argv and the environment, starts the server, prints the
 * generated admin password once on the first start, and closes cleanly on SIGINT / SIGTERM.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const SERVE_USAGE = `Usage: palisade serve [options]

  --port N           HTTP port (PORT; default 8080)
  --host ADDRESS     listen address (default 0.0.0.0)
  --data DIR         directory of the embedded SQLite database (default ./data)
  --database URL     PostgreSQL instead: postgres://user@host:5432/db (PALISADE_DATABASE_URL)
  --public-url URL   the URL agents use to reach this server (PALISADE_PUBLIC_URL)
  --web DIR          the built portal to serve (default packages/web/dist when built)

First start creates a tenant and an "admin" user; the password is PALISADE_ADMIN_PASSWORD, or
generated and printed once.`;

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly database: string;
  readonly publicUrl?: string;
  readonly webRoot: string | null;
  readonly adminPassword?: string;
}

/** Parses `serve` arguments; throws an Error whose message names the bad option. */
export function parseServeOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServeOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      database: { type: 'string' },
      'public-url': { type: 'string' },
      web: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const portText = values.port ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: "${portText}" is not a port number (0-65535)`);
  }
  const databaseUrl = values.database ?? env.PALISADE_DATABASE_URL;
  if (databaseUrl && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new Error(
      `--database: "${databaseUrl}" is not a postgres:// URL (use --data for SQLite)`,
    );
  }
  const database = databaseUrl ?? resolve(values.data ?? './data', 'palisade.sqlite');
  const publicUrl = values['public-url'] ?? env.PALISADE_PUBLIC_URL;
  return {
    port,
    host: values.host ?? '0.0.0.0',
    database,
    ...(publicUrl ? { publicUrl } : {}),
    webRoot: values.web ? resolve(values.web) : defaultWebRoot(),
    ...(env.PALISADE_ADMIN_PASSWORD ? { adminPassword: env.PALISADE_ADMIN_PASSWORD } : {}),
  };
}

/** packages/web/dist beside this package, when the portal has been built. */
export function defaultWebRoot(): string | null {
  const candidate = fileURLToPath(new URL('../../web/dist', import.meta.url));
  return existsSync(candidate) ? candidate : null;
}

/**
 * The node flags the server is meant to run with, as `npm start` gives them: a young generation of
 * up to 64 MB instead of V8's 16. Each young-generation collection walks every old-generation
 * page, a few milliseconds on a large fleet's heap, and a check-in that meets one waits for it:
 * four times fewer of them (packages/bench/README.md, session 9). They cannot be set once node
 * runs, so a launcher must pass them (`npm start` does; NODE_OPTIONS for any other).
 */
export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** What to say when node was started without {@link SERVE_NODE_FLAGS}; undefined when it was. */
export function nodeFlagsHint(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string | undefined {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  const missing = SERVE_NODE_FLAGS.filter((flag) => {
    const name = flag.split('=')[0] as string;
    return !given.some((arg) => arg === name || arg.startsWith(`${name}=`));
  });
  if (missing.length === 0) return undefined;
  return `node runs without ${missing.join(' ')}: with many devices, more frequent garbage-collection pauses (npm start passes it; elsewhere set NODE_OPTIONS=${missing.join(' ')})`;
}

/** Runs the server until a signal; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: ServeOptions;
  try {
    options = parseServeOptions(argv, process.env);
  } catch (error) {
    process.stderr.write(
      `palisade serve: ${error instanceof Error ? error.message : String(error)}\n${SERVE_USAGE}\n`,
    );
    return 2;
  }
  const { startServer } = await import('./index.js');
  const server = await startServer(options);
  if (server.firstStart.generatedAdminPassword) {
    process.stdout.write(
      `First start: created user "admin" with password ${server.firstStart.generatedAdminPassword}\n` +
        'It is printed only this once; change it after signing in.\n',
    );
  }
  process.stdout.write(`Palisade is listening on ${server.url}\n`);
  const hint = nodeFlagsHint(process.execArgv, process.env.NODE_OPTIONS);
  if (hint) process.stdout.write(`Note: ${hint}\n`);
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
  await server.close();
  return 0;
}
