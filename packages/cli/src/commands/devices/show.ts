/**
 * `palisade devices show ID`: one device — facts, how it is managed (enrollment status with its
 * meaning and fix), tags and groups, the effective configuration with the policy behind each
 * setting and the conflicts, and the status the agent reported per setting.
 */
import type { DeviceDetail } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { print, printFields, printJson, printTable, runAction, show, when } from '../../output.js';

export function registerShowCommand(devices: Command): void {
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
