import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { type ReactNode, useState } from 'react';
import type { DeviceSummary } from '../../api/types.js';
import { DevicePicker } from '../../components/device-picker.js';
import { RuleField } from '../rules/rule-field.js';
import { ruleProblemsOf } from '../rules/rule-problems.js';

export interface GroupFormValues {
  kind: 'assigned' | 'dynamic';
  name: string;
  description: string;
  rule: string;
  /** New assigned groups only: the first members. */
  members: DeviceSummary[];
}

/** Name, description and either the membership rule (dynamic) or the first members (assigned). */
export function GroupForm(props: {
  initial: GroupFormValues;
  creating: boolean;
  readOnly: boolean;
  saving: boolean;
  saveError: unknown;
  onSubmit: (values: GroupFormValues) => void;
  onCancel?: () => void;
}): ReactNode {
  const form = useForm<GroupFormValues>({
    mode: 'controlled',
    initialValues: props.initial,
    validate: {
      name: (value) => (value.trim() ? null : 'Name the group'),
      rule: (value, values) =>
        values.kind === 'dynamic' && !value.trim()
          ? 'A dynamic group needs a membership rule'
          : null,
    },
  });
  const [submitted, setSubmitted] = useState<string | null>(null);
  const saveProblems = submitted === form.values.rule ? ruleProblemsOf(props.saveError) : [];
  const memberIds = new Set(form.values.members.map((device) => device.id));
  return (
    <form
      onSubmit={form.onSubmit((values) => {
        setSubmitted(values.rule);
        props.onSubmit(values);
      })}
      noValidate
    >
      <Stack gap="sm">
        {props.creating && (
          <SegmentedControl
            aria-label="Group type"
            w={320}
            data={[
              { value: 'dynamic', label: 'Dynamic (rule)' },
              { value: 'assigned', label: 'Assigned (by hand)' },
            ]}
            {...form.getInputProps('kind')}
          />
        )}
        <Group grow align="flex-start">
          <TextInput
            label="Name"
            readOnly={props.readOnly}
            variant={props.readOnly ? 'filled' : 'default'}
            data-autofocus
            {...form.getInputProps('name')}
          />
          <TextInput
            label="Description"
            readOnly={props.readOnly}
            variant={props.readOnly ? 'filled' : 'default'}
            {...form.getInputProps('description')}
          />
        </Group>
        {form.values.kind === 'dynamic' ? (
          <>
            <RuleField
              label="Membership rule"
              schema="device"
              endpoint="/groups/preview"
              value={form.values.rule}
              onChange={(rule) => form.setFieldValue('rule', rule)}
              saveProblems={saveProblems}
              readOnly={props.readOnly}
              placeholder='(device.deviceOSType -eq "Linux")'
              {...(props.creating ? {} : { saved: props.initial.rule })}
            />
            {typeof form.errors.rule === 'string' && (
              <Text size="xs" c="red.8">
                {form.errors.rule}
              </Text>
            )}
          </>
        ) : (
          props.creating && (
            <Paper withBorder p="sm" bg="white">
              <Stack gap={6}>
                <Text size="sm" fw={600}>
                  Members
                </Text>
                <DevicePicker
                  exclude={memberIds}
                  onPick={(device) =>
                    form.setFieldValue('members', [...form.values.members, device])
                  }
                />
                <Group gap={6}>
                  {form.values.members.length === 0 && (
                    <Text size="xs" c="dimmed">
                      No members yet; you can add them later too.
                    </Text>
                  )}
                  {form.values.members.map((device) => (
                    <Badge
                      key={device.id}
                      color="gray"
                      rightSection={
                        <ActionIcon
                          size="xs"
                          variant="transparent"
                          aria-label={`Remove ${device.hostname}`}
                          onClick={() =>
                            form.setFieldValue(
                              'members',
                              form.values.members.filter((member) => member.id !== device.id),
                            )
                          }
                        >
                          ×
                        </ActionIcon>
                      }
                    >
                      {device.hostname}
                    </Badge>
                  ))}
                </Group>
              </Stack>
            </Paper>
          )
        )}
        {!props.readOnly && (
          <Group>
            <Button type="submit" loading={props.saving}>
              {props.creating ? 'Create group' : 'Save group'}
            </Button>
            {props.onCancel && (
              <Button variant="default" onClick={props.onCancel}>
                Cancel
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </form>
  );
}
