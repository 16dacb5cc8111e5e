/** Per-policy report: per setting success / error / conflict counts, and per device. */
import { Group, Paper, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import type { ReportStatus } from '@palisade/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useState } from 'react';
import { api } from '../../api/client.js';
import type { Policy, PolicyReport } from '../../api/types.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink } from '../../components/links.js';
import { ReportStatusBadge } from '../../components/status-badge.js';
import { platformLabel, REPORT_STATUS_LABELS, ROLLUP_STATUSES } from '../../domain/labels.js';
import { useSettingNames } from '../catalog/use-catalog.js';
import { StatusCounts } from './status-counts.js';

type DeviceRow = PolicyReport['deviceStatuses']['items'][number];
const PAGE_SIZE = 50;

const deviceColumns: ColumnDef<DeviceRow, unknown>[] = [
  {
    id: 'hostname',
    header: 'Device',
    enableSorting: false,
    cell: ({ row }) => (
      <AnchorLink
        to="/devices/$deviceId"
        params={{ deviceId: row.original.deviceId }}
        search={{ tab: 'policies' }}
        size="sm"
      >
        {row.original.hostname}
      </AnchorLink>
    ),
  },
  {
    id: 'platform',
    header: 'Platform',
    enableSorting: false,
    cell: ({ row }) => platformLabel(row.original.platform),
  },
  {
    id: 'status',
    header: 'Status',
    enableSorting: false,
    cell: ({ row }) => <ReportStatusBadge status={row.original.status} />,
  },
  {
    id: 'problems',
    header: 'Settings not succeeded',
    enableSorting: false,
    cell: ({ row }) => (
      <Stack gap={0}>
        {row.original.settings
          .filter((setting) => setting.status !== 'succeeded')
          .map((setting) => (
            <Text key={setting.settingId} size="xs">
              <span className="palisade-mono">{setting.settingId}</span>:{' '}
              {REPORT_STATUS_LABELS[setting.status]}
              {setting.error ? ` — ${setting.error}` : ''}
            </Text>
          ))}
      </Stack>
    ),
  },
];

export function PolicyReportPanel({ policy }: { policy: Policy }): ReactNode {
  const nameOf = useSettingNames();
  const [status, setStatus] = useState<ReportStatus | 'all'>('all');
  const [page, setPage] = useState(1);
  const report = useQuery({
    queryKey: ['policies', policy.id, 'report', status, page],
    queryFn: () =>
      api<PolicyReport>(`/policies/${policy.id}/report`, {
        query: {
          status: status === 'all' ? undefined : status,
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  if (report.error)
    return <ErrorAlert error={report.error} title="The report could not be loaded" />;
  if (!report.data) return null;
  const data = report.data;
  return (
    <Stack gap="md" data-testid="policy-report">
      <Group gap="lg">
        <Text size="sm">
          Reaches <b>{data.devices}</b> device{data.devices === 1 ? '' : 's'} (version{' '}
          {data.version})
        </Text>
        <StatusCounts counts={data.counts} />
      </Group>
      <Paper withBorder p="md" bg="white">
        <Title order={3} size="h5" mb="xs">
          Per setting
        </Title>
        <Table fz="sm" verticalSpacing={4} striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Setting</Table.Th>
              <Table.Th>Succeeded · failed · conflict · pending · drifted</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.settings.map((setting) => (
              <Table.Tr key={setting.settingId}>
                <Table.Td>
                  {nameOf(setting.settingId)}{' '}
                  <Text span size="xs" c="dimmed" className="palisade-mono">
                    {setting.settingId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StatusCounts counts={setting.counts} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data.settings.length === 0 && (
          <Text size="sm" c="dimmed">
            No device has reported on this policy yet.
          </Text>
        )}
      </Paper>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h5">
            Per device
          </Title>
          <SegmentedControl
            aria-label="Device status"
            value={status}
            onChange={(value) => {
              setStatus(ROLLUP_STATUSES.find((s) => s === value) ?? 'all');
              setPage(1);
            }}
            data={[
              { value: 'all', label: 'All' },
              ...ROLLUP_STATUSES.map((s) => ({ value: s, label: REPORT_STATUS_LABELS[s] })),
            ]}
          />
        </Group>
        <DataTable
          columns={deviceColumns}
          data={data.deviceStatuses.items}
          rowKey={(row) => row.deviceId}
          loading={report.isPlaceholderData}
          empty="No device in this state."
          paging={{
            page,
            pageSize: PAGE_SIZE,
            total: data.deviceStatuses.total,
            onPageChange: setPage,
          }}
        />
      </Stack>
    </Stack>
  );
}
