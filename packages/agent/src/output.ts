/** How the agent's commands print: per-setting lines an administrator reads at a glance. */
import type { SettingResult } from '@palisade/core';
import type { SettingChange, SyncOutcome } from './checkin/device-agent.js';

const brief = (value: unknown) => {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

function changeLine(change: SettingChange): string {
  switch (change.change) {
    case 'added':
      return `  + ${change.id} = ${brief(change.after)}`;
    case 'changed':
      return `  ~ ${change.id}: ${brief(change.before)} -> ${brief(change.after)}`;
    case 'removed':
      return `  - ${change.id} (was ${brief(change.before)})`;
  }
}

const keyOf = (result: SettingResult) => `${result.id}\u0000${result.target ?? ''}`;

export function resultLines(
  results: readonly SettingResult[],
  previous: readonly SettingResult[] = [],
): string[] {
  const before = new Map(previous.map((result) => [keyOf(result), result.status]));
  const width = Math.max(0, ...results.map((result) => result.id.length));
  return results.map((result) => {
    const was = before.get(keyOf(result));
    const moved = was === undefined ? ' (new)' : was !== result.status ? ` (was ${was})` : '';
    const detail =
      result.status === 'drifted'
        ? ` - found ${brief(result.observed)}, re-applied`
        : result.error
          ? ` - ${result.error}`
          : '';
    return `  ${result.id.padEnd(width)}  ${(result.target ?? '-').padEnd(16)} ${result.status}${moved}${detail}`;
  });
}

export function syncLines(outcome: SyncOutcome): string[] {
  const lines: string[] = [];
  const status = outcome.enrollment;
  if (status.code !== 1) {
    lines.push(`enrollment status ${status.code} ${status.name}: ${status.meaning}`);
    if (status.fix) lines.push(`fix: ${status.fix}`);
    lines.push('nothing applied: the device is not managed by Palisade');
    return lines;
  }
  if (outcome.revision === null) {
    lines.push('no configuration yet');
    return lines;
  }
  lines.push(`revision ${outcome.revision}${outcome.newConfiguration ? ' (new)' : ' (unchanged)'}`);
  if (outcome.settingChanges.length > 0) {
    lines.push('settings changed by the new configuration:');
    lines.push(...outcome.settingChanges.map(changeLine));
  }
  lines.push('results:');
  lines.push(
    ...(outcome.results.length > 0
      ? resultLines(outcome.results, outcome.previousResults)
      : ['  (no settings)']),
  );
  if (!outcome.reportDelivered)
    lines.push('the report did not reach the server; it is sent again at the next sync');
  return lines;
}
