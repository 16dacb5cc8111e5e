import { Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];
const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return iso;
}

/** "3 minutes ago", with the exact time on hover. */
export function RelativeTime({
  value,
  empty = 'never',
}: {
  value: string | null | undefined;
  empty?: string;
}): ReactNode {
  if (!value) {
    return (
      <Text span size="sm" c="dimmed">
        {empty}
      </Text>
    );
  }
  return (
    <Tooltip label={new Date(value).toLocaleString()}>
      <Text span size="sm">
        {relativeTime(value)}
      </Text>
    </Tooltip>
  );
}
