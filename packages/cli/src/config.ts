/**
 * Where the CLI finds its server and credentials. Scripts set `PALISADE_SERVER` and
 * `PALISADE_TOKEN` (a session token); people run `palisade login`, which keeps the session in
 * `$XDG_CONFIG_HOME/palisade/session.json` (or `~/.config/palisade/session.json`), readable by
 * the user only (mode 0600, in a 0700 directory): the token is as good as the password for its
 * lifetime.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Session {
  readonly server: string;
  readonly token: string;
  readonly username: string;
  readonly tenant: string;
  readonly expiresAt: string;
}

export interface Connection {
  readonly server: string;
  readonly token: string;
  /** Where the credentials came from, for error messages. */
  readonly source: 'environment' | 'session';
}

/** A problem the user fixes by how they call the command (exit code 2). */
export class UsageError extends Error {}

export function sessionPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config');
  return join(base, 'palisade', 'session.json');
}

export async function readSession(env: NodeJS.ProcessEnv = process.env): Promise<Session | null> {
  let text: string;
  try {
    text = await readFile(sessionPath(env), 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.server !== 'string' || typeof value.token !== 'string') return null;
    return value as Session;
  } catch {
    return null;
  }
}

export async function writeSession(
  session: Session,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = sessionPath(env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already existed: set it every time.
  await chmod(path, 0o600);
  return path;
}

export async function removeSession(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await rm(sessionPath(env), { force: true });
}

/** A server URL without its trailing slash; refuses what is not http(s). */
export function normaliseServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--server: "${url}" is not a URL such as https://palisade.example.com`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--server: "${url}" must start with http:// or https://`);
  }
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * The server and token to use: the environment first (scripts), then the saved session.
 * Throws a UsageError that says how to sign in when neither is there.
 */
export async function resolveConnection(env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const session = await readSession(env);
  const envServer = env.PALISADE_SERVER?.trim();
  const envToken = env.PALISADE_TOKEN?.trim();
  if (envToken) {
    const server = envServer || session?.server;
    if (!server) {
      throw new UsageError('PALISADE_TOKEN is set but PALISADE_SERVER is not: set both');
    }
    return { server: normaliseServer(server), token: envToken, source: 'environment' };
  }
  if (session && (!envServer || normaliseServer(envServer) === session.server)) {
    return { server: session.server, token: session.token, source: 'session' };
  }
  throw new UsageError(
    envServer
      ? `not signed in to ${envServer}: run palisade login --server ${envServer} --user NAME, or set PALISADE_TOKEN`
      : 'not signed in: run palisade login --server URL --user NAME, or set PALISADE_SERVER and PALISADE_TOKEN',
  );
}
