import { canonicalJson } from '../hash/canonical-json.js';
import type { EffectiveConfiguration, JsonValue, SettingConflict } from '../model.js';
import { compareText } from './merge.js';

/** One difference between two effective configurations of a device. */
export interface ConfigurationChange {
  /** A setting id, or a conflict id such as `asr.rules[<guid>]`. */
  readonly id: string;
  readonly kind: 'added' | 'removed' | 'changed' | 'conflict-added' | 'conflict-removed';
  /** The value before (for a conflict: its candidates), absent for added. */
  readonly before?: JsonValue;
  /** The value after (for a conflict: its candidates), absent for removed. */
  readonly after?: JsonValue;
}

const KIND_ORDER: readonly ConfigurationChange['kind'][] = [
  'conflict-removed',
  'removed',
  'changed',
  'added',
  'conflict-added',
];

/**
 * What changes for a device going from one effective configuration to another — what the what-if
 * preview shows before a policy is saved. Only what the device enforces counts: a setting added,
 * removed or set to another value, and a conflict appearing or going away. A change of provenance
 * alone (the same value now from another policy) and a change in the candidates of a conflict that
 * stays (the setting stays unapplied) are not changes. Sorted by id, then kind.
 *
 * @example diffEffectiveConfigurations(before, after) // [{ id: 'antivirus.puaProtection', kind: 'changed', before: 'audit', after: 'block' }]
 */
export function diffEffectiveConfigurations(
  before: EffectiveConfiguration,
  after: EffectiveConfiguration,
): readonly ConfigurationChange[] {
  if (before.hash === after.hash) return [];
  const changes: ConfigurationChange[] = [];
  const oldSettings = new Map(before.settings.map((s) => [s.id, s.value]));
  const newSettings = new Map(after.settings.map((s) => [s.id, s.value]));
  for (const [id, value] of oldSettings) {
    const next = newSettings.get(id);
    if (next === undefined) changes.push({ id, kind: 'removed', before: value });
    else if (canonicalJson(next) !== canonicalJson(value)) {
      changes.push({ id, kind: 'changed', before: value, after: next });
    }
  }
  for (const [id, value] of newSettings) {
    if (!oldSettings.has(id)) changes.push({ id, kind: 'added', after: value });
  }
  const oldConflicts = new Map(before.conflicts.map((c) => [c.id, c]));
  const newConflicts = new Map(after.conflicts.map((c) => [c.id, c]));
  for (const [id, conflict] of oldConflicts) {
    if (!newConflicts.has(id)) {
      changes.push({ id, kind: 'conflict-removed', before: candidatesJson(conflict) });
    }
  }
  for (const [id, conflict] of newConflicts) {
    if (!oldConflicts.has(id)) {
      changes.push({ id, kind: 'conflict-added', after: candidatesJson(conflict) });
    }
  }
  return changes.sort(
    (a, b) => compareText(a.id, b.id) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
  );
}

function candidatesJson(conflict: SettingConflict): JsonValue {
  return conflict.candidates.map((candidate) => ({
    policyId: candidate.policyId,
    policyName: candidate.policyName,
    version: candidate.version,
    value: candidate.value,
  }));
}
