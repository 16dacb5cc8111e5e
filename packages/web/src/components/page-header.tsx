import { Group, Stack, Text, Title } from '@mantine/core';
import { type ReactNode, useEffect } from 'react';

export function PageHeader(props: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  /** The browser tab's title, when `title` is not plain text. */
  documentTitle?: string;
}): ReactNode {
  const tabTitle = props.documentTitle ?? (typeof props.title === 'string' ? props.title : null);
  useEffect(() => {
    if (tabTitle) document.title = `${tabTitle} · Palisade`;
  }, [tabTitle]);
  return (
    <Group justify="space-between" align="flex-start" mb="md" wrap="nowrap">
      <Stack gap={2}>
        <Title order={2} size="h3">
          {props.title}
        </Title>
        {props.description && (
          <Text size="sm" c="dimmed">
            {props.description}
          </Text>
        )}
      </Stack>
      {props.actions && <Group gap="xs">{props.actions}</Group>}
    </Group>
  );
}
