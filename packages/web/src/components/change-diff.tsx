/** Before/after of a change as a table of the paths that differ (see changed-paths.ts). */
import { Code, Paper, ScrollArea, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { changedPaths } from './changed-paths.js';

export function JsonValueText({ value }: { value: unknown }): ReactNode {
  if (value === undefined) {
    return (
      <Text span size="xs" c="dimmed">
        —
      </Text>
    );
  }
  return <Code>{typeof value === 'string' ? value : JSON.stringify(value)}</Code>;
}

export function ChangeDiff({ before, after }: { before: unknown; after: unknown }): ReactNode {
  const rows = changedPaths(before, after);
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No difference.
      </Text>
    );
  }
  return (
    <Paper withBorder>
      <ScrollArea.Autosize mah={480}>
        <Table fz="xs" verticalSpacing={4} data-testid="change-diff">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th>Before</Table.Th>
              <Table.Th>After</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.path}>
                <Table.Td className="palisade-mono">{row.path}</Table.Td>
                <Table.Td className="diff-removed">
                  <JsonValueText value={row.before} />
                </Table.Td>
                <Table.Td className="diff-added">
                  <JsonValueText value={row.after} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Paper>
  );
}
