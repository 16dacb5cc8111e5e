/**
 * A plan as text: one block per object (+ create, ~ update, ± replace, - delete) with its fields
 * and settings old → new and the devices it reaches, then the effect on the fleet.
 */
import type { ConfigObjectChange, ConfigPlan } from '@palisade/protocol';
import { show } from '../../output.js';

const SIGN: Readonly<Record<ConfigObjectChange['action'], string>> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
};

function reachText(change: ConfigObjectChange): string {
  const devices = change.devices;
  if (!devices) return '';
  const noun = (n: number) => `${n} device${n === 1 ? '' : 's'}`;
  if (change.action === 'create') return ` (reaches ${noun(devices.after)})`;
  if (change.action === 'delete') return ` (reached ${noun(devices.before)})`;
  return devices.before === devices.after
    ? ` (reaches ${noun(devices.after)})`
    : ` (devices ${devices.before} → ${devices.after})`;
}

/** The effect on the fleet: devices that get a new configuration or status, and conflicts. */
function formatEffect(effect: ConfigPlan['effect']): string[] {
  const lines: string[] = [];
  lines.push(
    `Effect: ${effect.devicesChanged} device(s) get a new configuration, ${effect.enrollmentChanged} change enrollment status.`,
  );
  for (const device of effect.devices) {
    const parts = device.changes.map((c) => {
      if (c.kind === 'added') return `+${c.id}`;
      if (c.kind === 'removed') return `-${c.id}`;
      if (c.kind === 'changed') return `~${c.id}`;
      return `${c.kind === 'conflict-added' ? 'conflict on' : 'conflict gone on'} ${c.id}`;
    });
    if (device.enrollment)
      parts.unshift(`enrollment ${device.enrollment.before} → ${device.enrollment.after}`);
    if (parts.length > 0) lines.push(`  ${device.hostname}: ${parts.join(', ')}`);
  }
  if (effect.devices.length < effect.devicesChanged) {
    lines.push(`  … and ${effect.devicesChanged - effect.devices.length} more`);
  }
  for (const [title, list] of [
    ['Conflicts appearing', effect.conflictsAppearing],
    ['Conflicts resolved', effect.conflictsResolved],
  ] as const) {
    if (list.length === 0) continue;
    lines.push(`${title} (${list.length}):`);
    for (const c of list) {
      const who = c.candidates.map((k) => `${k.policyName} sets ${show(k.value)}`).join(', ');
      lines.push(`  ${c.hostname} ${c.settingId}: ${who}`);
    }
  }
  return lines;
}

/** The plan as text: one block per object, per field and per setting old → new, then the effect. */
export function formatPlan(plan: ConfigPlan): string[] {
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(
      `${SIGN[change.action]} ${change.action} ${change.kind} ${change.name}${reachText(change)}`,
    );
    if (change.note) lines.push(`    (${change.note})`);
    for (const f of change.fields) {
      if (f.before === undefined) lines.push(`    + ${f.field}: ${show(f.after)}`);
      else if (f.after === undefined) lines.push(`    - ${f.field}: ${show(f.before)}`);
      else lines.push(`    ~ ${f.field}: ${show(f.before)} → ${show(f.after)}`);
    }
    for (const s of change.settings) {
      if (s.kind === 'added') lines.push(`    + settings.${s.settingId}: ${show(s.after)}`);
      else if (s.kind === 'removed') lines.push(`    - settings.${s.settingId}: ${show(s.before)}`);
      else lines.push(`    ~ settings.${s.settingId}: ${show(s.before)} → ${show(s.after)}`);
    }
  }
  if (plan.changes.length > 0) lines.push('', ...formatEffect(plan.effect));
  if (plan.unmanaged.length > 0) {
    lines.push('');
    lines.push(
      `Not in the documents, kept (--prune deletes them): ${plan.unmanaged.map((u) => `${u.kind} ${u.name}`).join(', ')}`,
    );
  }
  if (lines.length > 0) lines.push('');
  const count = (action: ConfigObjectChange['action']) =>
    plan.changes.filter((c) => c.action === action).length;
  lines.push(
    plan.changes.length === 0
      ? 'No changes: the tenant matches the documents.'
      : `${plan.applied ? 'Applied' : 'Plan'}: ${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to delete.`,
  );
  return lines;
}
