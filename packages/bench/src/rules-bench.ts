#!/usr/bin/env node
/**
 * Rule evaluation benchmark: compiles a handful of typical dynamic-group rules once, then
 * evaluates each against 100,000 generated devices (seen through `devicePropertiesOf`, built
 * before timing, as the server keeps them). Prints evaluations per second per rule and overall.
 *
 * `--group-rules`: the `groups` benchmark's R rules (default 1,000, `benchRule`) over simulated
 * fleet devices, every device against every rule (naive) and against the candidates of a
 * `RuleIndex` only (indexed, as the server recomputes a device): device-rule pairs decided per
 * second both ways, and the candidates per device.
 *
 *   node packages/bench/dist/rules-bench.js [--devices N] [--rounds N]
 *   node packages/bench/dist/rules-bench.js --group-rules [--rules N] [--devices N] [--rounds N]
 */
import {
  type CompiledRule,
  compileRuleText,
  type DeviceView,
  devicePropertiesOf,
  type ManagedBy,
  PLATFORMS,
  RuleIndex,
  type RuleProperties,
} from '@palisade/core';
import { benchRule } from './bench/group-rules.js';
import { simulatedFacts } from './sim/device-facts.js';
import { DEFAULT_MIX, platformsForFleet } from './sim/fleet-mix.js';

const TYPICAL_RULES = [
  '(device.deviceOSType -eq "Linux") -and (device.managementType -eq "MicrosoftSense")',
  'device.deviceOSType -contains "Windows" -and device.deviceOSVersion -startsWith "10.0.2"',
  'device.displayName -match "^(web|db)-\\d+$" -or device.extensionAttribute1 -in ["Finance", "HR", "Legal"]',
  'device.installedSoftware -any (_ -startsWith "Citrix Workspace")',
  "device.memberOf -any (group.objectId -in ['group-3', 'group-7']) -and -not (device.systemLabels -eq null)",
] as const;

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same fleet. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOFTWARE = [
  'Citrix Workspace 2409',
  '7-Zip 23.01',
  'Google Chrome 131',
  'Zoom 6.2',
  'Office 16',
];
const DEPARTMENTS = ['Finance', 'HR', 'Legal', 'Engineering', 'Sales'];
const HOST_PREFIXES = ['web', 'db', 'pc', 'mac', 'build'];

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

function generateDevice(index: number, random: () => number): DeviceView {
  const platform = pick(random, PLATFORMS);
  const managedBy = random() < 0.8 ? 'palisade' : pick(random, ['mdm', 'none'] as const);
  return {
    deviceId: `device-${index}`,
    directoryDeviceId: `directory-${index}`,
    managedBy,
    enrollmentCode: managedBy === 'palisade' ? 1 : 4,
    identity: random() < 0.5 ? 'synthetic' : 'existing',
    tags: [`extensionAttribute1=${pick(random, DEPARTMENTS)}`],
    groupIds: [`group-${Math.floor(random() * 10)}`, `group-${10 + Math.floor(random() * 10)}`],
    facts: {
      hostname: `${pick(random, HOST_PREFIXES)}-${index}`,
      domain: random() < 0.5 ? 'corp.example' : null,
      platform,
      osVersion: platform.startsWith('windows')
        ? `10.0.${19000 + Math.floor(random() * 4000)}.1`
        : '14.5',
      agentVersion: '1.0.0',
      isDomainController: false,
      isServerCore: false,
      powershellLanguageMode: null,
      nonPersistentVdi: false,
      directoryJoin: null,
      mdmManaged: managedBy === 'mdm',
      configMgrManaged: false,
      tags: [],
      installedSoftware: SOFTWARE.filter(() => random() < 0.4),
    },
  };
}

function numberArgument(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`rules-bench: ${name} needs a positive integer\n`);
    process.exit(2);
  }
  return value;
}

function typicalRules(deviceCount: number, rounds: number): void {
  const random = generator(42);
  const devices: RuleProperties[] = Array.from({ length: deviceCount }, (_, i) =>
    devicePropertiesOf(generateDevice(i, random)),
  );
  process.stdout.write(`${deviceCount} devices, ${TYPICAL_RULES.length} rules, ${rounds} rounds\n`);
  let totalEvaluations = 0;
  let totalMs = 0;
  for (const text of TYPICAL_RULES) {
    const rule = compileRuleText(text);
    if (!rule.ok) throw new Error(`${text}: ${rule.diagnostics[0]?.message}`);
    let matched = 0;
    for (const device of devices) if (rule.matches(device)) matched++; // warm-up
    const start = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const device of devices) if (rule.matches(device)) matched++;
    }
    const ms = performance.now() - start;
    const evaluations = deviceCount * rounds;
    totalEvaluations += evaluations;
    totalMs += ms;
    const perSecond = Math.round((evaluations / ms) * 1000);
    const share = ((matched / (deviceCount * (rounds + 1))) * 100).toFixed(1);
    process.stdout.write(
      `${perSecond.toLocaleString('en-US').padStart(12)} eval/s  ${share.padStart(5)}% match  ${text}\n`,
    );
  }
  const overall = Math.round((totalEvaluations / totalMs) * 1000);
  process.stdout.write(`overall: ${overall.toLocaleString('en-US')} rule evaluations per second\n`);
}

/**
 * A simulated fleet device as dynamic rules see it. Management follows the facts (MDM,
 * Configuration Manager, else Palisade); one device in ten carries `extensionAttribute1=team-<k>`
 * for a random group k, so the extension-attribute rules match a few devices each.
 */
function fleetDevice(
  index: number,
  platform: (typeof PLATFORMS)[number],
  rules: number,
): RuleProperties {
  const facts = simulatedFacts('rules-bench', index, platform);
  const managedBy: ManagedBy = facts.mdmManaged
    ? 'mdm'
    : facts.configMgrManaged
      ? 'configuration-manager'
      : 'palisade';
  const team = index % 10 === 0 ? [`extensionAttribute1=team-${(index * 7919) % rules}`] : [];
  return devicePropertiesOf({
    deviceId: `device-${index}`,
    directoryDeviceId: `device-${index}`,
    managedBy,
    enrollmentCode: 1,
    identity: 'synthetic',
    tags: [...facts.tags, ...team],
    groupIds: [],
    facts,
  });
}

/** Milliseconds `run` takes over `rounds` rounds, after one warm-up round on a tenth of the work. */
function timed(rounds: number, warmUp: () => void, run: () => void): number {
  warmUp();
  const start = performance.now();
  for (let round = 0; round < rounds; round++) run();
  return performance.now() - start;
}

function groupRules(deviceCount: number, ruleCount: number, rounds: number): void {
  const compiled = Array.from({ length: ruleCount }, (_, k) => {
    const rule = compileRuleText(benchRule(k));
    if (!rule.ok) throw new Error(`${benchRule(k)}: ${rule.diagnostics[0]?.message}`);
    return rule;
  });
  const rules: CompiledRule[] = compiled.map((rule) => rule.matches);
  const index = new RuleIndex(compiled.map((rule) => rule.ast));
  const platforms = platformsForFleet(DEFAULT_MIX, deviceCount);
  const devices = platforms.map((platform, i) => fleetDevice(i, platform, ruleCount));
  const sample = devices.slice(0, Math.ceil(devices.length / 10));
  process.stdout.write(
    `${deviceCount} simulated devices × ${ruleCount} group rules (benchRule), ${rounds} round(s)\n`,
  );

  let naiveMatches = 0;
  const naive = (list: readonly RuleProperties[]) => () => {
    for (const device of list) {
      for (let i = 0; i < rules.length; i++) if (rules[i]?.(device)) naiveMatches++;
    }
  };
  const naiveMs = timed(rounds, naive(sample), naive(devices));

  let indexedMatches = 0;
  let candidates = 0;
  const indexed = (list: readonly RuleProperties[]) => () => {
    for (const device of list) {
      const offered = index.candidates(device);
      candidates += offered.length;
      for (const i of offered) if (rules[i]?.(device)) indexedMatches++;
    }
  };
  const indexedMs = timed(rounds, indexed(sample), indexed(devices));
  const lookups = (list: readonly RuleProperties[]) => () => {
    for (const device of list) index.candidates(device);
  };
  const lookupMs = timed(rounds, lookups(sample), lookups(devices));

  // Each count includes its warm-up round over the sample: same work both ways.
  if (naiveMatches !== indexedMatches) {
    throw new Error(`indexed found ${indexedMatches} memberships, naive ${naiveMatches}`);
  }
  const pairs = deviceCount * ruleCount * rounds;
  const perSecond = (ms: number) => Math.round((pairs / ms) * 1000).toLocaleString('en-US');
  const perDevice = candidates / (sample.length + deviceCount * rounds);
  const memberships = naiveMatches / (sample.length + deviceCount * rounds);
  process.stdout.write(
    [
      `naive:   ${perSecond(naiveMs).padStart(12)} device-rule evaluations/s (${Math.round(naiveMs)} ms)`,
      `indexed: ${perSecond(indexedMs).padStart(12)} device-rule evaluations/s (${Math.round(indexedMs)} ms, of which candidate lookups ${Math.round(lookupMs)} ms)`,
      `candidates per device: ${perDevice.toFixed(1)} of ${ruleCount}; memberships per device: ${memberships.toFixed(1)}`,
      '',
    ].join('\n'),
  );
}

function main(args: readonly string[]): void {
  const devices = numberArgument(args, '--devices', 100_000);
  if (args.includes('--group-rules')) {
    groupRules(
      devices,
      numberArgument(args, '--rules', 1_000),
      numberArgument(args, '--rounds', 1),
    );
  } else {
    typicalRules(devices, numberArgument(args, '--rounds', 5));
  }
}

main(process.argv.slice(2));
