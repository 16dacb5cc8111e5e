import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type {
  Group as DeviceGroup,
  DeviceSummary,
  ListOf,
  PolicySummary,
  UpdateGroupRequest,
} from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { DataTable } from '../../components/data-table.js';
import { DevicePicker } from '../../components/device-picker.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { platformLabel } from '../../domain/labels.js';
import { SyncButton } from '../sync/sync-button.js';
import { GroupForm, type GroupFormValues } from './group-form.js';

const route = getRouteApi('/app/groups/$groupId');
const PAGE_SIZE = 50;

function Members({ group, canEdit }: { group: DeviceGroup; canEdit: boolean }): ReactNode {
  const [page, setPage] = useState(1);
  const members = useQuery({
    queryKey: ['groups', group.id, 'members', page],
    queryFn: () =>
      api<ListOf<DeviceSummary>>(`/groups/${group.id}/members`, {
        query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
      }),
    placeholderData: keepPreviousData,
  });
  const assigned = group.kind === 'assigned';
  const change = useChange({
    run: (body: { add?: string[]; remove?: string[] }) =>
      api<DeviceGroup>(`/groups/${group.id}/members`, { method: 'POST', body }),
    invalidates: [['groups']],
    success: 'Members updated',
  });
  const columns = useMemo<ColumnDef<DeviceSummary, unknown>[]>(
    () => [
      {
        id: 'hostname',
        header: 'Device',
        accessorKey: 'hostname',
        enableSorting: false,
        cell: ({ row }) => (
          <AnchorLink to="/devices/$deviceId" params={{ deviceId: row.original.id }} size="sm">
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
      ...(assigned && canEdit
        ? [
            {
              id: 'remove',
              header: '',
              enableSorting: false,
              cell: ({ row }: { row: { original: DeviceSummary } }) => (
                <Button
                  variant="subtle"
                  color="red"
                  onClick={async () => {
                    const confirmed = await confirmAction({
                      title: 'Remove member',
                      message: `Remove ${row.original.hostname} from ${group.name}? Policies assigned through this group stop reaching it.`,
                      confirmLabel: 'Remove',
                    });
                    if (confirmed) change.mutate({ remove: [row.original.id] });
                  }}
                >
                  Remove
                </Button>
              ),
            } satisfies ColumnDef<DeviceSummary, unknown>,
          ]
        : []),
    ],
    [assigned, canEdit, change, group.name],
  );
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h5">
          Members
        </Title>
        {assigned && canEdit && (
          <DevicePicker
            placeholder="Add a device: type a host name"
            onPick={(device) => change.mutate({ add: [device.id] })}
          />
        )}
      </Group>
      <ErrorAlert error={members.error} title="Members could not be loaded" />
      <DataTable
        columns={columns}
        data={members.data?.items ?? []}
        rowKey={(device) => device.id}
        loading={members.isLoading || members.isPlaceholderData}
        empty={assigned ? 'No members: add devices above.' : 'No device matches the rule now.'}
        testId="group-members"
        paging={{
          page,
          pageSize: PAGE_SIZE,
          total: members.data?.total ?? 0,
          onPageChange: setPage,
        }}
      />
    </Stack>
  );
}

/** The policies that target this group (included or excluded), so a change here is understood. */
function AssignedPolicies({ groupId }: { groupId: string }): ReactNode {
  const policies = useQuery({
    queryKey: ['policies', 'list', 'all'],
    queryFn: () => api<ListOf<PolicySummary>>('/policies', { query: { limit: 500 } }),
  });
  const targeting = (policies.data?.items ?? []).filter(
    (policy) =>
      policy.assignments.include.includes(groupId) || policy.assignments.exclude.includes(groupId),
  );
  return (
    <Stack gap={4} data-testid="group-policies">
      <Title order={3} size="h5">
        Policies
      </Title>
      {targeting.length === 0 ? (
        <Text size="sm" c="dimmed">
          No policy is assigned to this group.
        </Text>
      ) : (
        <Group gap={6}>
          {targeting.map((policy) => (
            <Badge
              key={policy.id}
              variant="outline"
              color={policy.assignments.exclude.includes(groupId) ? 'red' : 'indigo'}
            >
              <AnchorLink
                to="/policies/$policyId"
                params={{ policyId: policy.id }}
                size="xs"
                c="inherit"
              >
                {policy.assignments.exclude.includes(groupId) ? 'excluded from ' : ''}
                {policy.name}
              </AnchorLink>
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

export function GroupPage(): ReactNode {
  const { groupId } = route.useParams();
  const navigate = useNavigate();
  const { can } = usePermissions();
  const canEdit = can('edit-groups');
  const group = useQuery({
    queryKey: ['groups', groupId],
    queryFn: () => api<DeviceGroup>(`/groups/${groupId}`),
  });
  const save = useChange({
    run: (values: GroupFormValues) => {
      const body: UpdateGroupRequest = {
        name: values.name,
        description: values.description,
        ...(values.kind === 'dynamic' ? { rule: values.rule } : {}),
      };
      return api<DeviceGroup>(`/groups/${groupId}`, { method: 'PATCH', body });
    },
    invalidates: [['groups']],
    success: 'Group saved; membership is recomputed now',
  });
  const remove = useChange({
    run: () => api<void>(`/groups/${groupId}`, { method: 'DELETE' }),
    invalidates: [['groups']],
    success: 'Group deleted',
    onSuccess: () => void navigate({ to: '/groups' }),
  });
  if (group.error) return <ErrorAlert error={group.error} title="The group could not be loaded" />;
  if (!group.data) return null;
  const data = group.data;
  return (
    <>
      <PageHeader
        documentTitle={data.name}
        title={
          <Group gap="xs">
            {data.name}
            <Badge color={data.kind === 'dynamic' ? 'grape' : 'blue'}>{data.kind}</Badge>
          </Group>
        }
        description={data.description || undefined}
        actions={
          <>
            {can('sync') && <SyncButton scope="group" id={data.id} label="Sync group now" />}
            {canEdit && (
              <Button
                variant="light"
                color="red"
                onClick={async () => {
                  const confirmed = await confirmAction({
                    title: 'Delete group',
                    message: `Delete ${data.name}? A group that policies still target cannot be deleted.`,
                    confirmLabel: 'Delete group',
                  });
                  if (confirmed) remove.mutate(undefined);
                }}
              >
                Delete
              </Button>
            )}
          </>
        }
      />
      <Stack gap="lg">
        <Paper withBorder p="md" bg="white">
          <GroupForm
            key={data.updatedAt}
            initial={{
              kind: data.kind,
              name: data.name,
              description: data.description,
              rule: data.rule ?? '',
              members: [],
            }}
            creating={false}
            readOnly={!canEdit}
            saving={save.isPending}
            saveError={save.error}
            onSubmit={(values) => save.mutate(values)}
          />
        </Paper>
        <AssignedPolicies groupId={data.id} />
        <Members group={data} canEdit={canEdit} />
        <Text size="xs" c="dimmed">
          Group id <span className="palisade-mono">{data.id}</span>
        </Text>
      </Stack>
    </>
  );
}
