/**
 * Before/after of a change as a table of the paths that differ. Objects are flattened to
 * `a.b[2].c` paths so a one-field change in a large object shows as one row.
 */
import { Code, Paper, ScrollArea, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

type Flat = Map<string, unknown>;

function flatten(value: unknown, path: string, into: Flat): Flat {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(path, []);
    value.forEach((item, index) => {
      flatten(item, `${path}[${index}]`, into);
    });
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(path, {});
    for (const [key, item] of entries) flatten(item, path ? `${path}.${key}` : key, into);
  } else {
    into.set(path, value);
  }
  return into;
}

export interface ChangedPath {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The paths whose value differs between `before` and `after` (absent on one side: undefined). */
export function changedPaths(before: unknown, after: unknown): ChangedPath[] {
  const a = flatten(before ?? null, '', new Map());
  const b = flatten(after ?? null, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)))
    .map((path) => ({ path: path || '(value)', before: a.get(path), after: b.get(path) }));
}

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
