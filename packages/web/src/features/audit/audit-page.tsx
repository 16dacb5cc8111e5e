import { Badge, Button, Code, Group, Modal, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import type { AuditEntry, ListOf } from '../../api/types.js';
import { ChangeDiff } from '../../components/change-diff.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';

const route = getRouteApi('/app/audit');

export type AuditSearch = {
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  since?: string;
  until?: string;
  page?: number;
  pageSize?: number;
};

/** A text filter that writes to the URL after the administrator pauses typing. */
function FilterInput(props: {
  label: string;
  placeholder: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  w?: number;
}): ReactNode {
  const [text, setText] = useState(props.value ?? '');
  const commit = useDebouncedCallback(
    (value: string) => props.onChange(value.trim() || undefined),
    300,
  );
  return (
    <TextInput
      label={props.label}
      placeholder={props.placeholder}
      w={props.w ?? 180}
      value={text}
      onChange={(event) => {
        setText(event.currentTarget.value);
        commit(event.currentTarget.value);
      }}
    />
  );
}

/** `2026-11-26` or a full ISO time → an ISO time the API accepts (a date means its start, UTC). */
function toIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The audit log: every change, who made it and when, with before and after. */
export function AuditPage(): ReactNode {
  const search = route.useSearch();
  const page = search.page ?? 1;
  const pageSize = search.pageSize ?? 50;
  const navigate = useNavigate({ from: '/audit' });
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const setFilter = (patch: Partial<AuditSearch>) =>
    void navigate({ search: (previous) => ({ ...previous, ...patch, page: undefined }) });

  const entries = useQuery({
    queryKey: ['audit', search],
    queryFn: () =>
      api<ListOf<AuditEntry>>('/audit', {
        query: {
          actor: search.actor,
          action: search.action,
          objectType: search.objectType,
          objectId: search.objectId,
          since: toIso(search.since),
          until: toIso(search.until),
          limit: pageSize,
          offset: (page - 1) * pageSize,
        },
      }),
    placeholderData: keepPreviousData,
  });

  const columns = useMemo<ColumnDef<AuditEntry, unknown>[]>(
    () => [
      {
        id: 'at',
        header: 'When',
        enableSorting: false,
        cell: ({ row }) => <RelativeTime value={row.original.at} />,
      },
      {
        id: 'actor',
        header: 'Who',
        enableSorting: false,
        cell: ({ row }) => (
          <Group gap={4}>
            <Text size="sm">{row.original.actor.name}</Text>
            {row.original.actor.type !== 'user' && (
              <Badge color="gray">{row.original.actor.type}</Badge>
            )}
          </Group>
        ),
      },
      {
        id: 'action',
        header: 'Action',
        enableSorting: false,
        cell: ({ row }) => <Code>{row.original.action}</Code>,
      },
      {
        id: 'object',
        header: 'Object',
        enableSorting: false,
        cell: ({ row }) => (
          <Text size="sm">
            {row.original.objectType}
            {row.original.objectId && (
              <Text span c="dimmed" size="xs" className="palisade-mono">
                {' '}
                {row.original.objectId}
              </Text>
            )}
          </Text>
        ),
      },
      {
        id: 'change',
        header: '',
        enableSorting: false,
        cell: ({ row }) => (
          <Button variant="subtle" onClick={() => setOpen(row.original)}>
            Before / after
          </Button>
        ),
      },
    ],
    [],
  );

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the console, the API or the CLI; append-only."
      />
      <Paper withBorder p="sm" mb="sm" bg="white">
        <Group gap="sm" align="flex-end">
          <FilterInput
            label="Who"
            placeholder="user name"
            value={search.actor}
            onChange={(actor) => setFilter({ actor })}
          />
          <FilterInput
            label="Action"
            placeholder="policy.update or policy."
            value={search.action}
            onChange={(action) => setFilter({ action })}
          />
          <FilterInput
            label="Object type"
            placeholder="policy, group, …"
            value={search.objectType}
            onChange={(objectType) => setFilter({ objectType })}
            w={140}
          />
          <FilterInput
            label="Object id"
            placeholder="id"
            value={search.objectId}
            onChange={(objectId) => setFilter({ objectId })}
            w={140}
          />
          <FilterInput
            label="Since"
            placeholder="YYYY-MM-DD"
            value={search.since}
            onChange={(since) => setFilter({ since })}
            w={120}
          />
          <FilterInput
            label="Until"
            placeholder="YYYY-MM-DD"
            value={search.until}
            onChange={(until) => setFilter({ until })}
            w={120}
          />
        </Group>
      </Paper>
      <ErrorAlert error={entries.error} title="The audit log could not be loaded" />
      <DataTable
        columns={columns}
        data={entries.data?.items ?? []}
        rowKey={(entry) => String(entry.id)}
        loading={entries.isLoading || entries.isPlaceholderData}
        empty="No change matches these filters."
        testId="audit-table"
        paging={{
          page,
          pageSize,
          total: entries.data?.total ?? 0,
          onPageChange: (page) => void navigate({ search: (previous) => ({ ...previous, page }) }),
          onPageSizeChange: (pageSize) =>
            void navigate({ search: (previous) => ({ ...previous, pageSize, page: undefined }) }),
        }}
      />
      <Modal opened={open !== null} onClose={() => setOpen(null)} title="Change" size="xl">
        {open && (
          <Stack gap="sm">
            <Text size="sm">
              <b>{open.actor.name}</b> · <Code>{open.action}</Code> · {open.objectType}{' '}
              <span className="palisade-mono">{open.objectId}</span> ·{' '}
              {new Date(open.at).toLocaleString()}
            </Text>
            <ChangeDiff before={open.before} after={open.after} />
          </Stack>
        )}
      </Modal>
    </>
  );
}
