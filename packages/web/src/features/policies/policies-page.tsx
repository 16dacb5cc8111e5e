import { Badge, Group, Select, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import type { Dashboard, Group as DeviceGroup, ListOf, PolicySummary } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { DataTable } from '../../components/data-table.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink, ButtonLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';
import {
  POLICY_PLATFORM_LABELS,
  POLICY_PLATFORM_LIST,
  PROFILE_LABELS,
  PROFILE_LIST,
  policyPlatformLabel,
  profileLabel,
} from '../../domain/labels.js';
import { StatusCounts } from './status-counts.js';

const route = getRouteApi('/app/policies');

type Row = PolicySummary & {
  devices: number;
  counts: Dashboard['policies'][number]['counts'] | null;
};

/** Policies by platform and profile, with the status counts of the devices they reach. */
export function PoliciesPage(): ReactNode {
  const search = route.useSearch();
  const navigate = useNavigate({ from: '/policies' });
  const { can } = usePermissions();
  const [text, setText] = useState(search.search ?? '');
  const commitText = useDebouncedCallback(
    (value: string) =>
      void navigate({ search: (previous) => ({ ...previous, search: value.trim() || undefined }) }),
    300,
  );
  const policies = useQuery({
    queryKey: ['policies', 'list', search],
    queryFn: () =>
      api<ListOf<PolicySummary>>('/policies', {
        query: {
          platform: search.platform,
          profile: search.profile,
          search: search.search,
          limit: 500,
        },
      }),
    placeholderData: keepPreviousData,
  });
  // Status counts per policy come from the dashboard's roll-up (one query for every policy).
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => api<Dashboard>('/dashboard'),
  });
  const rows = useMemo<Row[]>(() => {
    const rollup = new Map((dashboard.data?.policies ?? []).map((p) => [p.policyId, p]));
    return (policies.data?.items ?? [])
      .map((policy) => ({
        ...policy,
        devices: rollup.get(policy.id)?.devices ?? 0,
        counts: rollup.get(policy.id)?.counts ?? null,
      }))
      .sort(
        (a, b) =>
          a.platform.localeCompare(b.platform) ||
          a.profile.localeCompare(b.profile) ||
          a.name.localeCompare(b.name),
      );
  }, [policies.data, dashboard.data]);

  const groups = useQuery({
    queryKey: ['groups', 'all-names'],
    queryFn: () => api<ListOf<DeviceGroup>>('/groups', { query: { limit: 500 } }),
  });
  const groupNames = useMemo(
    () => new Map((groups.data?.items ?? []).map((group) => [group.id, group.name])),
    [groups.data],
  );
  const columns = useMemo<ColumnDef<Row, unknown>[]>(() => {
    const groupName = (id: string) => groupNames.get(id) ?? id;
    return [
      {
        id: 'name',
        header: 'Name',
        accessorKey: 'name',
        cell: ({ row }) => (
          <AnchorLink
            to="/policies/$policyId"
            params={{ policyId: row.original.id }}
            size="sm"
            fw={500}
          >
            {row.original.name}
          </AnchorLink>
        ),
      },
      {
        id: 'platform',
        header: 'Platform',
        accessorKey: 'platform',
        cell: ({ row }) => policyPlatformLabel(row.original.platform),
      },
      {
        id: 'profile',
        header: 'Profile',
        accessorKey: 'profile',
        cell: ({ row }) => profileLabel(row.original.profile),
      },
      {
        id: 'version',
        header: 'Version',
        accessorKey: 'version',
        cell: ({ row }) => <Badge color="gray">v{row.original.version}</Badge>,
      },
      { id: 'settingCount', header: 'Settings', accessorKey: 'settingCount' },
      {
        id: 'assigned',
        header: 'Groups',
        enableSorting: false,
        cell: ({ row }) => {
          const { include, exclude } = row.original.assignments;
          if (include.length === 0) {
            return (
              <Text size="xs" c="orange.8">
                not assigned
              </Text>
            );
          }
          return (
            <Text size="xs">
              {include.map(groupName).join(', ')}
              {exclude.length > 0 && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  except {exclude.map(groupName).join(', ')}
                </Text>
              )}
            </Text>
          );
        },
      },
      { id: 'devices', header: 'Devices', accessorKey: 'devices' },
      {
        id: 'status',
        header: 'Setting results',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.counts ? <StatusCounts counts={row.original.counts} /> : null,
      },
      {
        id: 'updatedAt',
        header: 'Changed',
        accessorKey: 'updatedAt',
        cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
      },
    ];
  }, [groupNames]);

  const nothingYet =
    policies.data?.total === 0 && !search.platform && !search.profile && !search.search;
  return (
    <>
      <PageHeader
        title="Policies"
        description="Named, versioned sets of security settings for one platform and profile, assigned to groups."
        actions={
          can('edit-policies') && (
            <ButtonLink
              to="/policies/new"
              search={{ platform: search.platform, profile: search.profile }}
            >
              New policy
            </ButtonLink>
          )
        }
      />
      <Group mb="sm" gap="sm">
        <TextInput
          placeholder="Search by name"
          aria-label="Search policies"
          w={240}
          value={text}
          onChange={(event) => {
            setText(event.currentTarget.value);
            commitText(event.currentTarget.value);
          }}
        />
        <Select
          placeholder="Any platform"
          aria-label="Platform"
          clearable
          w={160}
          data={POLICY_PLATFORM_LIST.map((value) => ({
            value,
            label: POLICY_PLATFORM_LABELS[value],
          }))}
          value={search.platform ?? null}
          onChange={(value) =>
            void navigate({
              search: (previous) => ({
                ...previous,
                platform: POLICY_PLATFORM_LIST.find((p) => p === value),
              }),
            })
          }
        />
        <Select
          placeholder="Any profile"
          aria-label="Profile"
          clearable
          w={240}
          data={PROFILE_LIST.map((value) => ({ value, label: PROFILE_LABELS[value] }))}
          value={search.profile ?? null}
          onChange={(value) =>
            void navigate({
              search: (previous) => ({
                ...previous,
                profile: PROFILE_LIST.find((p) => p === value),
              }),
            })
          }
        />
      </Group>
      <ErrorAlert error={policies.error} title="Policies could not be loaded" />
      {nothingYet ? (
        <EmptyState
          title="No policies yet"
          action={
            can('edit-policies') && (
              <ButtonLink to="/policies/new" variant="light">
                Create a policy
              </ButtonLink>
            )
          }
        >
          A policy sets antivirus, exclusion, EDR, attack surface reduction or firewall settings for
          one platform, and reaches the devices of the groups it is assigned to.
        </EmptyState>
      ) : (
        <DataTable
          columns={columns}
          data={rows}
          rowKey={(row) => row.id}
          loading={policies.isLoading || policies.isPlaceholderData}
          empty="No policy matches."
          testId="policies-table"
        />
      )}
    </>
  );
}
