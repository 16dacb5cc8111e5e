/**
 * Versions of a policy: every save, who and when; a diff between any two (the server compares
 * them per setting) and revert (a new version with an old version's content).
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { ListOf, Policy, PolicyDiff } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { ChangeDiff, JsonValueText } from '../../components/change-diff.js';
import { confirmAction } from '../../components/confirm.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { RelativeTime } from '../../components/relative-time.js';

interface VersionSummary {
  readonly version: number;
  readonly name: string;
  readonly change: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
}

const DIFF_COLORS: Record<PolicyDiff['settings'][number]['kind'], string> = {
  added: 'teal',
  removed: 'red',
  changed: 'indigo',
};

/** A list setting's change as the items added and removed, rather than two whole lists. */
function ListChange({ before, after }: { before: unknown; after: unknown }): ReactNode {
  const beforeItems = Array.isArray(before) ? before.map((item) => JSON.stringify(item)) : [];
  const afterItems = Array.isArray(after) ? after.map((item) => JSON.stringify(item)) : [];
  const added = afterItems.filter((item) => !beforeItems.includes(item));
  const removed = beforeItems.filter((item) => !afterItems.includes(item));
  const show = (item: string) => {
    const value = JSON.parse(item) as unknown;
    return typeof value === 'string' ? value : item;
  };
  return (
    <Stack gap={0}>
      {removed.map((item) => (
        <Text key={`-${item}`} size="xs" className="palisade-mono diff-removed">
          − {show(item)}
        </Text>
      ))}
      {added.map((item) => (
        <Text key={`+${item}`} size="xs" className="palisade-mono diff-added">
          + {show(item)}
        </Text>
      ))}
      {added.length === 0 && removed.length === 0 && (
        <Text size="xs" c="dimmed">
          same items, another order
        </Text>
      )}
    </Stack>
  );
}

function DiffView({
  policyId,
  from,
  to,
}: {
  policyId: string;
  from: number;
  to: number;
}): ReactNode {
  const diff = useQuery({
    queryKey: ['policies', policyId, 'diff', from, to],
    queryFn: () => api<PolicyDiff>(`/policies/${policyId}/diff`, { query: { from, to } }),
  });
  if (diff.error) return <ErrorAlert error={diff.error} title="The diff could not be loaded" />;
  if (!diff.data) return null;
  const { settings, fields } = diff.data;
  if (settings.length === 0 && fields.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="policy-diff-empty">
        Versions {from} and {to} have the same content.
      </Text>
    );
  }
  return (
    <Stack gap="sm" data-testid="policy-diff">
      {settings.length > 0 && (
        <Paper withBorder bg="white">
          <Table fz="xs" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Setting</Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th>Version {from}</Table.Th>
                <Table.Th>Version {to}</Table.Th>
                <Table.Th>Items</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {settings.map((setting) => (
                <Table.Tr key={setting.settingId}>
                  <Table.Td className="palisade-mono">{setting.settingId}</Table.Td>
                  <Table.Td>
                    <Badge color={DIFF_COLORS[setting.kind]}>{setting.kind}</Badge>
                  </Table.Td>
                  <Table.Td className="diff-removed">
                    <JsonValueText value={setting.before} />
                  </Table.Td>
                  <Table.Td className="diff-added">
                    <JsonValueText value={setting.after} />
                  </Table.Td>
                  <Table.Td>
                    {(Array.isArray(setting.before) || Array.isArray(setting.after)) && (
                      <ListChange before={setting.before} after={setting.after} />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {fields.map((field) => (
        <Stack key={field.field} gap={4}>
          <Text size="xs" fw={600}>
            {field.field}
          </Text>
          <ChangeDiff before={field.before} after={field.after} />
        </Stack>
      ))}
    </Stack>
  );
}

export function PolicyVersions({ policy, dirty }: { policy: Policy; dirty: boolean }): ReactNode {
  const { can } = usePermissions();
  const versions = useQuery({
    queryKey: ['policies', policy.id, 'versions', policy.version],
    queryFn: () =>
      api<ListOf<VersionSummary>>(`/policies/${policy.id}/versions`, { query: { limit: 500 } }),
  });
  const [from, setFrom] = useState<number>(Math.max(1, policy.version - 1));
  const [to, setTo] = useState<number>(policy.version);
  const revert = useChange({
    run: (version: number) =>
      api<Policy>(`/policies/${policy.id}/revert`, { method: 'POST', body: { version } }),
    invalidates: [['policies'], ['dashboard']],
    success: (saved) => `Reverted: version ${saved.version} has the old content`,
  });
  const options = (versions.data?.items ?? []).map((version) => ({
    value: String(version.version),
    label: `Version ${version.version}`,
  }));
  return (
    <Stack gap="md">
      <ErrorAlert error={versions.error} title="Versions could not be loaded" />
      <Paper withBorder bg="white">
        <Table fz="sm" verticalSpacing={5} striped data-testid="policy-versions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Change</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(versions.data?.items ?? []).map((version) => (
              <Table.Tr key={version.version} data-version={version.version}>
                <Table.Td>
                  <Group gap={4}>
                    <b>{version.version}</b>
                    {version.version === policy.version && <Badge color="teal">in force</Badge>}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Code>{version.change}</Code>
                </Table.Td>
                <Table.Td>{version.name}</Table.Td>
                <Table.Td>{version.createdBy ?? 'system'}</Table.Td>
                <Table.Td>
                  <RelativeTime value={version.createdAt} />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} justify="flex-end">
                    <Button
                      variant="subtle"
                      onClick={() => {
                        setFrom(version.version);
                        setTo(policy.version);
                      }}
                    >
                      Compare with current
                    </Button>
                    {can('edit-policies') && version.version !== policy.version && (
                      <Button
                        variant="subtle"
                        color="orange"
                        loading={revert.isPending && revert.variables === version.version}
                        onClick={async () => {
                          const confirmed = await confirmAction({
                            title: `Revert to version ${version.version}`,
                            message: `Save version ${policy.version + 1} with the content of version ${version.version}? Devices get it at once.${dirty ? ' Your unsaved edits are discarded.' : ''}`,
                            confirmLabel: 'Revert',
                            destructive: false,
                          });
                          if (confirmed) revert.mutate(version.version);
                        }}
                      >
                        Revert to this
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Paper withBorder p="md" bg="white">
        <Group gap="sm" mb="sm" align="flex-end">
          <Title order={3} size="h5" mr="md">
            Compare
          </Title>
          <Select
            label="From"
            w={140}
            data={options}
            value={String(from)}
            allowDeselect={false}
            onChange={(value) => value && setFrom(Number(value))}
          />
          <Select
            label="To"
            w={140}
            data={options}
            value={String(to)}
            allowDeselect={false}
            onChange={(value) => value && setTo(Number(value))}
          />
        </Group>
        {from === to ? (
          <Alert variant="light" color="gray">
            Pick two different versions.
          </Alert>
        ) : (
          <DiffView policyId={policy.id} from={from} to={to} />
        )}
      </Paper>
    </Stack>
  );
}
