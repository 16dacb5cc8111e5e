/**
 * `palisade devices list|show|tag`: the fleet as the server sees it. `show` gives the facts, how
 * the device is managed (enrollment status with its meaning and fix), its tags and groups, the
 * effective configuration with the policy behind each setting and the conflicts, and the status
 * the agent reported per setting.
 */
import { PLATFORMS } from '@palisade/core';
import type { DeviceDetail, DeviceList, DeviceSummary, Group } from '@palisade/protocol';
import { type Command, Option } from 'commander';
import { connect, findByName } from '../../client.js';
import { UsageError } from '../../config.js';
import {
  print,
  printFields,
  printJson,
  printListing,
  printTable,
  runAction,
  show,
  when,
} from '../../output.js';

interface ListOptions {
  platform?: string;
  status?: string;
  tag?: string;
  group?: string;
  search?: string;
  limit?: string;
  json?: boolean;
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

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerDevicesCommands(program: Command): void {
  const devices = program.command('devices').description('the onboarded devices');

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
        const client = await connect();
        const group = options.group
          ? (await findByName<Group>(client, '/api/v1/groups', options.group, 'group')).id
          : undefined;
        const max = options.limit === undefined ? Number.POSITIVE_INFINITY : Number(options.limit);
        if (!(max > 0))
          throw new UsageError(`--limit: "${options.limit}" is not a positive number`);
        const query = {
          platform: options.platform,
          enrollmentStatus: options.status,
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

  devices
    .command('show')
    .description('one device: facts, management, effective configuration, per-setting status')
    .argument('<id>', 'the device id (palisade devices list)')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (id: string, options: { json?: boolean }) => {
        const client = await connect();
        const device = await client.get<DeviceDetail>(`/api/v1/devices/${encodeURIComponent(id)}`);
        if (options.json) printJson(device);
        else printDevice(device);
        return 0;
      }),
    );

  devices
    .command('tag')
    .description('add or remove manual tags of a device')
    .argument('<id>', 'the device id')
    .option('--add <tag>', 'add this tag (repeatable)', collect, [])
    .option('--remove <tag>', 'remove this tag (repeatable)', collect, [])
    .option('--json', 'print the tags as JSON')
    .action(
      runAction(
        async (id: string, options: { add: string[]; remove: string[]; json?: boolean }) => {
          if (options.add.length === 0 && options.remove.length === 0) {
            throw new UsageError('give --add TAG or --remove TAG');
          }
          const client = await connect();
          const base = `/api/v1/devices/${encodeURIComponent(id)}/tags`;
          let tags: { tags: { tag: string; source: string; ruleName?: string }[] } = { tags: [] };
          for (const tag of options.add) tags = await client.post(base, { tag });
          for (const tag of options.remove) {
            tags = await client.delete(`${base}/${encodeURIComponent(tag)}`);
          }
          if (options.json) printJson(tags);
          else {
            printTable(
              ['TAG', 'SOURCE'],
              tags.tags.map((t) => [t.tag, t.ruleName ? `${t.source} (${t.ruleName})` : t.source]),
              'no tags',
            );
          }
          return 0;
        },
      ),
    );
}

function printDevice(d: DeviceDetail): void {
  printFields([
    ['id', d.id],
    ['hostname', d.hostname],
    ['platform', `${d.platform} ${d.osVersion}`],
    ['enrollment', `${d.enrollment.code} ${d.enrollment.name}: ${d.enrollment.meaning}`],
    ...(d.enrollment.fix ? [['fix', d.enrollment.fix] as const] : []),
    ['managed by', d.managedBy],
    ['identity', `${d.identity.kind} (${d.identity.directoryDeviceId})`],
    ['revision', String(d.revision)],
    ['status', d.reportStatus ?? '-'],
    ['enrolled', when(d.enrolledAt)],
    ['last check-in', when(d.lastCheckInAt)],
    ['last report', when(d.lastReportAt)],
    ...(d.offboardedAt ? [['offboarded', when(d.offboardedAt)] as const] : []),
  ]);
  print();
  print('Facts:');
  for (const [key, value] of Object.entries(d.facts)) print(`  ${key}: ${show(value)}`);
  print();
  print('Tags:');
  printTable(
    ['TAG', 'SOURCE'],
    d.tagSources.map((t) => [t.tag, t.ruleName ? `${t.source} (${t.ruleName})` : t.source]),
    'no tags',
  );
  print();
  print('Groups:');
  printTable(
    ['NAME', 'KIND'],
    d.groups.map((g) => [g.name, g.kind]),
    'in no group',
  );
  print();
  const effective = d.configuration?.effective;
  print(
    `Effective configuration${d.configuration ? ` (revision ${d.configuration.revision})` : ''}:`,
  );
  const status = new Map(d.settingReports.map((r) => [r.settingId, r]));
  printTable(
    ['SETTING', 'VALUE', 'FROM', 'STATUS'],
    (effective?.settings ?? []).map((s) => {
      const report = status.get(s.id);
      return [
        s.id,
        show(s.value),
        s.sources.map((source) => `${source.policyName} v${source.version}`).join(', '),
        report ? `${report.status}${report.error ? `: ${report.error}` : ''}` : '-',
      ];
    }),
    'no settings',
  );
  const conflicts = effective?.conflicts ?? [];
  if (conflicts.length > 0) {
    print();
    print('Conflicts (not applied):');
    for (const conflict of conflicts) {
      const candidates = conflict.candidates
        .map((c) => `${c.policyName} v${c.version} sets ${show(c.value)}`)
        .join('; ');
      print(`  ${conflict.id}: ${candidates}`);
    }
  }
}
