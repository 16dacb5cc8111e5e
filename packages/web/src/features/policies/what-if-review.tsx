/**
 * What-if before saving: which devices the draft reaches, which of them would change and how (per
 * setting), and which conflicts would appear or be resolved. Nothing is saved until the
 * administrator confirms.
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import type { ReactNode } from 'react';
import type { WhatIfResponse } from '../../api/types.js';
import { JsonValueText } from '../../components/change-diff.js';
import { AnchorLink } from '../../components/links.js';

type Change = WhatIfResponse['changes'][number]['changes'][number];

const CHANGE_LABELS: Record<Change['kind'], { label: string; color: string }> = {
  added: { label: 'set', color: 'teal' },
  removed: { label: 'no longer set', color: 'gray' },
  changed: { label: 'changed', color: 'indigo' },
  'conflict-added': { label: 'conflict', color: 'orange' },
  'conflict-removed': { label: 'conflict resolved', color: 'teal' },
};

interface Candidate {
  readonly policyName?: string;
  readonly value?: unknown;
}

function candidatesText(candidates: unknown): string {
  if (!Array.isArray(candidates)) return JSON.stringify(candidates);
  return (candidates as Candidate[])
    .map((candidate) => `${candidate.policyName ?? '?'} = ${JSON.stringify(candidate.value)}`)
    .join(' vs ');
}

export function WhatIfReview(props: {
  result: WhatIfResponse;
  saving: boolean;
  saveLabel: string;
  onSave: () => void;
  onCancel: () => void;
}): ReactNode {
  const { result } = props;
  return (
    <Stack gap="sm" data-testid="what-if">
      <Group gap="lg">
        <Text size="sm">
          Reaches <b data-testid="what-if-reached">{result.devicesReached}</b> device
          {result.devicesReached === 1 ? '' : 's'}
        </Text>
        <Text size="sm">
          Changes <b data-testid="what-if-changed">{result.devicesChanged}</b>
        </Text>
        <Text size="sm" c={result.conflictsAppearing.length > 0 ? 'orange.8' : undefined}>
          Conflicts appearing{' '}
          <b data-testid="what-if-conflicts">{result.conflictsAppearing.length}</b>
        </Text>
        <Text size="sm">
          Conflicts resolved <b>{result.conflictsResolved.length}</b>
        </Text>
      </Group>
      {result.devicesReached === 0 && (
        <Alert variant="light" color="yellow">
          The policy reaches no device: include a group on the Assignments tab.
        </Alert>
      )}
      {result.conflictsAppearing.length > 0 && (
        <Alert variant="light" color="orange" title="Conflicts would appear">
          <Stack gap={2}>
            {result.conflictsAppearing.slice(0, 20).map((conflict) => (
              <Text key={`${conflict.deviceId}:${conflict.settingId}`} size="xs">
                {conflict.hostname}: <Code>{conflict.settingId}</Code> —{' '}
                {candidatesText(conflict.candidates)}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      {result.changes.length > 0 && (
        <Paper withBorder>
          <ScrollArea.Autosize mah={360}>
            <Table fz="xs" verticalSpacing={3} stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Setting</Table.Th>
                  <Table.Th>Change</Table.Th>
                  <Table.Th>Before</Table.Th>
                  <Table.Th>After</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.changes.flatMap((device) =>
                  device.changes.map((change, index) => (
                    <Table.Tr key={`${device.deviceId}:${change.id}`}>
                      <Table.Td>
                        {index === 0 && (
                          <AnchorLink
                            to="/devices/$deviceId"
                            params={{ deviceId: device.deviceId }}
                            size="xs"
                          >
                            {device.hostname}
                          </AnchorLink>
                        )}
                      </Table.Td>
                      <Table.Td className="palisade-mono">{change.id}</Table.Td>
                      <Table.Td>
                        <Badge color={CHANGE_LABELS[change.kind].color}>
                          {CHANGE_LABELS[change.kind].label}
                        </Badge>
                      </Table.Td>
                      <Table.Td className="diff-removed">
                        <JsonValueText value={change.before} />
                      </Table.Td>
                      <Table.Td className="diff-added">
                        <JsonValueText value={change.after} />
                      </Table.Td>
                    </Table.Tr>
                  )),
                )}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        </Paper>
      )}
      {result.devicesChanged > result.changes.length && (
        <Text size="xs" c="dimmed">
          Showing {result.changes.length} of {result.devicesChanged} changed devices.
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onCancel}>
          Back to editing
        </Button>
        <Button onClick={props.onSave} loading={props.saving} data-testid="confirm-save">
          {props.saveLabel}
        </Button>
      </Group>
    </Stack>
  );
}
