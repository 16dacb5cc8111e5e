import { Button, Group, Loader, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client.js';
import { type SyncScope, useSyncNow } from './use-sync-now.js';

/** A Sync now button with the request's progress beside it, live. */
export function SyncButton(props: { scope: SyncScope; id?: string; label?: string }): ReactNode {
  const sync = useSyncNow(props.scope, props.id);
  const following = sync.started !== null && !sync.done && !sync.gaveUp;
  return (
    <Group gap={6} wrap="nowrap">
      {sync.error ? (
        <Text size="xs" c="red.8">
          {errorMessage(sync.error)}
        </Text>
      ) : sync.started ? (
        <Text size="xs" c={sync.done ? 'teal.8' : 'dimmed'} data-testid="sync-progress">
          {following && <Loader size={10} mr={4} />}
          {sync.progress
            ? `${sync.progress.reported} of ${sync.progress.deviceCount} reported back`
            : `asked ${sync.started.deviceCount} device${sync.started.deviceCount === 1 ? '' : 's'}`}
          {sync.gaveUp ? ' · the others will report when they next connect' : ''}
        </Text>
      ) : null}
      <Tooltip label="Push a sync notice: connected agents check in and report within seconds">
        <Button variant="light" onClick={sync.start} loading={sync.starting} disabled={following}>
          {props.label ?? 'Sync now'}
        </Button>
      </Tooltip>
    </Group>
  );
}
