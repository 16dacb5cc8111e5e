#!/usr/bin/env node
/**
 * `palisade-sim`: fills a Palisade server with a believable simulated fleet (see sim/fleet.ts).
 * Exit codes: 0 stopped cleanly, 1 no machine could enroll, 2 bad usage.
 */
import { AdminClient } from './sim/admin-client.js';
import { setUpDemoPolicies } from './sim/demo-setup.js';
import { Fleet, type FleetSnapshot } from './sim/fleet.js';
import { parseSimArguments, SIM_USAGE, type SimOptions } from './sim/sim-options.js';

function progressLine(snapshot: FleetSnapshot, elapsedMs: number): string {
  const seconds = Math.round(elapsedMs / 1000);
  return [
    `${seconds}s`,
    `enrolled ${snapshot.enrolled}/${snapshot.devices}`,
    `connected ${snapshot.connected}`,
    `current ${snapshot.current}`,
    `check-ins ${snapshot.checkIns}`,
    `reports ${snapshot.reports}`,
    ...(snapshot.enrollFailures > 0 ? [`enroll failures ${snapshot.enrollFailures}`] : []),
    ...(snapshot.checkInErrors > 0 ? [`check-in errors ${snapshot.checkInErrors}`] : []),
    ...(snapshot.verificationFailures > 0
      ? [`bad signatures ${snapshot.verificationFailures}`]
      : []),
  ].join(' · ');
}

function summary(fleet: Fleet): string {
  const snapshot = fleet.snapshot();
  const lines = [
    `machines ${snapshot.devices}: enrolled ${snapshot.enrolled}, failed ${snapshot.enrollFailures}`,
    `enrollment statuses: ${
      Object.entries(snapshot.enrollmentStatuses)
        .sort((a, b) => b[1] - a[1])
        .map(([name, count]) => `${name} ${count}`)
        .join(', ') || 'none'
    }`,
    `check-ins ${snapshot.checkIns} (errors ${snapshot.checkInErrors}), configurations verified ${snapshot.configurations} (refused ${snapshot.verificationFailures})`,
    `reports ${snapshot.reports} (retries ${snapshot.reportRetries}, lost ${snapshot.reportsLost}, unexpected duplicates ${snapshot.unexpectedDuplicates})`,
  ];
  for (const [message, count] of fleet.enrollmentErrors().slice(0, 5)) {
    lines.push(`enroll error ×${count}: ${message}`);
  }
  return lines.join('\n');
}

/** The onboarding token: given, or created after signing in (with demo policies if asked). */
async function onboardingToken(options: SimOptions): Promise<string> {
  if (options.token && !options.demoPolicies) return options.token;
  if (!options.admin) throw new Error('--admin-password is needed');
  const admin = await AdminClient.signIn(
    options.serverUrl,
    options.admin.user,
    options.admin.password,
  );
  if (options.demoPolicies) {
    for (const problem of await setUpDemoPolicies(admin)) {
      process.stderr.write(`palisade-sim: demo setup: ${problem}\n`);
    }
  }
  return options.token ?? (await admin.createOnboardingToken('palisade-sim demo fleet'));
}

async function run(options: SimOptions): Promise<number> {
  let token: string;
  try {
    token = await onboardingToken(options);
  } catch (error) {
    process.stderr.write(
      `palisade-sim: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const fleet = new Fleet({ ...options, token, driftDelayMs: 30_000 });
  const started = performance.now();
  const terminal = process.stdout.isTTY === true;
  const print = () => {
    const line = progressLine(fleet.snapshot(), performance.now() - started);
    if (terminal) process.stdout.write(`\r\x1b[2K${line}`);
    else process.stdout.write(`${line}\n`);
  };
  const progress = setInterval(print, terminal ? 500 : 10_000);
  let finish: (reason: string) => void = () => undefined;
  const finished = new Promise<string>((resolve) => {
    finish = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": leave without waiting for in-flight calls.
    process.once(signal, () => process.exit(130));
    finish(signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer =
    options.durationMs === null
      ? undefined
      : setTimeout(() => finish('duration'), options.durationMs);

  process.stdout.write(
    `palisade-sim: ${options.devices} machines against ${options.serverUrl} (seed ${options.seed})\n`,
  );
  const enrolled = fleet.enrollAll().then(() => {
    if (fleet.counters.enrolled === 0) finish('no machine enrolled');
  });
  const reason = await finished;
  clearInterval(progress);
  if (timer) clearTimeout(timer);
  if (terminal) process.stdout.write('\n');
  process.stdout.write(`stopping (${reason})…\n`);
  await fleet.stop();
  await enrolled;
  process.stdout.write(`${summary(fleet)}\n`);
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  return fleet.counters.enrolled === 0 ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseSimArguments(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(`palisade-sim: ${parsed.error}\n\n${SIM_USAGE}\n`);
    return 2;
  }
  if (parsed.value.kind === 'help') {
    process.stdout.write(`${SIM_USAGE}\n`);
    return 0;
  }
  return run(parsed.value.options);
}

process.exitCode = await main(process.argv.slice(2));
