import { Badge, Group, Tooltip } from '@mantine/core';
import type { ReportStatus } from '@palisade/core';
import type { ReactNode } from 'react';
import {
  REPORT_STATUS_COLORS,
  REPORT_STATUS_LABELS,
  ROLLUP_STATUSES,
} from '../../domain/labels.js';

/** Succeeded / failed / conflict / pending / drifted counts as small badges (zeros muted). */
export function StatusCounts({
  counts,
  statuses = ROLLUP_STATUSES,
}: {
  counts: Readonly<Partial<Record<ReportStatus, number>>>;
  statuses?: readonly ReportStatus[];
}): ReactNode {
  return (
    <Group gap={4} wrap="nowrap">
      {statuses.map((status) => {
        const count = counts[status] ?? 0;
        return (
          <Tooltip key={status} label={REPORT_STATUS_LABELS[status]}>
            <Badge
              color={count > 0 ? REPORT_STATUS_COLORS[status] : 'gray'}
              variant={count > 0 ? 'light' : 'outline'}
              data-status={status}
              style={{ opacity: count > 0 ? 1 : 0.5 }}
            >
              {count}
            </Badge>
          </Tooltip>
        );
      })}
    </Group>
  );
}
