import { Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** What an empty list says: why it is empty and what to do next. */
export function EmptyState(props: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}): ReactNode {
  return (
    <Paper withBorder p="xl" bg="white" data-testid="empty-state">
      <Stack align="center" gap={6}>
        <Text fw={600}>{props.title}</Text>
        {props.children && (
          <Text size="sm" c="dimmed" ta="center" maw={520}>
            {props.children}
          </Text>
        )}
        {props.action}
      </Stack>
    </Paper>
  );
}
