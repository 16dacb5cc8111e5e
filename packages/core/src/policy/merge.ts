import type { MergeKind } from '../catalog/index.js';
import { canonicalJson } from '../hash/canonical-json.js';
import {
  assertNever,
  type EffectiveSetting,
  type JsonValue,
  type MergedItem,
  type SettingConflict,
  type SettingSource,
} from '../model.js';

/** One policy's value for one setting, on its way into a device's effective configuration. */
export interface Contribution {
  readonly source: SettingSource;
  readonly value: JsonValue;
}

/** The merge of one setting: the setting when anything of it applies, and its conflicts. */
export interface MergedSetting {
  readonly setting: EffectiveSetting | null;
  readonly conflicts: readonly SettingConflict[];
}

/**
 * The id under which a conflict on one key (per-key) or one item (keyed-union) of a setting is
 * listed: `<setting id>[<key>]`, e.g. `asr.rules[d4f940ab-401b-4efc-aadc-ad5f3c50688a]` or
 * `firewall.rules[Allow SSH]`. The key is written as is; the setting id never contains `[`.
 */
export function conflictSettingId(settingId: string, key: string): string {
  return `${settingId}[${key}]`;
}

/** The setting a (conflict) id belongs to: `asr.rules[…]` → `asr.rules`; a plain id → itself. */
export function baseSettingId(id: string): string {
  const bracket = id.indexOf('[');
  return bracket === -1 ? id : id.slice(0, bracket);
}

/**
 * Merges the contributions of several policies to one setting, by the setting's merge kind:
 *
 * - `single`: equal values agree (every policy is a source); different values are a conflict and
 *   the setting is not applied.
 * - `union`: string lists (exclusions) merge into a sorted, de-duplicated union; each item lists
 *   the policies that contributed it. Lists never conflict.
 * - `per-key`: maps (asr.rules: rule GUID → mode) merge key by key; a key set to different values
 *   is a conflict `<id>[<key>]` and left out, the other keys still apply. Each item is
 *   `{ key, value }`.
 * - `keyed-union`: structured lists (firewall.rules) merge by the item key (`itemKey`, e.g. the
 *   rule name); one key with different content is a conflict `<id>[<key>]`, the other items apply.
 *   An item without a usable key is keyed by its whole content, so it never conflicts.
 *
 * A value whose shape does not fit its merge kind (the catalog refuses those when a policy is
 * saved) is merged as `single`, so nothing is silently combined in a way nobody asked for.
 *
 * @example
 * mergeSetting('exclusions.paths', 'union', [{ source: a, value: ['/b'] }, { source: b, value: ['/a', '/b'] }], undefined)
 * // setting.value: ['/a', '/b']; setting.items[1]: { value: '/b', sources: [a, b] }
 */
export function mergeSetting(
  id: string,
  kind: MergeKind,
  contributions: readonly Contribution[],
  itemKey: string | undefined,
): MergedSetting {
  switch (kind) {
    case 'single':
      return mergeSingle(id, contributions);
    case 'union':
      return contributions.every((c) => Array.isArray(c.value))
        ? mergeUnion(id, contributions)
        : mergeSingle(id, contributions);
    case 'per-key':
      return contributions.every((c) => isRecord(c.value))
        ? mergePerKey(id, contributions)
        : mergeSingle(id, contributions);
    case 'keyed-union':
      return contributions.every((c) => Array.isArray(c.value))
        ? mergeKeyedUnion(id, contributions, itemKey)
        : mergeSingle(id, contributions);
    default:
      return assertNever(kind, 'merge kind');
  }
}

function mergeSingle(id: string, contributions: readonly Contribution[]): MergedSetting {
  const distinct = new Set(contributions.map((c) => canonicalJson(c.value)));
  const first = contributions[0];
  if (first === undefined) return { setting: null, conflicts: [] };
  if (distinct.size > 1) return { setting: null, conflicts: [conflictOf(id, contributions)] };
  return {
    setting: { id, value: first.value, sources: sortedSources(contributions.map((c) => c.source)) },
    conflicts: [],
  };
}

function mergeUnion(id: string, contributions: readonly Contribution[]): MergedSetting {
  const items = new ItemCollector();
  for (const { source, value } of contributions) {
    for (const item of value as readonly JsonValue[]) items.add(canonicalJson(item), item, source);
  }
  const merged = items.sorted();
  return {
    setting: {
      id,
      value: merged.map((item) => item.value),
      sources: sortedSources(contributions.map((c) => c.source)),
      items: merged,
    },
    conflicts: [],
  };
}

function mergePerKey(id: string, contributions: readonly Contribution[]): MergedSetting {
  const byKey = new Map<string, Contribution[]>();
  for (const { source, value } of contributions) {
    for (const [key, member] of Object.entries(value as { readonly [key: string]: JsonValue })) {
      if (member === undefined) continue;
      pushTo(byKey, key, { source, value: member });
    }
  }
  const value: Record<string, JsonValue> = {};
  const items: MergedItem[] = [];
  const conflicts: SettingConflict[] = [];
  for (const key of [...byKey.keys()].sort(compareText)) {
    const candidates = byKey.get(key) ?? [];
    const merged = mergeSingle(conflictSettingId(id, key), candidates);
    conflicts.push(...merged.conflicts);
    if (merged.setting === null) continue;
    // defineProperty, not assignment: a key such as "__proto__" must stay an ordinary member.
    Object.defineProperty(value, key, {
      value: merged.setting.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    items.push({ value: { key, value: merged.setting.value }, sources: merged.setting.sources });
  }
  return { setting: partialSetting(id, value, items, contributions, byKey.size), conflicts };
}

function mergeKeyedUnion(
  id: string,
  contributions: readonly Contribution[],
  itemKey: string | undefined,
): MergedSetting {
  const byKey = new Map<string, Contribution[]>();
  for (const { source, value } of contributions) {
    for (const item of value as readonly JsonValue[]) {
      pushTo(byKey, keyOfItem(item, itemKey), { source, value: item });
    }
  }
  const values: JsonValue[] = [];
  const items: MergedItem[] = [];
  const conflicts: SettingConflict[] = [];
  for (const key of [...byKey.keys()].sort(compareText)) {
    const candidates = byKey.get(key) ?? [];
    const merged = mergeSingle(conflictSettingId(id, key), candidates);
    conflicts.push(...merged.conflicts);
    if (merged.setting === null) continue;
    values.push(merged.setting.value);
    items.push({ value: merged.setting.value, sources: merged.setting.sources });
  }
  return { setting: partialSetting(id, values, items, contributions, byKey.size), conflicts };
}

/**
 * The setting of a per-key or keyed-union merge: present when at least one key or item applies,
 * or when every policy set it empty (an empty map or list is a value too). Its sources are the
 * policies behind the applied items; when every list was empty, every policy that set it.
 */
function partialSetting(
  id: string,
  value: JsonValue,
  items: readonly MergedItem[],
  contributions: readonly Contribution[],
  keyCount: number,
): EffectiveSetting | null {
  if (keyCount === 0) {
    return { id, value, sources: sortedSources(contributions.map((c) => c.source)), items };
  }
  if (items.length === 0) return null;
  return { id, value, sources: sortedSources(items.flatMap((item) => item.sources)), items };
}

/** The key of a structured-list item: its `itemKey` field when that is a string or a number. */
function keyOfItem(item: JsonValue, itemKey: string | undefined): string {
  if (itemKey !== undefined && isRecord(item)) {
    const key = item[itemKey];
    if (typeof key === 'string' || typeof key === 'number') return String(key);
  }
  return canonicalJson(item);
}

function conflictOf(id: string, contributions: readonly Contribution[]): SettingConflict {
  const candidates = contributions
    .map((c) => ({ ...c.source, value: c.value, order: canonicalJson(c.value) }))
    .sort((a, b) => compareSources(a, b) || compareText(a.order, b.order))
    .filter((c, i, all) => i === 0 || !sameCandidate(all[i - 1], c))
    .map(({ order: _order, ...candidate }) => candidate);
  return { id, candidates };
}

function sameCandidate(
  a: (SettingSource & { readonly order: string }) | undefined,
  b: SettingSource & { readonly order: string },
): boolean {
  return a !== undefined && compareSources(a, b) === 0 && a.order === b.order;
}

/** Collects list items by their canonical JSON, with the policies that contributed each. */
class ItemCollector {
  private readonly items = new Map<string, { value: JsonValue; sources: SettingSource[] }>();

  add(key: string, value: JsonValue, source: SettingSource): void {
    const item = this.items.get(key);
    if (item) item.sources.push(source);
    else this.items.set(key, { value, sources: [source] });
  }

  /** Items in a stable order: strings by their text, anything else by its canonical JSON. */
  sorted(): MergedItem[] {
    return [...this.items.entries()]
      .map(([key, item]) => ({
        key,
        order: typeof item.value === 'string' ? item.value : key,
        item,
      }))
      .sort((a, b) => compareText(a.order, b.order) || compareText(a.key, b.key))
      .map(({ item }) => ({ value: item.value, sources: sortedSources(item.sources) }));
  }
}

/** Sources sorted by policy id then version, each policy version once. */
export function sortedSources(sources: readonly SettingSource[]): SettingSource[] {
  return [...sources]
    .sort(compareSources)
    .filter(
      (source, i, all) => i === 0 || compareSources(all[i - 1] as SettingSource, source) !== 0,
    )
    .map(({ policyId, policyName, version }) => ({ policyId, policyName, version }));
}

function compareSources(a: SettingSource, b: SettingSource): number {
  return (
    compareText(a.policyId, b.policyId) ||
    a.version - b.version ||
    compareText(a.policyName, b.policyName)
  );
}

/** Compares by UTF-16 code units: the same order on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
