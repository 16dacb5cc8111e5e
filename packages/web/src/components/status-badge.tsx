import { Badge, Tooltip } from '@mantine/core';
import type { ReportStatus } from '@palisade/core';
import type { ReactNode } from 'react';
import { REPORT_STATUS_COLORS, REPORT_STATUS_LABELS } from '../domain/labels.js';

export function ReportStatusBadge({ status }: { status: string }): ReactNode {
  const known = status as ReportStatus;
  return (
    <Badge color={REPORT_STATUS_COLORS[known] ?? 'gray'} data-status={status}>
      {REPORT_STATUS_LABELS[known] ?? status}
    </Badge>
  );
}

/** Enrollment status: code 1 is enrolled and managed; anything else is a reason it is not. */
export function EnrollmentBadge(props: {
  code: number;
  name: string;
  meaning?: string;
}): ReactNode {
  const badge = (
    <Badge color={props.code === 1 ? 'teal' : 'orange'} data-enrollment-code={props.code}>
      {props.code} · {props.name}
    </Badge>
  );
  return props.meaning ? (
    <Tooltip label={props.meaning} multiline w={320}>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}
