/**
 * Facts of a Linux machine, collected for real: /etc/os-release, the kernel, host and domain
 * names, and the installed packages (dpkg-query on Debian and Ubuntu, rpm on RHEL and SUSE) for
 * the `installedSoftware` rule property.
 */
import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import type { DeviceFacts } from '@palisade/core';
import type { CommandRunner } from '../drivers/commands.js';
import { unixFacts } from './unix.js';

/** KEY=value lines, values optionally quoted (os-release(5)). */
export function parseOsRelease(text: string): Readonly<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2] as string;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
    fields[match[1] as string] = value;
  }
  return fields;
}

const MAX_SOFTWARE = 10_000;

/** "name version" lines from the package manager; empty when neither is there. */
export async function installedSoftware(run: CommandRunner): Promise<string[]> {
  const dpkg = await run('dpkg-query', [
    '-W',
    '-f',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format
    '${db:Status-Abbrev}\\t${Package} ${Version}\\n',
  ]);
  if (dpkg.code === 0) {
    return dpkg.stdout
      .split('\n')
      .filter((line) => line.startsWith('ii'))
      .map((line) => line.split('\t')[1]?.trim() ?? '')
      .filter((line) => line !== '')
      .slice(0, MAX_SOFTWARE);
  }
  const rpm = await run('rpm', ['-qa', '--qf', '%{NAME} %{VERSION}-%{RELEASE}\\n']);
  if (rpm.code === 0)
    return rpm.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, MAX_SOFTWARE);
  return [];
}

export async function collectLinuxFacts(run: CommandRunner): Promise<Partial<DeviceFacts>> {
  const osRelease = parseOsRelease(
    await readFile('/etc/os-release', 'utf8').catch(() =>
      readFile('/usr/lib/os-release', 'utf8').catch(() => ''),
    ),
  );
  // hostname -d asks the resolver; an offline machine must not hold the check-in for long.
  const domainOutcome = await run('hostname', ['-d'], { timeoutMs: 5_000 });
  const domain = domainOutcome.code === 0 ? domainOutcome.stdout.trim() : '';
  const facts: Partial<DeviceFacts> = {
    hostname: hostname().split('.')[0] || hostname(),
    domain: domain === '' ? null : domain,
    platform: 'linux',
    osVersion: osRelease.VERSION_ID ?? release(),
    ...unixFacts(),
    mdmManaged: false,
    installedSoftware: await installedSoftware(run),
  };
  const named = { ...facts } as Record<string, unknown>;
  if (osRelease.PRETTY_NAME) named.osName = osRelease.PRETTY_NAME;
  if (osRelease.ID) named.distro = osRelease.ID;
  return named as Partial<DeviceFacts>;
}
