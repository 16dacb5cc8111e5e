import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Paper,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { api } from '../../api/client.js';
import { useChange } from '../../api/mutations.js';
import type { DeviceDetail } from '../../api/types.js';
import { usePermissions } from '../../api/use-session.js';
import { confirmAction } from '../../components/confirm.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink, ButtonLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';
import { EnrollmentBadge, ReportStatusBadge } from '../../components/status-badge.js';
import { managedByLabel, platformLabel, TAG_SOURCE_LABELS } from '../../domain/labels.js';
import { SyncButton } from '../sync/sync-button.js';
import { DevicePolicies } from './device-policies.js';
import { DEVICE_TABS } from './devices-search.js';
import { ruleSnippet } from './rule-snippet.js';

const route = getRouteApi('/app/devices/$deviceId');

function KeyValues({
  rows,
  testId,
}: {
  rows: readonly [string, ReactNode][];
  testId?: string;
}): ReactNode {
  return (
    <Table fz="sm" verticalSpacing={4} data-testid={testId}>
      <Table.Tbody>
        {rows.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Td w={220} c="dimmed">
              {key}
            </Table.Td>
            <Table.Td>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function show(value: unknown): ReactNode {
  if (value === null || value === undefined || value === '')
    return (
      <Text span size="sm" c="dimmed">
        unknown
      </Text>
    );
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value))
    return value.length === 0 ? (
      <Text span size="sm" c="dimmed">
        none
      </Text>
    ) : (
      value.join(', ')
    );
  if (typeof value === 'object') return <Code>{JSON.stringify(value)}</Code>;
  return String(value);
}

function Facts({ device }: { device: DeviceDetail }): ReactNode {
  const f = device.facts;
  return (
    <KeyValues
      testId="device-facts"
      rows={[
        ['Host name', f.hostname],
        ['Domain', show(f.domain)],
        ['Platform', platformLabel(f.platform)],
        ['Operating system', show(f.osName ?? f.osVersion)],
        ['OS version', f.osVersion],
        ['Distribution', show(f.distro)],
        ['Kernel', show(f.kernel)],
        ['Architecture', show(f.architecture)],
        ['Agent version', f.agentVersion],
        ['Domain controller', show(f.isDomainController)],
        ['Server Core', show(f.isServerCore)],
        ['PowerShell language mode', show(f.powershellLanguageMode)],
        ['Non-persistent VDI', show(f.nonPersistentVdi)],
        ['MDM managed', show(f.mdmManaged)],
        ['Configuration Manager managed', show(f.configMgrManaged)],
        ['Enforcement targets found', show(f.installedTargets)],
        ['Machine id', <Code key="m">{device.machineId}</Code>],
      ]}
    />
  );
}

function Management({ device }: { device: DeviceDetail }): ReactNode {
  const managed = device.enrollment.code === 1;
  return (
    <Stack gap="xs">
      <KeyValues
        rows={[
          ['Managed by', <b key="m">{managedByLabel(device.managedBy)}</b>],
          [
            'Enrollment status',
            <EnrollmentBadge key="e" code={device.enrollment.code} name={device.enrollment.name} />,
          ],
          [
            'Identity',
            <Text key="i" size="sm">
              {device.identity.kind === 'synthetic'
                ? 'Synthetic (created by Palisade)'
                : "Existing (joined to this tenant's directory)"}{' '}
              <Text span size="xs" c="dimmed" className="palisade-mono">
                {device.identity.directoryDeviceId}
              </Text>
            </Text>,
          ],
          ['Enrolled', <RelativeTime key="en" value={device.enrolledAt} />],
          ['Last check-in', <RelativeTime key="c" value={device.lastCheckInAt} />],
          ['Last report', <RelativeTime key="r" value={device.lastReportAt} />],
        ]}
      />
      <Alert
        color={managed ? 'teal' : 'orange'}
        variant="light"
        title={managed ? 'Managed' : 'Not managed'}
        data-testid="enrollment-meaning"
      >
        <Text size="sm">{device.enrollment.meaning}</Text>
        {device.enrollment.fix && (
          <Text size="sm" mt={4}>
            <b>Fix:</b> {device.enrollment.fix}
          </Text>
        )}
      </Alert>
    </Stack>
  );
}

function Tags({ device }: { device: DeviceDetail }): ReactNode {
  const { can } = usePermissions();
  const canEdit = can('edit-device-tags');
  const [draft, setDraft] = useState('');
  const add = useChange({
    run: (tag: string) => api(`/devices/${device.id}/tags`, { method: 'POST', body: { tag } }),
    invalidates: [['devices']],
    success: 'Tag added; groups and scope are re-evaluated',
    onSuccess: () => setDraft(''),
  });
  const remove = useChange({
    run: (tag: string) =>
      api(`/devices/${device.id}/tags/${encodeURIComponent(tag)}`, { method: 'DELETE' }),
    invalidates: [['devices']],
    success: 'Tag removed',
  });
  return (
    <Stack gap="xs">
      <Table fz="sm" verticalSpacing={4} data-testid="device-tags">
        <Table.Tbody>
          {device.tagSources.length === 0 && (
            <Table.Tr>
              <Table.Td c="dimmed">No tags.</Table.Td>
            </Table.Tr>
          )}
          {device.tagSources.map((tag) => (
            <Table.Tr key={`${tag.tag}:${tag.source}:${tag.ruleId ?? ''}`}>
              <Table.Td>
                <Badge color="gray" variant="outline">
                  {tag.tag}
                </Badge>
              </Table.Td>
              <Table.Td c="dimmed">
                {TAG_SOURCE_LABELS[tag.source]}
                {tag.source === 'asset-rule' && tag.ruleName ? `: ${tag.ruleName}` : ''}
              </Table.Td>
              <Table.Td w={40}>
                {canEdit && tag.source === 'manual' && (
                  <Tooltip label="Remove this tag">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="sm"
                      aria-label={`Remove tag ${tag.tag}`}
                      onClick={async () => {
                        const confirmed = await confirmAction({
                          title: 'Remove tag',
                          message: `Remove ${tag.tag} from ${device.hostname}? Groups, scope and policies that depend on it follow.`,
                          confirmLabel: 'Remove tag',
                        });
                        if (confirmed) remove.mutate(tag.tag);
                      }}
                    >
                      ×
                    </ActionIcon>
                  </Tooltip>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canEdit && (
        <Group gap={6}>
          <TextInput
            aria-label="New tag"
            placeholder="Add a tag"
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && draft.trim()) add.mutate(draft.trim());
            }}
          />
          <Button
            variant="light"
            disabled={!draft.trim()}
            loading={add.isPending}
            onClick={() => add.mutate(draft.trim())}
          >
            Add tag
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function Groups({ device }: { device: DeviceDetail }): ReactNode {
  if (device.groups.length === 0)
    return (
      <Text size="sm" c="dimmed">
        In no group.
      </Text>
    );
  return (
    <Group gap={6} data-testid="device-groups">
      {device.groups.map((group) => (
        <Badge key={group.id} color={group.kind === 'dynamic' ? 'grape' : 'blue'} variant="light">
          <AnchorLink to="/groups/$groupId" params={{ groupId: group.id }} size="xs" c="inherit">
            {group.name}
          </AnchorLink>
        </Badge>
      ))}
    </Group>
  );
}

function RuleProperties({ device }: { device: DeviceDetail }): ReactNode {
  const { can } = usePermissions();
  const entries = Object.entries(device.ruleProperties).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        The device exactly as dynamic group rules see them: start a group from any of them.
      </Text>
      <Paper withBorder bg="white">
        <Table fz="sm" verticalSpacing={4} striped data-testid="rule-properties">
          <Table.Tbody>
            {entries.map(([name, value]) => {
              const snippet = ruleSnippet(name, value);
              return (
                <Table.Tr key={name} data-property={name}>
                  <Table.Td className="palisade-mono" w={300}>
                    device.{name}
                  </Table.Td>
                  <Table.Td className="palisade-mono">{JSON.stringify(value)}</Table.Td>
                  <Table.Td w={200} ta="right">
                    {snippet && can('edit-groups') && (
                      <ButtonLink
                        to="/groups/new"
                        search={{ rule: snippet }}
                        variant="subtle"
                        size="compact-xs"
                      >
                        New group from this
                      </ButtonLink>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

function CheckIns({ device }: { device: DeviceDetail }): ReactNode {
  return (
    <Paper withBorder bg="white">
      <Table fz="sm" verticalSpacing={4} striped data-testid="check-ins">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Revision held</Table.Th>
            <Table.Th>Answer</Table.Th>
            <Table.Th>Facts</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {device.checkIns.map((entry, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a check-in has no id; the list is newest first
            <Table.Tr key={`${entry.at}-${index}`}>
              <Table.Td>
                <RelativeTime value={entry.at} />
              </Table.Td>
              <Table.Td>{entry.heldRevision ?? 'none'}</Table.Td>
              <Table.Td>
                {entry.sentRevision === null ? (
                  <Text size="sm" c="dimmed">
                    unchanged
                  </Text>
                ) : (
                  <>new configuration, revision {entry.sentRevision}</>
                )}
              </Table.Td>
              <Table.Td>{entry.factsChanged ? 'changed' : ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {device.checkIns.length === 0 && (
        <Text size="sm" c="dimmed" p="sm">
          No check-in yet.
        </Text>
      )}
    </Paper>
  );
}

export function DevicePage(): ReactNode {
  const { deviceId } = route.useParams();
  const { tab } = route.useSearch();
  const navigate = useNavigate({ from: '/devices/$deviceId' });
  const { can } = usePermissions();
  const device = useQuery({
    queryKey: ['devices', 'detail', deviceId],
    queryFn: () => api<DeviceDetail>(`/devices/${deviceId}`),
  });
  const offboard = useChange({
    run: () => api(`/devices/${deviceId}/offboard`, { method: 'POST' }),
    invalidates: [['devices'], ['dashboard']],
    success: 'Device offboarded: its credential no longer works',
  });
  if (device.error)
    return <ErrorAlert error={device.error} title="The device could not be loaded" />;
  if (!device.data) return null;
  const data = device.data;
  const offboarded = data.offboardedAt !== null;
  return (
    <>
      <PageHeader
        documentTitle={data.hostname}
        title={
          <Group gap="xs">
            {data.hostname}
            {data.reportStatus && <ReportStatusBadge status={data.reportStatus} />}
            {offboarded && <Badge color="gray">offboarded</Badge>}
          </Group>
        }
        description={`${platformLabel(data.platform)} ${data.osVersion} · ${managedByLabel(data.managedBy)}`}
        actions={
          !offboarded && (
            <>
              {can('sync') && <SyncButton scope="device" id={data.id} />}
              {can('offboard-devices') && (
                <Button
                  variant="light"
                  color="red"
                  onClick={async () => {
                    const confirmed = await confirmAction({
                      title: 'Offboard device',
                      message: `Offboard ${data.hostname}? Its credential stops working; it must onboard again with a token to come back.`,
                      confirmLabel: 'Offboard',
                    });
                    if (confirmed) offboard.mutate(undefined);
                  }}
                >
                  Offboard
                </Button>
              )}
            </>
          )
        }
      />
      <Tabs
        value={tab ?? 'overview'}
        onChange={(next) =>
          void navigate({
            search: { tab: next === 'overview' ? undefined : DEVICE_TABS.find((t) => t === next) },
          })
        }
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="policies">Security policies</Tabs.Tab>
          <Tabs.Tab value="properties">Rule properties</Tabs.Tab>
          <Tabs.Tab value="check-ins">Check-in history</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Grid gap="md">
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Paper withBorder p="md" bg="white">
                <Title order={3} size="h5" mb="xs">
                  Management
                </Title>
                <Management device={data} />
              </Paper>
              <Paper withBorder p="md" bg="white" mt="md">
                <Title order={3} size="h5" mb="xs">
                  Tags
                </Title>
                <Tags device={data} />
              </Paper>
              <Paper withBorder p="md" bg="white" mt="md">
                <Title order={3} size="h5" mb="xs">
                  Groups
                </Title>
                <Groups device={data} />
              </Paper>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Paper withBorder p="md" bg="white">
                <Title order={3} size="h5" mb="xs">
                  Facts
                </Title>
                <Facts device={data} />
              </Paper>
            </Grid.Col>
          </Grid>
        </Tabs.Panel>
        <Tabs.Panel value="policies">
          <DevicePolicies device={data} />
        </Tabs.Panel>
        <Tabs.Panel value="properties">
          <RuleProperties device={data} />
        </Tabs.Panel>
        <Tabs.Panel value="check-ins">
          <CheckIns device={data} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
