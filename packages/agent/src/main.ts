#!/usr/bin/env node
/**
 * `palisade-agent`: enroll this machine, keep its security settings as the console says, report.
 * Exit codes: 0 ok, 1 failure, 2 bad usage.
 */
import { resolve } from 'node:path';
import type { EnforcementTarget } from '@palisade/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { writeSupportBundle } from './analyze/support-bundle.js';
import { runDaemon } from './checkin/daemon.js';
import { type AgentOptions, DeviceAgent } from './checkin/device-agent.js';
import { parseDriverList } from './drivers/registry.js';
import { resultLines, syncLines } from './output.js';
import { AgentState, DEFAULT_STATE_DIR } from './state/agent-state.js';
import { AGENT_VERSION } from './version.js';

interface CommonFlags {
  readonly stateDir: string;
  readonly facts?: string;
  readonly root?: string;
  readonly drivers?: readonly EnforcementTarget[];
  readonly tag?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function withCommonOptions(command: Command): Command {
  return command
    .option('--state-dir <dir>', 'the agent state directory', DEFAULT_STATE_DIR)
    .option('--facts <file>', 'a JSON object whose keys override the collected facts')
    .option('--root <dir>', 'a prefix for every native path the drivers touch (for trials)')
    .addOption(
      new Option(
        '--drivers <list>',
        'drivers to use, comma-separated (mdatp, clamav, nftables, macos-defender, windows-defender); default: detected',
      ).argParser(driverList),
    )
    .option('--tag <tag>', 'a tag set on this machine (repeatable)', collect);
}

/** A bad driver name is a usage error (exit 2), like any other bad option. */
function driverList(text: string): EnforcementTarget[] {
  try {
    return parseDriverList(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function agentOf(flags: CommonFlags): DeviceAgent {
  const options: Record<string, unknown> = {};
  if (flags.root) options.root = resolve(flags.root);
  if (flags.facts) options.factsFile = resolve(flags.facts);
  if (flags.drivers) options.drivers = flags.drivers;
  if (flags.tag) options.tags = flags.tag;
  return new DeviceAgent(new AgentState(resolve(flags.stateDir)), options as AgentOptions);
}

const print = (lines: readonly string[]) => process.stdout.write(`${lines.join('\n')}\n`);

export function buildProgram(): Command {
  const program = new Command('palisade-agent')
    .description('The Palisade device agent: enroll, enforce security settings, report')
    .version(AGENT_VERSION)
    .showHelpAfterError()
    .exitOverride();

  withCommonOptions(
    program.command('enroll').description('enroll this machine with a Palisade server'),
  )
    .requiredOption('--server <url>', 'the Palisade server URL')
    .requiredOption('--token <token>', 'the onboarding token from the console')
    .action(async (flags: CommonFlags & { server: string; token: string }) => {
      const agent = agentOf(flags);
      const { enrollment, sync } = await agent.enroll(flags.server, flags.token);
      print([
        `enrolled as device ${enrollment.deviceId} (tenant ${enrollment.tenantId}) with ${enrollment.serverUrl}`,
        `status ${enrollment.enrollment.code} ${enrollment.enrollment.name}`,
        ...syncLines(sync),
      ]);
    });

  withCommonOptions(
    program.command('run').description('the daemon: check in, listen for notices, apply, report'),
  ).action(async (flags: CommonFlags) => {
    const agent = agentOf(flags);
    await agent.requireEnrollment();
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await runDaemon(agent, {
      signal: stop.signal,
      onCycle: (outcome) =>
        print(
          outcome instanceof Error
            ? [`sync failed: ${outcome.message}`]
            : [`${new Date().toISOString()} sync`, ...syncLines(outcome)],
        ),
    });
  });

  withCommonOptions(
    program.command('sync').description('one full cycle: check in, apply, read back, report'),
  ).action(async (flags: CommonFlags) => {
    const outcome = await agentOf(flags).sync();
    print(syncLines(outcome));
    const failed = outcome.results.some((result) => result.status === 'failed');
    if (
      failed ||
      (outcome.enrollment.code === 1 && !outcome.reportDelivered && outcome.revision !== null)
    ) {
      process.exitCode = 1;
    }
  });

  program
    .command('status')
    .description('enrollment status, server, revision held, last sync and per-setting results')
    .option('--state-dir <dir>', 'the agent state directory', DEFAULT_STATE_DIR)
    .option('--json', 'print JSON')
    .action(async (flags: { stateDir: string; json?: boolean }) => {
      const state = new AgentState(resolve(flags.stateDir));
      const enrollment = await state.loadEnrollment();
      const held = await state.loadConfiguration();
      const report = await state.loadReport();
      const lastSync = await state.loadLastSync();
      const status = {
        enrolled: enrollment !== null,
        stateDir: state.dir,
        server: enrollment?.serverUrl ?? null,
        deviceId: enrollment?.deviceId ?? null,
        tenantId: enrollment?.tenantId ?? null,
        enrollment: enrollment
          ? {
              code: enrollment.enrollment.code,
              name: enrollment.enrollment.name,
              meaning: enrollment.enrollment.meaning,
              fix: enrollment.enrollment.fix,
              managedBy: enrollment.enrollment.managedBy,
            }
          : null,
        revision: held?.revision ?? null,
        lastSync: lastSync?.at ?? null,
        lastSyncError: lastSync && !lastSync.ok ? (lastSync.error ?? 'failed') : null,
        lastReport: report?.at ?? null,
        reportDelivered: report?.delivered ?? null,
        results: report?.results ?? [],
      };
      if (flags.json) {
        print([JSON.stringify(status, null, 2)]);
        return;
      }
      if (!enrollment || !status.enrollment) {
        print([
          `not enrolled (state directory ${state.dir})`,
          'fix: palisade-agent enroll --server URL --token TOKEN',
        ]);
        process.exitCode = 1;
        return;
      }
      print([
        `server:     ${status.server}`,
        `device:     ${status.deviceId} (tenant ${status.tenantId})`,
        `enrollment: ${status.enrollment.code} ${status.enrollment.name} - ${status.enrollment.meaning}`,
        ...(status.enrollment.fix ? [`fix:        ${status.enrollment.fix}`] : []),
        `revision:   ${status.revision ?? 'none held'}`,
        `last sync:  ${status.lastSync ?? 'never'}${status.lastSyncError ? ` - failed: ${status.lastSyncError}` : ''}`,
        `last report: ${status.lastReport ?? 'none'}${status.reportDelivered === false ? ' (not delivered yet)' : ''}`,
        ...(status.results.length > 0
          ? ['results:', ...resultLines(status.results, status.results)]
          : []),
      ]);
    });

  program
    .command('analyze')
    .description('write a support bundle and print what looks wrong')
    .option('--state-dir <dir>', 'the agent state directory', DEFAULT_STATE_DIR)
    .requiredOption('--out <file>', 'the bundle to write (.tar.gz)')
    .action(async (flags: { stateDir: string; out: string }) => {
      const agent = new DeviceAgent(new AgentState(resolve(flags.stateDir)));
      const bundle = await writeSupportBundle(agent, resolve(flags.out));
      print([
        `support bundle: ${bundle.file} (${bundle.entries.join(', ')})`,
        ...(bundle.findings.length === 0
          ? ['nothing looks wrong']
          : ['what looks wrong:', ...bundle.findings.map((f) => `  ${f.severity}: ${f.message}`)]),
      ]);
    });

  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return 2;
    }
    process.stderr.write(
      `palisade-agent: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv);
