/**
 * Facts of a macOS machine from its own commands: `sw_vers` (product name and version),
 * `scutil --get LocalHostName`, and `profiles status -type enrollment` for MDM enrollment.
 */
import { hostname } from 'node:os';
import type { DeviceFacts } from '@palisade/core';
import type { CommandRunner } from '../drivers/commands.js';
import { unixFacts } from './unix.js';

/** `sw_vers` prints `ProductName:\tmacOS`, `ProductVersion:\t14.5`, `BuildVersion:\t23F79`. */
export function parseSwVers(text: string): {
  readonly osName: string;
  readonly osVersion: string;
  readonly build?: string;
} {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (match) fields[match[1] as string] = (match[2] as string).trim();
  }
  const version = fields.ProductVersion;
  if (!version) throw new Error('sw_vers printed no ProductVersion');
  const result = { osName: `${fields.ProductName ?? 'macOS'} ${version}`, osVersion: version };
  return fields.BuildVersion ? { ...result, build: fields.BuildVersion } : result;
}

/** `profiles status -type enrollment`: "MDM enrollment: Yes (User Approved)" when enrolled. */
export function parseMdmEnrollment(text: string): boolean {
  return /MDM enrollment:\s*Yes/i.test(text);
}

export async function collectMacosFacts(run: CommandRunner): Promise<Partial<DeviceFacts>> {
  const swVers = await run('sw_vers', []);
  const { osName, osVersion } = parseSwVers(swVers.stdout);
  const localName = await run('scutil', ['--get', 'LocalHostName']);
  const mdm = await run('profiles', ['status', '-type', 'enrollment']);
  return {
    hostname:
      localName.code === 0 && localName.stdout.trim() !== '' ? localName.stdout.trim() : hostname(),
    domain: null,
    platform: 'macos',
    osName,
    osVersion,
    ...unixFacts(),
    mdmManaged: mdm.code === 0 && parseMdmEnrollment(mdm.stdout),
  };
}
