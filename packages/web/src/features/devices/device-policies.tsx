/**
 * A device's security policies: every setting it must enforce, the value, the policy it came from,
 * the status the agent reported with its native error, conflicts explained (which policies set
 * which values) and drift (changed on the machine outside Palisade).
 */
import { Alert, Badge, Code, Group, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import type { DeviceDetail } from '../../api/types.js';
import { AnchorLink } from '../../components/links.js';
import { ReportStatusBadge } from '../../components/status-badge.js';
import { useSettingNames } from '../catalog/use-catalog.js';

type Effective = NonNullable<DeviceDetail['configuration']>['effective'];
type Source = Effective['settings'][number]['sources'][number];

interface PolicySettingRow {
  readonly settingId: string;
  readonly value: unknown;
  readonly sources: readonly Source[];
  readonly conflict: Effective['conflicts'][number] | undefined;
  readonly status: string | null;
  readonly error: string | null;
}

function rowsOf(device: DeviceDetail): PolicySettingRow[] {
  const effective = device.configuration?.effective;
  const reports = new Map(device.settingReports.map((report) => [report.settingId, report]));
  const rows = new Map<string, PolicySettingRow>();
  for (const setting of effective?.settings ?? []) {
    const report = reports.get(setting.id);
    rows.set(setting.id, {
      settingId: setting.id,
      value: setting.value,
      sources: setting.sources,
      conflict: undefined,
      status: report?.status ?? 'pending',
      error: report?.error ?? null,
    });
  }
  for (const conflict of effective?.conflicts ?? []) {
    const report = reports.get(conflict.id);
    rows.set(conflict.id, {
      settingId: conflict.id,
      value: undefined,
      sources: conflict.candidates,
      conflict,
      status: report?.status ?? 'conflict',
      error: report?.error ?? null,
    });
  }
  // Reports for settings no longer in the configuration (e.g. a removed policy) still show.
  for (const report of device.settingReports) {
    if (!rows.has(report.settingId)) {
      rows.set(report.settingId, {
        settingId: report.settingId,
        value: undefined,
        sources: [],
        conflict: undefined,
        status: report.status,
        error: report.error,
      });
    }
  }
  return [...rows.values()].sort((a, b) => a.settingId.localeCompare(b.settingId));
}

function ValueText({ value }: { value: unknown }): ReactNode {
  if (value === undefined)
    return (
      <Text size="xs" c="dimmed">
        —
      </Text>
    );
  if (typeof value === 'boolean') return <Text size="sm">{value ? 'On' : 'Off'}</Text>;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return (
      <Stack gap={0}>
        {value.map((item) => (
          <Text key={item} size="xs" className="palisade-mono">
            {item}
          </Text>
        ))}
      </Stack>
    );
  }
  return <Code>{typeof value === 'string' ? value : JSON.stringify(value)}</Code>;
}

function SourceLinks({ sources }: { sources: readonly Source[] }): ReactNode {
  return (
    <Stack gap={0}>
      {sources.map((source) => (
        <AnchorLink
          key={`${source.policyId}:${source.version}`}
          to="/policies/$policyId"
          params={{ policyId: source.policyId }}
          size="xs"
        >
          {source.policyName}{' '}
          <Text span size="xs" c="dimmed">
            v{source.version}
          </Text>
        </AnchorLink>
      ))}
    </Stack>
  );
}

function ConflictExplanation({
  conflict,
}: {
  conflict: NonNullable<PolicySettingRow['conflict']>;
}): ReactNode {
  return (
    <Stack gap={2}>
      <Text size="xs" c="orange.9" fw={600}>
        Not applied: the policies disagree
      </Text>
      {conflict.candidates.map((candidate) => (
        <Text key={candidate.policyId} size="xs">
          <AnchorLink to="/policies/$policyId" params={{ policyId: candidate.policyId }} size="xs">
            {candidate.policyName}
          </AnchorLink>{' '}
          sets <Code>{JSON.stringify(candidate.value)}</Code>
        </Text>
      ))}
    </Stack>
  );
}

export function DevicePolicies({ device }: { device: DeviceDetail }): ReactNode {
  const nameOf = useSettingNames();
  const rows = rowsOf(device);
  const conflicts = rows.filter((row) => row.conflict).length;
  const drifted = rows.filter((row) => row.status === 'drifted').length;
  const failed = rows.filter((row) => row.status === 'failed').length;
  if (device.enrollment.code !== 1 && rows.length === 0) {
    return (
      <Alert variant="light" color="orange">
        This device is not managed by Palisade ({device.enrollment.name}), so no security policy
        reaches it. {device.enrollment.fix}
      </Alert>
    );
  }
  if (rows.length === 0) {
    return (
      <Alert variant="light" color="gray">
        No policy reaches this device yet. Assign a policy to a group the device is in.
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm">
          Revision <b>{device.configuration?.revision ?? '—'}</b>
          {device.lastReport && (
            <>
              {' '}
              · last report for revision <b>{device.lastReport.revision}</b>
            </>
          )}
        </Text>
        {failed > 0 && <Badge color="red">{failed} failed</Badge>}
        {conflicts > 0 && <Badge color="orange">{conflicts} in conflict</Badge>}
        {drifted > 0 && <Badge color="grape">{drifted} drifted</Badge>}
      </Group>
      <Paper withBorder bg="white">
        <Table fz="sm" verticalSpacing={6} striped data-testid="device-policies">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Setting</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>Source policy</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Detail</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.settingId} data-setting-id={row.settingId}>
                <Table.Td>
                  <Text size="sm">{nameOf(row.settingId)}</Text>
                  <Text size="xs" c="dimmed" className="palisade-mono">
                    {row.settingId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {row.conflict ? (
                    <Text size="xs" c="dimmed">
                      not applied
                    </Text>
                  ) : (
                    <ValueText value={row.value} />
                  )}
                </Table.Td>
                <Table.Td>
                  <SourceLinks sources={row.sources} />
                </Table.Td>
                <Table.Td>{row.status && <ReportStatusBadge status={row.status} />}</Table.Td>
                <Table.Td maw={360}>
                  {row.conflict ? (
                    <ConflictExplanation conflict={row.conflict} />
                  ) : row.status === 'drifted' ? (
                    <Tooltip label="The agent found the value changed on the machine since Palisade applied it (another tool, a GPO or a script). It is re-applied at the next sync.">
                      <Text size="xs" c="grape.8">
                        Changed outside Palisade{row.error ? `: ${row.error}` : ''}
                      </Text>
                    </Tooltip>
                  ) : row.error ? (
                    <Text size="xs" c="red.8" className="palisade-mono" data-testid="native-error">
                      {row.error}
                    </Text>
                  ) : row.status === 'pending' ? (
                    <Text size="xs" c="dimmed">
                      Waiting for the device to report
                    </Text>
                  ) : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
