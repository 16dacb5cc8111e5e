import { Anchor, Code, Popover, ScrollArea, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';

interface RuleProperty {
  readonly name: string;
  readonly type: string;
  readonly multiValued?: boolean;
  readonly description?: string;
}

type RulePropertiesAnswer =
  | Readonly<Record<string, readonly RuleProperty[]>>
  | { readonly items: readonly RuleProperty[] };

function propertiesOf(
  answer: RulePropertiesAnswer | undefined,
  schema: string,
): readonly RuleProperty[] {
  if (!answer) return [];
  if ('items' in answer && Array.isArray(answer.items)) return answer.items;
  const bySchema = answer as Readonly<Record<string, readonly RuleProperty[]>>;
  return bySchema[schema] ?? [];
}

/** "Which properties can I use?": the vocabulary of the rule language, from the server. */
export function RulePropertiesHelp({
  schema,
}: {
  schema: 'device' | 'asset' | 'filter';
}): ReactNode {
  const properties = useQuery({
    queryKey: ['rule-properties', schema],
    queryFn: () => api<RulePropertiesAnswer>('/rule-properties', { query: { schema } }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const list = propertiesOf(properties.data, schema);
  const prefix = schema === 'device' ? 'device.' : '';
  return (
    <Text span size="xs">
      {schema === 'device' ? (
        <>
          e.g.{' '}
          <Code>
            (device.deviceOSType -eq "Linux") and (device.managementType -eq "MicrosoftSense")
          </Code>
          .{' '}
        </>
      ) : null}
      <Popover width={560} position="bottom-start" withArrow shadow="md">
        <Popover.Target>
          <Anchor component="button" type="button" size="xs">
            Properties you can use
          </Anchor>
        </Popover.Target>
        <Popover.Dropdown>
          <ScrollArea.Autosize mah={360}>
            <Table fz="xs" verticalSpacing={2}>
              <Table.Tbody>
                {list.map((property) => (
                  <Table.Tr key={property.name}>
                    <Table.Td className="palisade-mono">
                      {prefix}
                      {property.name}
                    </Table.Td>
                    <Table.Td c="dimmed">
                      {property.type}
                      {property.multiValued ? ' (multi)' : ''}
                    </Table.Td>
                    <Table.Td>{property.description}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {list.length === 0 && (
              <Text size="xs" c="dimmed">
                {properties.isLoading ? 'Loading…' : 'The server did not list the properties.'}
              </Text>
            )}
          </ScrollArea.Autosize>
        </Popover.Dropdown>
      </Popover>
    </Text>
  );
}
