/** `palisade devices list`: list devices (filters combine). */
import { ENROLLMENT_STATUSES, PLATFORMS } from '@palisade/core';
import type { DeviceList, DeviceSummary, Group } from '@palisade/protocol';
import { type Command, Option } from 'commander';
import { connect, findByName } from '../../client.js';
import { UsageError } from '../../config.js';
import { printListing, runAction, when } from '../../output.js';

interface ListOptions {
  platform?: string;
  status?: string;
  tag?: string;
  group?: string;
  search?: string;
  limit?: string;
  json?: boolean;
}

/**
 * `--status`: an enrollment status by code (`1`) or name (`managed`), checked here because the
 * server answers an unknown status with an empty list, which a script would take for "none".
 * Returns the code, which the server matches whatever the spelling of the name.
 */
export function parseEnrollmentStatus(text: string): string {
  const wanted = text.trim().toLowerCase();
  const status = ENROLLMENT_STATUSES.find(
    (s) => String(s.code) === wanted || s.name.toLowerCase() === wanted,
  );
  if (!status) {
    const known = ENROLLMENT_STATUSES.map((s) => `${s.code} ${s.name}`).join(', ');
    throw new UsageError(`--status: "${text}" is not an enrollment status; use one of: ${known}`);
  }
  return String(status.code);
}

function deviceRow(d: DeviceSummary): string[] {
  return [
    d.id,
    d.hostname,
    d.platform,
    `${d.enrollment.code} ${d.enrollment.name}`,
    String(d.revision),
    d.reportStatus ?? '-',
    d.tags.join(',') || '-',
    when(d.lastCheckInAt),
  ];
}

export function registerListCommand(devices: Command): void {
  devices
    .command('list')
    .description('list devices (filters combine)')
    .addOption(new Option('--platform <platform>', 'only this platform').choices(PLATFORMS))
    .option('--status <status>', 'enrollment status code (1) or name (managed)')
    .option('--tag <tag>', 'only devices with this tag')
    .option('--group <name>', 'only members of this group (name or id)')
    .option('--search <text>', 'hostname contains the text')
    .option('--limit <n>', 'at most this many devices (default: all)')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: ListOptions) => {
        const status =
          options.status === undefined ? undefined : parseEnrollmentStatus(options.status);
        const client = await connect();
        const group = options.group
          ? (await findByName<Group>(client, '/api/v1/groups', options.group, 'group')).id
          : undefined;
        const max = options.limit === undefined ? Number.POSITIVE_INFINITY : Number(options.limit);
        if (!(max > 0))
          throw new UsageError(`--limit: "${options.limit}" is not a positive number`);
        const query = {
          platform: options.platform,
          enrollmentStatus: status,
          tag: options.tag,
          group,
          search: options.search,
        };
        const items: DeviceSummary[] = [];
        let total = 0;
        let cursor: string | undefined;
        do {
          const page = await client.get<DeviceList>('/api/v1/devices', {
            ...query,
            limit: Math.min(500, max - items.length),
            ...(cursor ? { cursor } : {}),
          });
          items.push(...page.items);
          total = page.total;
          cursor = page.nextCursor ?? undefined;
        } while (cursor && items.length < max);
        printListing(
          options,
          { items, total },
          items,
          ['ID', 'HOSTNAME', 'PLATFORM', 'ENROLLMENT', 'REV', 'STATUS', 'TAGS', 'LAST CHECK-IN'],
          deviceRow,
          'no devices',
        );
        return 0;
      }),
    );
}
