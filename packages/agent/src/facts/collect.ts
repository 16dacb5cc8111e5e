/**
 * The facts the agent reports: collected from the machine for its platform, then the machine's
 * own tags (agent config file, or the registry on Windows, plus `--tag`), then the `--facts FILE`
 * overrides (for trials and for simulating other machines). Every key of the overrides file is
 * checked against the protocol's facts schema; an unknown key or a bad value is an error naming it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DeviceFacts } from '@palisade/core';
import { type DeviceFactsMessage, DeviceFactsSchema } from '@palisade/protocol';
import { z } from 'zod';
import type { CommandRunner } from '../drivers/commands.js';
import type { Driver } from '../drivers/driver.js';
import { AGENT_VERSION } from '../version.js';
import { collectLinuxFacts } from './linux.js';
import { collectMacosFacts } from './macos.js';
import { collectWindowsFacts } from './windows.js';

/** The system-wide agent config file, read when the state directory has none. */
export const SYSTEM_CONFIG_FILE = '/etc/palisade-agent/agent.json';

const AgentConfigSchema = z.strictObject({
  tags: z.array(z.string().min(1).max(128)).max(100).optional(),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** `<state-dir>/agent.json`, else /etc/palisade-agent/agent.json: `{"tags": ["..."]}`. */
export async function readAgentConfig(stateConfigFile: string): Promise<AgentConfig> {
  const path = [stateConfigFile, SYSTEM_CONFIG_FILE].find((file) => existsSync(file));
  if (!path) return {};
  return parseJsonFile(path, AgentConfigSchema);
}

const FactsOverridesSchema = DeviceFactsSchema.partial().strict();

export async function readFactsOverrides(path: string): Promise<Partial<DeviceFacts>> {
  return (await parseJsonFile(path, FactsOverridesSchema)) as Partial<DeviceFacts>;
}

async function parseJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.join('.');
      return field === '' ? issue.message : `${field}: ${issue.message}`;
    });
    throw new Error(`${path}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export interface CollectOptions {
  readonly run: CommandRunner;
  /** The drivers the agent uses (detected, or chosen with --drivers): its installed targets. */
  readonly drivers: readonly Driver[];
  readonly stateConfigFile: string;
  readonly factsFile?: string;
  readonly extraTags?: readonly string[];
  readonly osPlatform?: NodeJS.Platform;
}

export async function collectFacts(options: CollectOptions): Promise<DeviceFactsMessage> {
  const osPlatform = options.osPlatform ?? process.platform;
  const collected =
    osPlatform === 'darwin'
      ? await collectMacosFacts(options.run)
      : osPlatform === 'win32'
        ? await collectWindowsFacts(options.run)
        : await collectLinuxFacts(options.run);
  const config = await readAgentConfig(options.stateConfigFile);
  const overrides = options.factsFile ? await readFactsOverrides(options.factsFile) : {};
  const tags = [
    ...new Set([...(collected.tags ?? []), ...(config.tags ?? []), ...(options.extraTags ?? [])]),
  ];
  const facts = {
    agentVersion: AGENT_VERSION,
    installedTargets: options.drivers.map((driver) => driver.target),
    ...collected,
    tags,
    ...overrides,
  };
  const checked = DeviceFactsSchema.safeParse(facts);
  if (!checked.success) {
    const problems = checked.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(
      `the collected facts are incomplete: ${problems.join('; ')} (set them with --facts FILE)`,
    );
  }
  return checked.data;
}
