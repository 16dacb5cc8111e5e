/**
 * The changes that take the tenant from its current state to the desired one, per object and per
 * field (settings per setting, old → new), in the order they are applied: tenant settings, groups
 * created or updated, asset rules, policies, then groups deleted (once no policy names them).
 * Groups are shown by name and members by hostname, as the documents write them.
 */
import {
  type AssetRuleDocument,
  canonicalJson,
  type JsonValue,
  PLATFORMS,
  type PolicyDocument,
  type TenantSettingsDocument,
} from '@palisade/core';
import type { ConfigObjectChange, ConfigPlan, TenantSettingsMessage } from '@palisade/protocol';
import {
  type CurrentAssetRule,
  type CurrentGroup,
  type CurrentPolicy,
  type CurrentState,
  memberName,
} from './current.js';
import type { DesiredGroup, DesiredState, Located } from './desired.js';

type FieldChange = ConfigObjectChange['fields'][number];
type SettingChange = ConfigObjectChange['settings'][number];

/** One planned change, with what the writer needs besides what the plan shows. */
export type PlannedChange =
  | { readonly kind: 'TenantSettings'; readonly next: TenantSettingsMessage; readonly view: View }
  | {
      readonly kind: 'Group';
      readonly action: 'create' | 'update';
      readonly desired: DesiredGroup;
      readonly current: CurrentGroup | null;
      readonly view: View;
    }
  | {
      readonly kind: 'Group';
      readonly action: 'delete';
      readonly current: CurrentGroup;
      readonly view: View;
    }
  | {
      readonly kind: 'AssetRule';
      readonly action: 'create' | 'update';
      readonly desired: Located<AssetRuleDocument>;
      readonly current: CurrentAssetRule | null;
      readonly view: View;
    }
  | {
      readonly kind: 'AssetRule';
      readonly action: 'delete';
      readonly current: CurrentAssetRule;
      readonly view: View;
    }
  | {
      readonly kind: 'Policy';
      readonly action: 'create' | 'update' | 'replace';
      readonly desired: Located<PolicyDocument>;
      readonly current: CurrentPolicy | null;
      readonly view: View;
    }
  | {
      readonly kind: 'Policy';
      readonly action: 'delete';
      readonly current: CurrentPolicy;
      readonly view: View;
    };

/** What the plan shows of a change (devices are filled in by the effect). */
export type View = Omit<ConfigObjectChange, 'devices'>;

export interface ChangeSet {
  readonly changes: readonly PlannedChange[];
  readonly unmanaged: ConfigPlan['unmanaged'];
}

const same = (a: unknown, b: unknown) =>
  canonicalJson((a ?? null) as JsonValue) === canonicalJson((b ?? null) as JsonValue);

function field(changes: FieldChange[], name: string, before: unknown, after: unknown): void {
  if (same(before, after)) return;
  changes.push({
    field: name,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  });
}

const sortedNames = (names: readonly string[]) => [...names].sort();

export function computeChanges(
  current: CurrentState,
  desired: DesiredState,
  prune: boolean,
): ChangeSet {
  const changes: PlannedChange[] = [];
  const unmanaged: ConfigPlan['unmanaged'] = [];
  if (desired.settings) {
    const change = settingsChange(current.settings, desired.settings.document);
    if (change) changes.push(change);
  }
  const groupName = new Map(current.groups.map((g) => [g.id, g.name]));
  const byName = <T extends { name: string }>(items: readonly T[]) =>
    new Map(items.map((item) => [item.name, item]));

  const currentGroups = byName(current.groups);
  for (const group of sortedBy(desired.groups, (g) => g.document.name)) {
    const change = groupChange(current, group, currentGroups.get(group.document.name) ?? null);
    if (change) changes.push(change);
  }
  const currentRules = byName(current.assetRules);
  const ruleNames = new Set(desired.assetRules.map((r) => r.document.name));
  for (const rule of sortedBy(desired.assetRules, (r) => r.document.name)) {
    const change = assetRuleChange(rule, currentRules.get(rule.document.name) ?? null);
    if (change) changes.push(change);
  }
  for (const rule of current.assetRules) {
    if (ruleNames.has(rule.name)) continue;
    if (prune)
      changes.push({
        kind: 'AssetRule',
        action: 'delete',
        current: rule,
        view: deletion('AssetRule', rule.name),
      });
    else unmanaged.push({ kind: 'AssetRule', name: rule.name });
  }
  const currentPolicies = byName(current.policies);
  const policyNames = new Set(desired.policies.map((p) => p.document.name));
  for (const policy of sortedBy(desired.policies, (p) => p.document.name)) {
    const change = policyChange(
      policy,
      currentPolicies.get(policy.document.name) ?? null,
      groupName,
    );
    if (change) changes.push(change);
  }
  for (const policy of current.policies) {
    if (policyNames.has(policy.name)) continue;
    if (prune)
      changes.push({
        kind: 'Policy',
        action: 'delete',
        current: policy,
        view: deletion('Policy', policy.name),
      });
    else unmanaged.push({ kind: 'Policy', name: policy.name });
  }
  const groupNames = new Set(desired.groups.map((g) => g.document.name));
  for (const group of current.groups) {
    if (groupNames.has(group.name)) continue;
    if (prune)
      changes.push({
        kind: 'Group',
        action: 'delete',
        current: group,
        view: deletion('Group', group.name),
      });
    else unmanaged.push({ kind: 'Group', name: group.name });
  }
  return { changes, unmanaged };
}

function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function deletion(kind: View['kind'], name: string): View {
  return { kind, name, action: 'delete', fields: [], settings: [] };
}

/** Only the fields the document states are managed; the others stay as they are. */
function settingsChange(
  current: TenantSettingsMessage,
  document: TenantSettingsDocument,
): PlannedChange | null {
  const fields: FieldChange[] = [];
  const { kind: _kind, enforcementScope, ...switches } = document;
  const next: TenantSettingsMessage = {
    ...current,
    ...switches,
    enforcementScope: { ...current.enforcementScope, ...enforcementScope },
  } as TenantSettingsMessage;
  for (const key of Object.keys(switches) as (keyof typeof switches)[]) {
    field(fields, key, current[key], next[key]);
  }
  for (const platform of PLATFORMS) {
    field(
      fields,
      `enforcementScope.${platform}`,
      current.enforcementScope[platform],
      next.enforcementScope[platform],
    );
  }
  if (fields.length === 0) return null;
  return {
    kind: 'TenantSettings',
    next,
    view: { kind: 'TenantSettings', name: 'tenant', action: 'update', fields, settings: [] },
  };
}

function groupChange(
  state: CurrentState,
  desired: DesiredGroup,
  current: CurrentGroup | null,
): PlannedChange | null {
  const doc = desired.document;
  const kind = doc.rule !== undefined ? 'dynamic' : 'assigned';
  const names = (ids: readonly string[]) =>
    sortedNames(ids.map((id) => memberName(state.devices, id)));
  const fields: FieldChange[] = [];
  field(fields, 'description', current?.description || undefined, doc.description || undefined);
  if (current && current.kind !== kind) field(fields, 'kind', current.kind, kind);
  field(fields, 'rule', current?.rule ?? undefined, doc.rule);
  field(
    fields,
    'members',
    current?.kind === 'assigned' ? names(current.members) : undefined,
    kind === 'assigned' ? names(desired.memberIds) : undefined,
  );
  if (current && fields.length === 0) return null;
  const action = current ? 'update' : 'create';
  return {
    kind: 'Group',
    action,
    desired,
    current,
    view: { kind: 'Group', name: doc.name, action, fields, settings: [] },
  };
}

function assetRuleChange(
  desired: Located<AssetRuleDocument>,
  current: CurrentAssetRule | null,
): PlannedChange | null {
  const doc = desired.document;
  const fields: FieldChange[] = [];
  field(fields, 'description', current?.description || undefined, doc.description || undefined);
  field(fields, 'rule', current?.rule, doc.rule);
  field(fields, 'tag', current?.tag, doc.tag);
  if (current && fields.length === 0) return null;
  const action = current ? 'update' : 'create';
  return {
    kind: 'AssetRule',
    action,
    desired,
    current,
    view: { kind: 'AssetRule', name: doc.name, action, fields, settings: [] },
  };
}

function policyChange(
  desired: Located<PolicyDocument>,
  current: CurrentPolicy | null,
  groupName: ReadonlyMap<string, string>,
): PlannedChange | null {
  const doc = desired.document;
  const replace =
    current !== null && (current.platform !== doc.platform || current.profile !== doc.profile);
  const base = replace ? null : current;
  const fields: FieldChange[] = [];
  field(fields, 'platform', current?.platform, doc.platform);
  field(fields, 'profile', current?.profile, doc.profile);
  field(fields, 'description', base?.description || undefined, doc.description || undefined);
  const names = (ids: readonly string[]) => sortedNames(ids.map((id) => groupName.get(id) ?? id));
  for (const mode of ['include', 'exclude'] as const) {
    const before = base ? names(base.assignments[mode]) : [];
    const after = sortedNames(doc.assignments[mode]);
    field(
      fields,
      `assignments.${mode}`,
      before.length > 0 ? before : undefined,
      after.length > 0 ? after : undefined,
    );
  }
  field(
    fields,
    'assignments.filter',
    base?.assignments.filter ?? undefined,
    doc.assignments.filter ?? undefined,
  );
  const settings = settingChanges(base?.settings ?? {}, doc.settings);
  if (current && !replace && fields.length === 0 && settings.length === 0) return null;
  const action = current ? (replace ? 'replace' : 'update') : 'create';
  return {
    kind: 'Policy',
    action,
    desired,
    current,
    view: {
      kind: 'Policy',
      name: doc.name,
      action,
      ...(replace
        ? { note: 'the platform or profile changes: the policy is deleted and created again' }
        : {}),
      fields:
        current && !replace
          ? fields.filter((f) => f.field !== 'platform' && f.field !== 'profile')
          : fields,
      settings,
    },
  };
}

/** Per setting: added, removed or changed, sorted by setting id. */
export function settingChanges(
  before: Readonly<Record<string, JsonValue>>,
  after: Readonly<Record<string, JsonValue>>,
): SettingChange[] {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: SettingChange[] = [];
  for (const settingId of ids) {
    const inBefore = Object.hasOwn(before, settingId);
    const inAfter = Object.hasOwn(after, settingId);
    if (inBefore && !inAfter)
      changes.push({ settingId, kind: 'removed', before: before[settingId] });
    else if (!inBefore && inAfter)
      changes.push({ settingId, kind: 'added', after: after[settingId] });
    else if (!same(before[settingId], after[settingId])) {
      changes.push({
        settingId,
        kind: 'changed',
        before: before[settingId],
        after: after[settingId],
      });
    }
  }
  return changes;
}
