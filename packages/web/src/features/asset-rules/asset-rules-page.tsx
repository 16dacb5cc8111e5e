import { Badge, Button, Code, Drawer, Group, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { AssetRule, CreateAssetRuleRequest, ListOf } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { DataTable } from '../../components/data-table.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';
import { RuleField } from '../rules/rule-field.js';
import { ruleProblemsOf } from '../rules/rule-problems.js';

const RULES = ['asset-rules'] as const;

interface AssetRuleFormValues {
  name: string;
  description: string;
  rule: string;
  tag: string;
  enabled: boolean;
}

function AssetRuleForm(props: {
  rule: AssetRule | null;
  readOnly: boolean;
  onDone: () => void;
}): ReactNode {
  const form = useForm<AssetRuleFormValues>({
    mode: 'controlled',
    initialValues: {
      name: props.rule?.name ?? '',
      description: props.rule?.description ?? '',
      rule: props.rule?.rule ?? '',
      tag: props.rule?.tag ?? '',
      enabled: props.rule?.enabled ?? true,
    },
    validate: {
      name: (value) => (value.trim() ? null : 'Name the rule'),
      rule: (value) => (value.trim() ? null : 'Write the condition'),
      tag: (value) => (/^[^\s,]+$/.test(value.trim()) ? null : 'One tag, without spaces or commas'),
    },
  });
  const save = useChange({
    run: (values: AssetRuleFormValues) => {
      const body: CreateAssetRuleRequest = { ...values, tag: values.tag.trim() };
      return props.rule
        ? api<AssetRule>(`/asset-rules/${props.rule.id}`, { method: 'PATCH', body })
        : api<AssetRule>('/asset-rules', { method: 'POST', body });
    },
    invalidates: [RULES, ['devices']],
    success: 'Asset rule saved; matching devices are tagged now',
    form,
    onSuccess: props.onDone,
  });
  return (
    <form onSubmit={form.onSubmit((values) => save.mutate(values))} noValidate>
      <Stack gap="sm">
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
        <RuleField
          label="Condition"
          schema="asset"
          endpoint="/asset-rules/preview"
          value={form.values.rule}
          onChange={(rule) => form.setFieldValue('rule', rule)}
          saveProblems={ruleProblemsOf(save.error)}
          readOnly={props.readOnly}
          placeholder='(osPlatform -eq "Linux") and (deviceName -startsWith "web-")'
        />
        <TextInput
          label="Action: add the tag"
          description="Every device matching the condition carries this tag (source: asset rule)."
          readOnly={props.readOnly}
          variant={props.readOnly ? 'filled' : 'default'}
          w={320}
          {...form.getInputProps('tag')}
        />
        <Switch
          label="Enabled"
          disabled={props.readOnly}
          {...form.getInputProps('enabled', { type: 'checkbox' })}
        />
        {!props.readOnly && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              {props.rule ? 'Save rule' : 'Create rule'}
            </Button>
            <Button variant="default" onClick={props.onDone}>
              Cancel
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

/** Asset rules: conditions that tag devices, to roll management out in phases. */
export function AssetRulesPage(): ReactNode {
  const { can } = usePermissions();
  const canEdit = can('edit-asset-rules');
  const [open, setOpen] = useState<AssetRule | 'new' | null>(null);
  const rules = useQuery({
    queryKey: RULES,
    queryFn: () => api<ListOf<AssetRule>>('/asset-rules', { query: { limit: 500 } }),
  });
  const remove = useChange({
    run: (rule: AssetRule) => api<void>(`/asset-rules/${rule.id}`, { method: 'DELETE' }),
    invalidates: [RULES, ['devices']],
    success: 'Asset rule deleted; its tags are removed',
  });
  const columns = useMemo<ColumnDef<AssetRule, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        accessorKey: 'name',
        cell: ({ row }) => (
          <Button variant="transparent" px={0} onClick={() => setOpen(row.original)}>
            {row.original.name}
          </Button>
        ),
      },
      {
        id: 'rule',
        header: 'Condition',
        accessorKey: 'rule',
        cell: ({ row }) => <Code>{row.original.rule}</Code>,
      },
      {
        id: 'tag',
        header: 'Adds tag',
        accessorKey: 'tag',
        cell: ({ row }) => <Badge color="indigo">{row.original.tag}</Badge>,
      },
      {
        id: 'enabled',
        header: 'State',
        accessorKey: 'enabled',
        cell: ({ row }) =>
          row.original.enabled ? (
            <Badge color="teal">enabled</Badge>
          ) : (
            <Badge color="gray">disabled</Badge>
          ),
      },
      {
        id: 'updatedAt',
        header: 'Changed',
        accessorKey: 'updatedAt',
        cell: ({ row }) => <RelativeTime value={row.original.updatedAt} />,
      },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        cell: ({ row }) =>
          canEdit && (
            <Button
              variant="subtle"
              color="red"
              onClick={async () => {
                const confirmed = await confirmAction({
                  title: 'Delete asset rule',
                  message: `Delete ${row.original.name}? The tag ${row.original.tag} it set is removed from its devices, which may take them out of scope.`,
                  confirmLabel: 'Delete rule',
                });
                if (confirmed) remove.mutate(row.original);
              }}
            >
              Delete
            </Button>
          ),
      },
    ],
    [canEdit, remove],
  );
  return (
    <>
      <PageHeader
        title="Asset rules"
        description="Conditions on device name, domain, platform, onboarding status or tags that add a tag — to bring devices into scope in phases."
        actions={canEdit && <Button onClick={() => setOpen('new')}>New asset rule</Button>}
      />
      <ErrorAlert error={rules.error} title="Asset rules could not be loaded" />
      {rules.data?.total === 0 ? (
        <EmptyState
          title="No asset rules yet"
          action={
            canEdit && (
              <Button variant="light" onClick={() => setOpen('new')}>
                Create an asset rule
              </Button>
            )
          }
        >
          With the enforcement scope set to "tagged", an asset rule decides which devices are
          managed: e.g. tag every Linux server whose name starts with web-.
        </EmptyState>
      ) : (
        <DataTable
          columns={columns}
          data={rules.data?.items ?? []}
          rowKey={(rule) => rule.id}
          loading={rules.isLoading}
          testId="asset-rules-table"
        />
      )}
      <Drawer
        opened={open !== null}
        onClose={() => setOpen(null)}
        position="right"
        size="xl"
        title={open === 'new' ? 'New asset rule' : open ? open.name : ''}
      >
        {open !== null && (
          <AssetRuleForm
            key={open === 'new' ? 'new' : open.id}
            rule={open === 'new' ? null : open}
            readOnly={!canEdit}
            onDone={() => setOpen(null)}
          />
        )}
        {open !== null && !canEdit && (
          <Text size="xs" c="dimmed" mt="sm">
            Your role reads asset rules; a security settings manager or administrator changes them.
          </Text>
        )}
      </Drawer>
    </>
  );
}
