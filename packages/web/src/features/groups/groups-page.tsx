import { Badge, Code, Group, SegmentedControl, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import type { Group as DeviceGroup, ListOf } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { DataTable } from '../../components/data-table.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink, ButtonLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';

const route = getRouteApi('/app/groups');

export type GroupsSearch = { kind?: 'assigned' | 'dynamic'; search?: string; page?: number };
const PAGE_SIZE = 50;

export function GroupsPage(): ReactNode {
  const search = route.useSearch();
  const page = search.page ?? 1;
  const navigate = useNavigate({ from: '/groups' });
  const { can } = usePermissions();
  const [text, setText] = useState(search.search ?? '');
  const commitSearch = useDebouncedCallback(
    (value: string) =>
      void navigate({
        search: (previous) => ({ ...previous, search: value.trim() || undefined, page: undefined }),
      }),
    300,
  );
  const groups = useQuery({
    queryKey: ['groups', search],
    queryFn: () =>
      api<ListOf<DeviceGroup>>('/groups', {
        query: {
          kind: search.kind,
          search: search.search,
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        },
      }),
    placeholderData: keepPreviousData,
  });
  const columns = useMemo<ColumnDef<DeviceGroup, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        accessorKey: 'name',
        cell: ({ row }) => (
          <AnchorLink
            to="/groups/$groupId"
            params={{ groupId: row.original.id }}
            size="sm"
            fw={500}
          >
            {row.original.name}
          </AnchorLink>
        ),
      },
      {
        id: 'kind',
        header: 'Type',
        accessorKey: 'kind',
        cell: ({ row }) => (
          <Badge color={row.original.kind === 'dynamic' ? 'grape' : 'blue'}>
            {row.original.kind}
          </Badge>
        ),
      },
      {
        id: 'membership',
        header: 'Membership',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.kind === 'dynamic' ? (
            <Code
              className="palisade-mono"
              style={{
                whiteSpace: 'nowrap',
                maxWidth: 520,
                overflow: 'hidden',
                textOverflow: 'ellipsis',
                display: 'inline-block',
              }}
            >
              {row.original.rule}
            </Code>
          ) : (
            <Text size="sm">{row.original.staticMemberCount ?? 0} assigned devices</Text>
          ),
      },
      { id: 'description', header: 'Description', accessorKey: 'description' },
      {
        id: 'updatedAt',
        header: 'Changed',
        accessorKey: 'updatedAt',
        cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
      },
    ],
    [],
  );
  const noGroupsAtAll = groups.data?.total === 0 && !search.kind && !search.search;
  return (
    <>
      <PageHeader
        title="Groups"
        description="Devices grouped by hand (assigned) or by a membership rule (dynamic); policies target groups."
        actions={can('edit-groups') && <ButtonLink to="/groups/new">New group</ButtonLink>}
      />
      <Group mb="sm" gap="sm">
        <TextInput
          placeholder="Search by name"
          aria-label="Search groups"
          w={260}
          value={text}
          onChange={(event) => {
            setText(event.currentTarget.value);
            commitSearch(event.currentTarget.value);
          }}
        />
        <SegmentedControl
          aria-label="Group type"
          value={search.kind ?? 'all'}
          onChange={(value) =>
            void navigate({
              search: (previous) => ({
                ...previous,
                kind: value === 'assigned' || value === 'dynamic' ? value : undefined,
                page: undefined,
              }),
            })
          }
          data={[
            { value: 'all', label: 'All' },
            { value: 'assigned', label: 'Assigned' },
            { value: 'dynamic', label: 'Dynamic' },
          ]}
        />
      </Group>
      <ErrorAlert error={groups.error} title="Groups could not be loaded" />
      {noGroupsAtAll ? (
        <EmptyState
          title="No groups yet"
          action={
            can('edit-groups') && (
              <ButtonLink to="/groups/new" variant="light">
                Create a group
              </ButtonLink>
            )
          }
        >
          A dynamic group keeps itself up to date from a rule over device properties, e.g. all Linux
          servers in one domain. Policies are assigned to groups.
        </EmptyState>
      ) : (
        <DataTable
          columns={columns}
          data={groups.data?.items ?? []}
          rowKey={(group) => group.id}
          loading={groups.isLoading || groups.isPlaceholderData}
          empty="No group matches."
          testId="groups-table"
          paging={{
            page,
            pageSize: PAGE_SIZE,
            total: groups.data?.total ?? 0,
            onPageChange: (page) =>
              void navigate({ search: (previous) => ({ ...previous, page }) }),
          }}
        />
      )}
    </>
  );
}
