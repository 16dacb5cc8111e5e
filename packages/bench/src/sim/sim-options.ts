/**
 * Command-line options of `palisade-sim`, validated with messages that name the option.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MIX, type FleetMix, type ParseResult, parseMix } from './fleet-mix.js';

export interface SimOptions {
  readonly serverUrl: string;
  /** An onboarding token; when absent the simulator signs in as `admin` and creates one. */
  readonly token: string | undefined;
  readonly admin: { readonly user: string; readonly password: string } | undefined;
  /** Create demo groups and policies (needs the admin sign-in). */
  readonly demoPolicies: boolean;
  readonly devices: number;
  readonly mix: FleetMix;
  readonly failureRate: number;
  readonly driftRate: number;
  /** ms; null runs until a signal. */
  readonly durationMs: number | null;
  readonly concurrency: number;
  readonly seed: string;
  readonly firstIndex: number;
  readonly notify: boolean;
}

export const SIM_USAGE = `Usage: palisade-sim --server URL (--token TOKEN | --admin-password P) --devices N [options]

Enrolls N simulated machines through the agent protocol and keeps them checking in.

  --server URL          the Palisade server (e.g. http://localhost:8080)
  --token TOKEN         an onboarding token of the tenant
  --admin-password P    instead of --token: sign in (PALISADE_ADMIN_PASSWORD) and create a token
  --admin-user NAME     the user to sign in as (default admin)
  --demo-policies       also create demo groups and policies (needs --admin-password)
  --devices N           how many machines
  --mix LIST            platform weights (default linux=40,windows-server=30,windows-client=20,macos=10)
  --failure-rate R      share of settings that fail to apply (default 0.05)
  --drift-rate R        share of applied settings that drift later (default 0.02)
  --duration D          stop after D (e.g. 90s, 10m, 1h); default: until Ctrl-C / SIGTERM
  --concurrency N       calls in flight at most, and pooled sockets (default 200)
  --seed TEXT           fleet seed: same seed, same machines (default palisade-demo)
  --first-index N       index of the first machine, to run a fleet in slices (default 0)
  --no-notify           do not hold notify streams; rely on the fallback interval
  -h, --help            this text

Each held notify stream is one socket (on the server too): N machines need N + concurrency
file descriptors; raise \`ulimit -n\` above that for large fleets.`;

/** Parses "90s", "10m", "1h", "500ms" or a number of seconds into ms. */
export function parseDuration(text: string): ParseResult<number> {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match)
    return { ok: false, error: `--duration: "${text}" is not a duration like 90s, 10m or 1h` };
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = value * factor;
  if (ms <= 0) return { ok: false, error: '--duration must be above 0' };
  return { ok: true, value: ms };
}

function integerOption(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
): ParseResult<number> {
  if (text === undefined) return { ok: true, value: fallback };
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    return { ok: false, error: `${name} must be an integer ≥ ${min} (got "${text}")` };
  }
  return { ok: true, value };
}

function shareOption(
  name: string,
  text: string | undefined,
  fallback: number,
): ParseResult<number> {
  if (text === undefined) return { ok: true, value: fallback };
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    return { ok: false, error: `${name} must be a share between 0 and 1 (got "${text}")` };
  }
  return { ok: true, value };
}

export type SimCommand = { kind: 'help' } | { kind: 'run'; options: SimOptions };

export function parseSimArguments(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParseResult<SimCommand> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        devices: { type: 'string' },
        mix: { type: 'string' },
        'failure-rate': { type: 'string' },
        'drift-rate': { type: 'string' },
        duration: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
        'first-index': { type: 'string' },
        'no-notify': { type: 'boolean' },
        'admin-password': { type: 'string' },
        'admin-user': { type: 'string' },
        'demo-policies': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { ok: true, value: { kind: 'help' } };
  const text = (name: string) =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const serverUrl = text('server');
  if (!serverUrl)
    return { ok: false, error: '--server is required (e.g. --server http://localhost:8080)' };
  try {
    new URL(serverUrl);
  } catch {
    return { ok: false, error: `--server: "${serverUrl}" is not a URL` };
  }
  const token = text('token');
  const password = text('admin-password') ?? env.PALISADE_ADMIN_PASSWORD;
  const admin = password ? { user: text('admin-user') ?? 'admin', password } : undefined;
  if (!token && !admin) {
    return {
      ok: false,
      error: '--token is required (an onboarding token), or --admin-password to create one',
    };
  }
  const demoPolicies = values['demo-policies'] === true;
  if (demoPolicies && !admin) return { ok: false, error: '--demo-policies needs --admin-password' };
  if (text('devices') === undefined) return { ok: false, error: '--devices is required' };
  const devices = integerOption('--devices', text('devices'), 0, 1);
  const concurrency = integerOption('--concurrency', text('concurrency'), 200, 1);
  const firstIndex = integerOption('--first-index', text('first-index'), 0, 0);
  const failureRate = shareOption('--failure-rate', text('failure-rate'), 0.05);
  const driftRate = shareOption('--drift-rate', text('drift-rate'), 0.02);
  const mixText = text('mix');
  const mix: ParseResult<FleetMix> =
    mixText === undefined ? { ok: true, value: DEFAULT_MIX } : parseMix(mixText);
  const durationText = text('duration');
  const duration: ParseResult<number | null> =
    durationText === undefined ? { ok: true, value: null } : parseDuration(durationText);
  for (const result of [devices, concurrency, firstIndex, failureRate, driftRate, mix, duration]) {
    if (!result.ok) return result;
  }
  if (
    !devices.ok ||
    !concurrency.ok ||
    !firstIndex.ok ||
    !failureRate.ok ||
    !driftRate.ok ||
    !mix.ok ||
    !duration.ok
  ) {
    return { ok: false, error: 'invalid options' };
  }
  if (failureRate.value + driftRate.value > 1) {
    return { ok: false, error: '--failure-rate plus --drift-rate must not exceed 1' };
  }
  return {
    ok: true,
    value: {
      kind: 'run',
      options: {
        serverUrl,
        token,
        admin,
        demoPolicies,
        devices: devices.value,
        mix: mix.value,
        failureRate: failureRate.value,
        driftRate: driftRate.value,
        durationMs: duration.value,
        concurrency: concurrency.value,
        seed: text('seed') ?? 'palisade-demo',
        firstIndex: firstIndex.value,
        notify: !values['no-notify'],
      },
    },
  };
}
