import { Group, MultiSelect, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';
import type { Group as DeviceGroup, ListOf, PolicyAssignmentsMessage } from '../../api/types.js';
import { RuleEditor } from '../../components/rule-editor.js';
import { useRuleCheck } from '../rules/rule-check.js';
import { RulePropertiesHelp } from '../rules/rule-properties-help.js';

/** Include groups, exclude groups (exclude wins) and an optional filter on device properties. */
export function AssignmentsEditor(props: {
  value: PolicyAssignmentsMessage;
  onChange: (value: PolicyAssignmentsMessage) => void;
  readOnly: boolean;
  problems: Readonly<Record<string, string>>;
}): ReactNode {
  const groups = useQuery({
    queryKey: ['groups', 'all-names'],
    queryFn: () => api<ListOf<DeviceGroup>>('/groups', { query: { limit: 500 } }),
  });
  const options = (groups.data?.items ?? []).map((group) => ({
    value: group.id,
    label: `${group.name} (${group.kind})`,
  }));
  const filter = props.value.filter;
  const check = useRuleCheck('filter', filter?.rule ?? '');
  const set = (patch: Partial<PolicyAssignmentsMessage>) =>
    props.onChange({ ...props.value, ...patch });
  return (
    <Stack gap="md" maw={900}>
      <Paper withBorder p="md" bg="white">
        <Stack gap="sm">
          <Title order={3} size="h5">
            Groups
          </Title>
          <MultiSelect
            label="Include"
            description="The policy reaches the devices in these groups."
            placeholder={props.value.include.length ? '' : 'No group: the policy reaches no device'}
            data={options}
            searchable
            disabled={props.readOnly}
            value={[...props.value.include]}
            onChange={(include) => set({ include })}
            error={props.problems['assignments.include']}
            data-testid="assign-include"
          />
          <MultiSelect
            label="Exclude"
            description="Devices in these groups never get the policy, even when an included group has them."
            data={options}
            searchable
            disabled={props.readOnly}
            value={[...props.value.exclude]}
            onChange={(exclude) => set({ exclude })}
            error={props.problems['assignments.exclude']}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md" bg="white">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={3} size="h5">
              Filter
            </Title>
            <SegmentedControl
              aria-label="Filter mode"
              disabled={props.readOnly}
              value={filter?.mode ?? 'none'}
              onChange={(mode) =>
                set({
                  filter:
                    mode === 'include' || mode === 'exclude'
                      ? { mode, rule: filter?.rule ?? '' }
                      : null,
                })
              }
              data={[
                { value: 'none', label: 'No filter' },
                { value: 'include', label: 'Include matches' },
                { value: 'exclude', label: 'Exclude matches' },
              ]}
            />
          </Group>
          {filter ? (
            <RuleEditor
              label="Filter rule"
              description={<RulePropertiesHelp schema="filter" />}
              value={filter.rule}
              readOnly={props.readOnly}
              onChange={(rule) => set({ filter: { ...filter, rule } })}
              problems={check.problems}
              placeholder='(device.osVersion -startsWith "10.0.2")'
            />
          ) : (
            <Text size="sm" c="dimmed">
              Every device of the included groups gets the policy. A filter narrows that by device
              properties (e.g. only one OS version) without creating a group.
            </Text>
          )}
          {props.problems['assignments.filter.rule'] && (
            <Text size="xs" c="red.8">
              {props.problems['assignments.filter.rule']}
            </Text>
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}
