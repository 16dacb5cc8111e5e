import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type {
  CreateOnboardingTokenRequest,
  CreateOnboardingTokenResponse,
  ListOf,
  OnboardingInstructions,
  OnboardingToken,
} from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { DataTable } from '../../components/data-table.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { RelativeTime } from '../../components/relative-time.js';
import { policyPlatformLabel } from '../../domain/labels.js';

const TOKENS = ['onboarding-tokens'] as const;

const STATUS_COLORS: Record<OnboardingToken['status'], string> = {
  active: 'teal',
  expired: 'gray',
  revoked: 'red',
};

function Copyable({
  value,
  label,
  testId,
}: {
  value: string;
  label: string;
  testId?: string;
}): ReactNode {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Code
        block
        style={{ flex: 1, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
        data-testid={testId}
      >
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button
            variant="light"
            color={copied ? 'teal' : 'indigo'}
            onClick={copy}
            aria-label={`Copy ${label}`}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** The exact command to onboard a machine of each platform with this token. */
export function OnboardingCommands({
  instructions,
}: {
  instructions: OnboardingInstructions;
}): ReactNode {
  const first = instructions.platforms[0]?.platform;
  return (
    <Tabs defaultValue={first} keepMounted={false}>
      <Tabs.List>
        {instructions.platforms.map((step) => (
          <Tabs.Tab key={step.platform} value={step.platform}>
            {policyPlatformLabel(step.platform)}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {instructions.platforms.map((step) => (
        <Tabs.Panel key={step.platform} value={step.platform} pt="sm">
          <Stack gap={6}>
            <Text size="sm" fw={600}>
              {step.title}
            </Text>
            <Text size="xs" c="dimmed">
              Run in: {step.shell}
            </Text>
            <Copyable
              value={step.command}
              label={`${step.platform} command`}
              testId={`onboarding-command-${step.platform}`}
            />
            {step.notes.map((note) => (
              <Text key={note} size="xs" c="dimmed">
                {note}
              </Text>
            ))}
          </Stack>
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}

function CreateTokenForm(props: {
  onCreated: (answer: CreateOnboardingTokenResponse) => void;
  onCancel: () => void;
}): ReactNode {
  const form = useForm({
    mode: 'controlled',
    initialValues: { description: '', expiresInHours: 168 },
  });
  const create = useChange({
    run: (body: CreateOnboardingTokenRequest) =>
      api<CreateOnboardingTokenResponse>('/onboarding-tokens', { method: 'POST', body }),
    invalidates: [TOKENS],
    form,
    onSuccess: props.onCreated,
  });
  return (
    <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Description"
          placeholder="e.g. Linux web servers, wave 1"
          data-autofocus
          {...form.getInputProps('description')}
        />
        <NumberInput
          label="Valid for"
          description="1 hour to 1 year. Devices already onboarded keep working after it expires."
          rightSection={<Text size="xs">hours</Text>}
          rightSectionWidth={50}
          min={1}
          max={8760}
          allowDecimal={false}
          {...form.getInputProps('expiresInHours')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Onboarding tokens: create (the token is shown once, with the command per platform), revoke. */
export function OnboardingTokens(): ReactNode {
  const { can } = usePermissions();
  const manage = can('manage-tokens');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateOnboardingTokenResponse | null>(null);
  const tokens = useQuery({
    queryKey: TOKENS,
    queryFn: () => api<ListOf<OnboardingToken>>('/onboarding-tokens', { query: { limit: 500 } }),
    enabled: manage,
  });
  // The commands with a TOKEN placeholder, for reference before a token exists.
  const instructions = useQuery({
    queryKey: ['onboarding-instructions'],
    queryFn: () => api<OnboardingInstructions>('/onboarding/instructions'),
    enabled: manage,
  });
  const revoke = useChange({
    run: (token: OnboardingToken) =>
      api<OnboardingToken>(`/onboarding-tokens/${token.id}/revoke`, { method: 'POST' }),
    invalidates: [TOKENS],
    success: 'Token revoked: it no longer onboards devices',
  });
  const columns = useMemo<ColumnDef<OnboardingToken, unknown>[]>(
    () => [
      {
        id: 'hint',
        header: 'Token',
        accessorKey: 'hint',
        cell: ({ row }) => <Code>{row.original.hint}…</Code>,
      },
      { id: 'description', header: 'Description', accessorKey: 'description' },
      {
        id: 'status',
        header: 'Status',
        accessorKey: 'status',
        cell: ({ row }) => (
          <Badge color={STATUS_COLORS[row.original.status]}>{row.original.status}</Badge>
        ),
      },
      {
        id: 'createdAt',
        header: 'Created',
        accessorKey: 'createdAt',
        cell: ({ row }) => <RelativeTime value={row.original.createdAt} />,
      },
      {
        id: 'expiresAt',
        header: 'Expires',
        accessorKey: 'expiresAt',
        cell: ({ row }) => <RelativeTime value={row.original.expiresAt} />,
      },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.status === 'active' ? (
            <Button
              variant="subtle"
              color="red"
              onClick={async () => {
                const confirmed = await confirmAction({
                  title: 'Revoke onboarding token',
                  message: `Revoke ${row.original.hint}…? Machines can no longer onboard with it; devices already onboarded are not affected.`,
                  confirmLabel: 'Revoke token',
                });
                if (confirmed) revoke.mutate(row.original);
              }}
            >
              Revoke
            </Button>
          ) : null,
      },
    ],
    [revoke],
  );

  if (!manage) {
    return (
      <Alert color="gray" variant="light">
        Only administrators create and revoke onboarding tokens.
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          A token lets machines onboard into this tenant. It is shown once, when created.
        </Text>
        <Button onClick={() => setCreating(true)}>New onboarding token</Button>
      </Group>
      <ErrorAlert error={tokens.error} title="Tokens could not be loaded" />
      {tokens.data && tokens.data.items.length === 0 ? (
        <EmptyState title="No onboarding tokens yet">
          Create one, then run the command it shows on each machine to onboard.
        </EmptyState>
      ) : (
        <DataTable
          columns={columns}
          data={tokens.data?.items ?? []}
          rowKey={(token) => token.id}
          loading={tokens.isLoading}
          testId="tokens-table"
        />
      )}
      {instructions.data && (
        <Paper withBorder p="sm" bg="white" data-testid="onboarding-instructions">
          <Text size="sm" fw={600} mb={4}>
            How a machine onboards
          </Text>
          <Text size="xs" c="dimmed" mb="xs">
            Install the agent, then run the command for its platform with a token in place of TOKEN.
          </Text>
          <OnboardingCommands instructions={instructions.data} />
        </Paper>
      )}
      <Modal opened={creating} onClose={() => setCreating(false)} title="New onboarding token">
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            setCreated(answer);
          }}
        />
      </Modal>
      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title="Onboarding token created"
        size="xl"
      >
        {created && (
          <Stack gap="sm">
            <Alert color="yellow" variant="light">
              Copy the token now: it is not shown again.
            </Alert>
            <Copyable value={created.token} label="token" testId="created-token" />
            <Paper withBorder p="sm">
              <OnboardingCommands instructions={created.instructions} />
            </Paper>
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
