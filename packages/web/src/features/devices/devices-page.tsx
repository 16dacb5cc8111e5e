import { Badge, Group, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useRef } from 'react';
import { api, type QueryValue } from '../../api/client.js';
import type { DeviceList, DeviceSummary } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { DataTable } from '../../components/data-table.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink, ButtonLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';
import { EnrollmentBadge, ReportStatusBadge } from '../../components/status-badge.js';
import { managedByLabel, platformLabel } from '../../domain/labels.js';
import { SyncButton } from '../sync/sync-button.js';
import { DeviceFilters, isFiltered } from './device-filters.js';
import type { DeviceSortKey, DevicesSearch } from './devices-search.js';

const route = getRouteApi('/app/devices');
const DEFAULT_PAGE_SIZE = 50;

function requestOf(
  search: DevicesSearch,
  page: number,
  pageSize: number,
  cursor: string | undefined,
): Readonly<Record<string, QueryValue>> {
  return {
    search: search.search,
    platform: search.platform,
    enrollmentStatus: search.enrollmentStatus,
    managedBy: search.managedBy,
    reportStatus: search.reportStatus,
    tag: search.tag,
    group: search.group,
    notSeenForMinutes: search.notSeenForMinutes,
    sort: search.sort ?? 'hostname',
    order: search.order ?? 'asc',
    limit: pageSize,
    ...(cursor ? { cursor } : { offset: (page - 1) * pageSize }),
  };
}

const columns: ColumnDef<DeviceSummary, unknown>[] = [
  {
    id: 'hostname',
    header: 'Device',
    cell: ({ row }) => (
      <AnchorLink to="/devices/$deviceId" params={{ deviceId: row.original.id }} size="sm" fw={500}>
        {row.original.hostname}
      </AnchorLink>
    ),
  },
  {
    id: 'platform',
    header: 'Platform',
    cell: ({ row }) => (
      <Text size="sm">
        {platformLabel(row.original.platform)}{' '}
        <Text span size="xs" c="dimmed">
          {row.original.osVersion}
        </Text>
      </Text>
    ),
  },
  {
    id: 'enrollmentStatus',
    header: 'Enrollment',
    cell: ({ row }) => (
      <EnrollmentBadge code={row.original.enrollment.code} name={row.original.enrollment.name} />
    ),
  },
  {
    id: 'managedBy',
    header: 'Managed by',
    enableSorting: false,
    cell: ({ row }) => managedByLabel(row.original.managedBy),
  },
  {
    id: 'reportStatus',
    header: 'Settings',
    enableSorting: false,
    cell: ({ row }) =>
      row.original.reportStatus ? (
        <ReportStatusBadge status={row.original.reportStatus} />
      ) : (
        <Text size="xs" c="dimmed">
          none
        </Text>
      ),
  },
  {
    id: 'tags',
    header: 'Tags',
    enableSorting: false,
    cell: ({ row }) => (
      <Group gap={4}>
        {row.original.tags.map((tag) => (
          <Badge key={tag} color="gray" variant="outline">
            {tag}
          </Badge>
        ))}
      </Group>
    ),
  },
  {
    id: 'lastCheckInAt',
    header: 'Last check-in',
    cell: ({ row }) => <RelativeTime value={row.original.lastCheckInAt} />,
  },
];

/** The fleet: server-side filters, sorting and paging, all in the URL. */
export function DevicesPage(): ReactNode {
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/devices' });
  const page = search.page ?? 1;
  const pageSize = search.pageSize ?? DEFAULT_PAGE_SIZE;
  const { can } = usePermissions();

  // Keyset paging: when the administrator steps to the next page, the previous page's cursor
  // makes the query an index seek instead of an offset scan (fast deep into 100,000 devices).
  const cursors = useRef(new Map<string, string>());
  const filterKey = JSON.stringify({ ...search, page: undefined });
  const cursor = cursors.current.get(`${filterKey}#${page}`);
  const devices = useQuery({
    queryKey: ['devices', 'list', search],
    queryFn: async () => {
      const answer = await api<DeviceList>('/devices', {
        query: requestOf(search, page, pageSize, cursor),
      });
      if (answer.nextCursor) cursors.current.set(`${filterKey}#${page + 1}`, answer.nextCursor);
      return answer;
    },
    placeholderData: keepPreviousData,
  });

  const setSearch = (patch: Partial<DevicesSearch>) =>
    void navigate({ search: (previous) => ({ ...previous, ...patch, page: undefined }) });
  const filtered = isFiltered(search);

  return (
    <>
      <PageHeader
        title="Devices"
        description="Every onboarded machine, its enrollment status and how its settings are doing."
        actions={can('sync') && <SyncButton scope="tenant" label="Sync all devices" />}
      />
      <DeviceFilters
        search={search}
        onChange={setSearch}
        onClear={() => void navigate({ search: { sort: search.sort, order: search.order } })}
      />
      <ErrorAlert error={devices.error} title="Devices could not be loaded" />
      {devices.data?.total === 0 && !filtered ? (
        <EmptyState
          title="No devices onboarded yet"
          action={
            <ButtonLink to="/settings" search={{ tab: 'onboarding' }} variant="light">
              Create an onboarding token
            </ButtonLink>
          }
        >
          Create an onboarding token and run the command it shows on a machine; it appears here at
          once.
        </EmptyState>
      ) : (
        <DataTable
          columns={columns}
          data={devices.data?.items ?? []}
          rowKey={(device) => device.id}
          loading={devices.isLoading || devices.isPlaceholderData}
          empty="No device matches these filters."
          testId="devices-table"
          sort={{ id: search.sort ?? 'hostname', desc: search.order === 'desc' }}
          onSortChange={(sort) =>
            setSearch({
              sort: (sort?.id as DeviceSortKey | undefined) ?? undefined,
              order: sort?.desc ? 'desc' : undefined,
            })
          }
          paging={{
            page,
            pageSize,
            total: devices.data?.total ?? 0,
            onPageChange: (next) =>
              void navigate({ search: (previous) => ({ ...previous, page: next }) }),
            onPageSizeChange: (size) =>
              void navigate({
                search: (previous) => ({ ...previous, pageSize: size, page: undefined }),
              }),
          }}
        />
      )}
    </>
  );
}
