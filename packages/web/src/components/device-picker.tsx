import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api } from '../api/client.js';
import type { DeviceSummary, ListOf } from '../api/types.js';
import { platformLabel } from '../domain/labels.js';

/** Finds a device by host name (server-side search) and hands it to `onPick`. */
export function DevicePicker(props: {
  label?: string;
  placeholder?: string;
  exclude?: ReadonlySet<string>;
  onPick: (device: DeviceSummary) => void;
}): ReactNode {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const devices = useQuery({
    queryKey: ['device-picker', debounced],
    queryFn: () =>
      api<ListOf<DeviceSummary>>('/devices', {
        query: { search: debounced || undefined, limit: 20 },
      }),
  });
  const options = (devices.data?.items ?? [])
    .filter((device) => !props.exclude?.has(device.id))
    .map((device) => ({
      value: device.id,
      label: `${device.hostname} · ${platformLabel(device.platform)}`,
    }));
  return (
    <Select
      label={props.label}
      aria-label={props.label ?? 'Find a device'}
      placeholder={props.placeholder ?? 'Type a host name'}
      searchable
      w={360}
      data={options}
      value={null}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={devices.isFetching ? 'Searching…' : 'No device found'}
      onChange={(id) => {
        const device = devices.data?.items.find((item) => item.id === id);
        if (device) {
          props.onPick(device);
          setSearch('');
        }
      }}
    />
  );
}
