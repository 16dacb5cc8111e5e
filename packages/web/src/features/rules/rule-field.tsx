import { Badge, Group, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client.js';
import { AnchorLink } from '../../components/links.js';
import { RuleEditor, type RuleProblem } from '../../components/rule-editor.js';
import { platformLabel } from '../../domain/labels.js';
import { type RulePreviewEndpoint, useRulePreview } from './rule-preview.js';
import { RulePropertiesHelp } from './rule-properties-help.js';

/**
 * A rule as it is written: the editor underlining errors as you type and, beside it, the live
 * preview of the devices the rule matches now.
 */
export function RuleField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  endpoint: RulePreviewEndpoint;
  schema: 'device' | 'asset';
  /** Problems the server returned on save (shown until the next check). */
  saveProblems?: readonly RuleProblem[];
  readOnly?: boolean;
  placeholder?: string;
  /** The saved rule: while the text equals it, the members list already shows its matches. */
  saved?: string;
}): ReactNode {
  const preview = useRulePreview(props.endpoint, props.value);
  const data = preview.data;
  const problems =
    !preview.settling && data?.kind === 'invalid' ? data.problems : (props.saveProblems ?? []);
  return (
    <Stack gap="xs">
      <RuleEditor
        label={props.label}
        value={props.value}
        onChange={props.onChange}
        problems={preview.settling ? [] : problems}
        readOnly={props.readOnly}
        placeholder={props.placeholder}
        description={<RulePropertiesHelp schema={props.schema} />}
      />
      {props.saved !== undefined && props.value === props.saved ? null : (
        <Paper withBorder p="sm" bg="white" data-testid="rule-preview">
          <Group justify="space-between" mb={4}>
            <Text size="sm" fw={600}>
              Preview
            </Text>
            {preview.settling && props.value.trim() !== '' && <Loader size={14} />}
          </Group>
          {props.value.trim() === '' ? (
            <Text size="sm" c="dimmed">
              Write a rule to see which devices it matches.
            </Text>
          ) : preview.error ? (
            <Text size="sm" c="red.8">
              {errorMessage(preview.error)}
            </Text>
          ) : data?.kind === 'invalid' ? (
            <Text size="sm" c="dimmed">
              Fix the rule to see the devices it matches.
            </Text>
          ) : data?.kind === 'matches' ? (
            <Stack gap={4}>
              <Text size="sm" data-testid="rule-preview-count">
                <Badge color={data.count > 0 ? 'indigo' : 'gray'} size="md" mr={6}>
                  {data.count.toLocaleString()}
                </Badge>
                {data.count === 1 ? 'device matches' : 'devices match'} now
              </Text>
              {data.devices.length > 0 && (
                <Table fz="xs" verticalSpacing={2}>
                  <Table.Tbody>
                    {data.devices.map((device) => (
                      <Table.Tr key={device.id}>
                        <Table.Td>
                          <AnchorLink
                            to="/devices/$deviceId"
                            params={{ deviceId: device.id }}
                            size="xs"
                          >
                            {device.hostname}
                          </AnchorLink>
                        </Table.Td>
                        <Table.Td c="dimmed">{platformLabel(device.platform)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
              {data.count > data.devices.length && (
                <Text size="xs" c="dimmed">
                  and {(data.count - data.devices.length).toLocaleString()} more
                </Text>
              )}
            </Stack>
          ) : null}
        </Paper>
      )}
    </Stack>
  );
}
