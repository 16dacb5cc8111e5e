/**
 * The dashboard: devices by enrollment status and platform, the policy status roll-up, devices
 * failing now, devices not seen within the interval, and the latest changes. Every number links to
 * the filtered list behind it.
 */
import { BarChart } from '@mantine/charts';
import {
  Badge,
  Code,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import type { Platform, ReportStatus } from '@palisade/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../../api/client.js';
import type { AuditEntry, Dashboard, DeviceSummary, ListOf } from '../../api/types.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { AnchorLink, ButtonLink } from '../../components/links.js';
import { PageHeader } from '../../components/page-header.js';
import { RelativeTime } from '../../components/relative-time.js';
import { ReportStatusBadge } from '../../components/status-badge.js';
import {
  PLATFORM_LABELS,
  PLATFORM_LIST,
  platformLabel,
  REPORT_STATUS_COLORS,
  REPORT_STATUS_LABELS,
  ROLLUP_STATUSES,
} from '../../domain/labels.js';

const STATUS_PALETTE = [
  'teal.6',
  'orange.6',
  'red.6',
  'yellow.6',
  'grape.6',
  'cyan.6',
  'pink.6',
  'lime.6',
  'gray.6',
];

function Stat(props: {
  label: string;
  value: number;
  link: ReactNode;
  color?: string;
  testId?: string;
}): ReactNode {
  return (
    <Paper withBorder p="sm" bg="white" data-testid={props.testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {props.label}
      </Text>
      <Text size="xl" fw={700} c={props.color}>
        {props.link}
      </Text>
    </Paper>
  );
}

function EnrollmentChart({ data }: { data: Dashboard }): ReactNode {
  const statuses = [...new Map(data.enrollment.map((row) => [row.code, row])).values()].sort(
    (a, b) => a.code - b.code,
  );
  const rows = PLATFORM_LIST.map((platform) => {
    const row: Record<string, string | number> = { platform: PLATFORM_LABELS[platform] };
    for (const status of statuses) {
      row[status.name] = data.enrollment
        .filter((entry) => entry.platform === platform && entry.code === status.code)
        .reduce((sum, entry) => sum + entry.devices, 0);
    }
    return row;
  });
  const series = statuses.map((status, index) => ({
    name: status.name,
    label: `${status.code} · ${status.name}`,
    color:
      status.code === 1
        ? 'teal.6'
        : (STATUS_PALETTE[(index % (STATUS_PALETTE.length - 1)) + 1] ?? 'gray.6'),
  }));
  const count = (platform: Platform, code: number) =>
    data.enrollment
      .filter((e) => e.platform === platform && e.code === code)
      .reduce((s, e) => s + e.devices, 0);
  return (
    <Stack gap="sm">
      {statuses.length > 0 ? (
        <BarChart
          h={220}
          data={rows}
          dataKey="platform"
          type="stacked"
          series={series}
          withLegend
          tickLine="y"
          gridAxis="y"
        />
      ) : (
        <Text size="sm" c="dimmed">
          No devices yet.
        </Text>
      )}
      <Table fz="xs" verticalSpacing={3} data-testid="enrollment-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Enrollment status</Table.Th>
            {PLATFORM_LIST.map((platform) => (
              <Table.Th key={platform} ta="right">
                {PLATFORM_LABELS[platform]}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {statuses.map((status) => (
            <Table.Tr key={status.code}>
              <Table.Td title={status.meaning}>
                {status.code} · {status.name}
              </Table.Td>
              {PLATFORM_LIST.map((platform) => {
                const n = count(platform, status.code);
                return (
                  <Table.Td key={platform} ta="right">
                    {n === 0 ? (
                      <Text span size="xs" c="dimmed">
                        0
                      </Text>
                    ) : (
                      <AnchorLink
                        to="/devices"
                        search={{ platform, enrollmentStatus: String(status.code) }}
                        size="xs"
                      >
                        {n}
                      </AnchorLink>
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Rollup({ data }: { data: Dashboard }): ReactNode {
  return (
    <Table fz="sm" verticalSpacing={4} data-testid="status-rollup">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Status</Table.Th>
          <Table.Th ta="right">Devices (worst setting)</Table.Th>
          <Table.Th ta="right">Settings</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {ROLLUP_STATUSES.map((status: ReportStatus) => (
          <Table.Tr key={status}>
            <Table.Td>
              <Badge color={REPORT_STATUS_COLORS[status]}>{REPORT_STATUS_LABELS[status]}</Badge>
            </Table.Td>
            <Table.Td ta="right">
              <AnchorLink
                to="/devices"
                search={{ reportStatus: status }}
                size="sm"
                data-testid={`rollup-${status}`}
              >
                {data.deviceStatus[status]}
              </AnchorLink>
            </Table.Td>
            <Table.Td ta="right">{data.settingStatus[status]}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function DeviceList({
  devices,
  empty,
}: {
  devices: readonly DeviceSummary[];
  empty: string;
}): ReactNode {
  if (devices.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {empty}
      </Text>
    );
  }
  return (
    <Table fz="sm" verticalSpacing={3}>
      <Table.Tbody>
        {devices.slice(0, 8).map((device) => (
          <Table.Tr key={device.id}>
            <Table.Td>
              <AnchorLink
                to="/devices/$deviceId"
                params={{ deviceId: device.id }}
                search={{ tab: 'policies' }}
                size="sm"
              >
                {device.hostname}
              </AnchorLink>
            </Table.Td>
            <Table.Td c="dimmed">{platformLabel(device.platform)}</Table.Td>
            <Table.Td>
              {device.reportStatus && <ReportStatusBadge status={device.reportStatus} />}
            </Table.Td>
            <Table.Td>
              <RelativeTime value={device.lastCheckInAt} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function LatestChanges(): ReactNode {
  const audit = useQuery({
    queryKey: ['audit', 'latest'],
    queryFn: () => api<ListOf<AuditEntry>>('/audit', { query: { limit: 8 } }),
  });
  if (audit.error)
    return <ErrorAlert error={audit.error} title="The audit log could not be loaded" />;
  const items = audit.data?.items ?? [];
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No change yet.
      </Text>
    );
  return (
    <Table fz="sm" verticalSpacing={3} data-testid="latest-changes">
      <Table.Tbody>
        {items.map((entry) => (
          <Table.Tr key={entry.id}>
            <Table.Td>
              <RelativeTime value={entry.at} />
            </Table.Td>
            <Table.Td>{entry.actor.name}</Table.Td>
            <Table.Td>
              <Code>{entry.action}</Code>
            </Table.Td>
            <Table.Td>
              {entry.objectType}{' '}
              <Text span size="xs" c="dimmed" className="palisade-mono">
                {entry.objectId}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Section(props: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
  testId?: string;
}): ReactNode {
  return (
    <Paper withBorder p="md" bg="white" h="100%" data-testid={props.testId}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {props.title}
        </Title>
        {props.action}
      </Group>
      {props.children}
    </Paper>
  );
}

export function DashboardPage(): ReactNode {
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => api<Dashboard>('/dashboard'),
    refetchInterval: 15_000,
  });
  if (dashboard.error)
    return <ErrorAlert error={dashboard.error} title="The dashboard could not be loaded" />;
  const data = dashboard.data;
  if (!data) return <PageHeader title="Dashboard" />;
  const managed = data.enrollment
    .filter((row) => row.code === 1)
    .reduce((sum, row) => sum + row.devices, 0);
  return (
    <>
      <PageHeader title="Dashboard" description="The fleet's state now." />
      {data.devices === 0 ? (
        <EmptyState
          title="No devices yet"
          action={
            <ButtonLink to="/settings" search={{ tab: 'onboarding' }} variant="light">
              Onboard machines
            </ButtonLink>
          }
        >
          Create an onboarding token in Settings and run the command on a machine: it appears here
          as soon as it enrolls.
        </EmptyState>
      ) : (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Stat
              label="Devices"
              value={data.devices}
              testId="stat-devices"
              link={
                <AnchorLink to="/devices" inherit>
                  {data.devices}
                </AnchorLink>
              }
            />
            <Stat
              label="Managed by Palisade"
              value={managed}
              color="teal.8"
              link={
                <AnchorLink to="/devices" search={{ enrollmentStatus: '1' }} inherit c="teal.8">
                  {managed}
                </AnchorLink>
              }
            />
            <Stat
              label="Failing now"
              value={data.failingDeviceCount}
              color={data.failingDeviceCount > 0 ? 'red.8' : undefined}
              testId="stat-failing"
              link={
                <AnchorLink
                  to="/devices"
                  search={{ reportStatus: 'failed' }}
                  inherit
                  c={data.failingDeviceCount > 0 ? 'red.8' : undefined}
                >
                  {data.failingDeviceCount}
                </AnchorLink>
              }
            />
            <Stat
              label={`Not seen for ${data.notSeen.minutes} min`}
              value={data.notSeen.count}
              color={data.notSeen.count > 0 ? 'orange.8' : undefined}
              link={
                <AnchorLink
                  to="/devices"
                  search={{ notSeenForMinutes: data.notSeen.minutes }}
                  inherit
                  c={data.notSeen.count > 0 ? 'orange.8' : undefined}
                >
                  {data.notSeen.count}
                </AnchorLink>
              }
            />
          </SimpleGrid>
          <Grid gap="md">
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <Section title="Devices by enrollment status and platform" testId="enrollment-chart">
                <EnrollmentChart data={data} />
              </Section>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <Section title="Policy status">
                <Rollup data={data} />
              </Section>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Section
                title="Failing now"
                testId="failing-devices"
                action={
                  data.failingDeviceCount > 0 && (
                    <AnchorLink to="/devices" search={{ reportStatus: 'failed' }} size="xs">
                      All {data.failingDeviceCount}
                    </AnchorLink>
                  )
                }
              >
                <DeviceList devices={data.failingDevices} empty="No device is failing a setting." />
              </Section>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 6 }}>
              <Section
                title={`Not seen for ${data.notSeen.minutes} minutes`}
                action={
                  data.notSeen.count > 0 && (
                    <AnchorLink
                      to="/devices"
                      search={{ notSeenForMinutes: data.notSeen.minutes }}
                      size="xs"
                    >
                      All {data.notSeen.count}
                    </AnchorLink>
                  )
                }
              >
                <DeviceList
                  devices={data.notSeen.devices}
                  empty="Every device checked in within the interval."
                />
              </Section>
            </Grid.Col>
            <Grid.Col span={12}>
              <Section
                title="Latest changes"
                action={
                  <AnchorLink to="/audit" size="xs">
                    Audit log
                  </AnchorLink>
                }
              >
                <LatestChanges />
              </Section>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </>
  );
}
