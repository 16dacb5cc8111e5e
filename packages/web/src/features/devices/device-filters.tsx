import { Badge, Button, CloseButton, Group, Paper, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import type { Group as DeviceGroup, ListOf } from '../../api/types.js';
import {
  MANAGED_BY_LABELS,
  MANAGED_BY_LIST,
  PLATFORM_LABELS,
  PLATFORM_LIST,
  REPORT_STATUS_LABELS,
  REPORT_STATUS_LIST,
} from '../../domain/labels.js';
import type { DevicesSearch } from './devices-search.js';
import { useEnrollmentStatuses } from './enrollment-statuses.js';

/** Whether any filter narrows the list (as opposed to sorting or paging). */
export function isFiltered(search: DevicesSearch): boolean {
  return Boolean(
    search.search ||
      search.platform ||
      search.enrollmentStatus ||
      search.managedBy ||
      search.reportStatus ||
      search.tag ||
      search.group ||
      search.notSeenForMinutes,
  );
}

/** The device list's filters: each change goes to the URL (and from there to the server). */
export function DeviceFilters(props: {
  search: DevicesSearch;
  onChange: (patch: Partial<DevicesSearch>) => void;
  onClear: () => void;
}): ReactNode {
  const setSearch = props.onChange;
  const search = props.search;
  const statuses = useEnrollmentStatuses();
  const groups = useQuery({
    queryKey: ['groups', 'all-names'],
    queryFn: () => api<ListOf<DeviceGroup>>('/groups', { query: { limit: 500 } }),
  });
  const [text, setText] = useState(search.search ?? '');
  const commitText = useDebouncedCallback(
    (value: string) => setSearch({ search: value.trim() || undefined }),
    300,
  );

  const statusOptions = useMemo(
    () =>
      (statuses.data ?? []).map((status) => ({
        value: String(status.code),
        label: `${status.code} · ${status.name}`,
      })),
    [statuses.data],
  );
  const groupOptions = (groups.data?.items ?? []).map((group) => ({
    value: group.id,
    label: group.name,
  }));
  const filtered = isFiltered(search);

  return (
    <Paper withBorder p="sm" mb="sm" bg="white">
      <Group gap="sm" align="flex-end">
        <TextInput
          label="Host name"
          placeholder="contains…"
          w={200}
          value={text}
          data-testid="device-search"
          onChange={(event) => {
            setText(event.currentTarget.value);
            commitText(event.currentTarget.value);
          }}
        />
        <Select
          label="Platform"
          placeholder="Any"
          clearable
          w={150}
          data={PLATFORM_LIST.map((value) => ({ value, label: PLATFORM_LABELS[value] }))}
          value={search.platform ?? null}
          onChange={(value) => setSearch({ platform: PLATFORM_LIST.find((p) => p === value) })}
        />
        <Select
          label="Enrollment status"
          placeholder="Any"
          clearable
          searchable
          w={220}
          data={statusOptions}
          value={search.enrollmentStatus ?? null}
          onChange={(value) => setSearch({ enrollmentStatus: value ?? undefined })}
        />
        <Select
          label="Managed by"
          placeholder="Any"
          clearable
          w={170}
          data={MANAGED_BY_LIST.map((value) => ({ value, label: MANAGED_BY_LABELS[value] }))}
          value={search.managedBy ?? null}
          onChange={(value) => setSearch({ managedBy: MANAGED_BY_LIST.find((m) => m === value) })}
        />
        <Select
          label="Settings status"
          placeholder="Any"
          clearable
          w={150}
          data={Object.entries(REPORT_STATUS_LABELS).map(([value, label]) => ({ value, label }))}
          value={search.reportStatus ?? null}
          onChange={(value) =>
            setSearch({
              reportStatus: REPORT_STATUS_LIST.find((status) => status === value),
            })
          }
        />
        <TextInput
          label="Tag"
          placeholder="exact tag"
          w={140}
          defaultValue={search.tag ?? ''}
          key={`tag-${search.tag ?? ''}`}
          onBlur={(event) => setSearch({ tag: event.currentTarget.value.trim() || undefined })}
          onKeyDown={(event) => {
            if (event.key === 'Enter')
              setSearch({ tag: event.currentTarget.value.trim() || undefined });
          }}
        />
        <Select
          label="Group"
          placeholder="Any"
          clearable
          searchable
          w={200}
          data={groupOptions}
          value={search.group ?? null}
          onChange={(value) => setSearch({ group: value ?? undefined })}
        />
        {filtered && (
          <Button
            variant="subtle"
            color="gray"
            onClick={() => {
              setText('');
              props.onClear();
            }}
          >
            Clear filters
          </Button>
        )}
      </Group>
      {search.notSeenForMinutes && (
        <Group gap={4} mt={6}>
          <Badge
            color="orange"
            rightSection={
              <CloseButton
                size="xs"
                aria-label="Clear not-seen filter"
                onClick={() => setSearch({ notSeenForMinutes: undefined })}
              />
            }
          >
            not seen for {search.notSeenForMinutes} min
          </Badge>
        </Group>
      )}
    </Paper>
  );
}
