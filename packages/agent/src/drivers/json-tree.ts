/**
 * The codec shared by the two Defender managed-configuration targets, whose native form is one
 * nested key/value document: `mdatp_managed.json` on Linux and the `com.microsoft.wdav` plist on
 * macOS. Each setting lands in a *slot*:
 * - `key`: one key path (`cloudService.enabled`), the value translated;
 * - `exclusions`: the entries of `antivirusEngine.exclusions` of one `$type`;
 * - `threat-type`: one entry of `antivirusEngine.threatTypeSettings` (e.g. PUA).
 * Keys Palisade does not manage are kept as they are in the file.
 */
import type { EffectiveSetting, EnforcementTarget, JsonValue } from '@palisade/core';
import { type NativeMappingLookup, translateValue } from './catalog.js';
import { canonicalJson, type NativeCodec, NotExpressibleError } from './driver.js';

export type JsonObject = { [key: string]: JsonValue };

/**
 * Where one setting lives in the document. `translate` returns undefined when the value writes
 * nothing (antivirus.passiveMode off leaves the enforcement level to real-time protection).
 */
export type Slot =
  | {
      readonly kind: 'key';
      readonly path: readonly string[];
      readonly translate: (value: JsonValue) => JsonValue | undefined;
    }
  | {
      /** The entries of a list of typed objects (`exclusions`) with one `$type`. */
      readonly kind: 'typed-items';
      readonly listPath: readonly string[];
      readonly type: string;
      readonly item: (value: string) => JsonObject;
    }
  | {
      /** One `{key, value}` entry of a list (`threatTypeSettings`, `edr.tags`). */
      readonly kind: 'entry';
      readonly listPath: readonly string[];
      readonly key: string;
      readonly translate: (value: JsonValue) => JsonValue | undefined;
    };

/**
 * The slot a catalog native name describes: `a.b.c` (a key), `a.list[$type=T]` (typed items) or
 * `a.list[key=K].value` (an entry), values translated by the mapping.
 */
export function catalogSlot(
  lookup: NativeMappingLookup,
  target: EnforcementTarget,
  settingId: string,
  typedItem: (type: string, value: string) => JsonObject,
): Slot | undefined {
  const mapping = lookup(settingId, target);
  if (!mapping) return undefined;
  const translate = (value: JsonValue): JsonValue | undefined =>
    mapping.values && !(String(value) in mapping.values)
      ? undefined
      : translateValue(mapping, value);
  const keyPath = /^[A-Za-z]\w*(\.[A-Za-z]\w*)*$/;
  if (keyPath.test(mapping.name)) return { kind: 'key', path: mapping.name.split('.'), translate };
  const typed = /^([\w.]+)\[\$type=(\w+)\]$/.exec(mapping.name);
  if (typed) {
    const type = typed[2] as string;
    return {
      kind: 'typed-items',
      listPath: (typed[1] as string).split('.'),
      type,
      item: (value) => typedItem(type, value),
    };
  }
  const entry = /^([\w.]+)\[key=(\w+)\]\.value$/.exec(mapping.name);
  if (entry) {
    return {
      kind: 'entry',
      listPath: (entry[1] as string).split('.'),
      key: entry[2] as string,
      translate,
    };
  }
  return undefined;
}

export class JsonTreeCodec implements NativeCodec<JsonObject> {
  constructor(private readonly slotOf: (settingId: string) => Slot | undefined) {}

  expresses(settingId: string): boolean {
    return this.slotOf(settingId) !== undefined;
  }

  fragment(setting: EffectiveSetting): JsonValue {
    const slot = this.requireSlot(setting.id);
    switch (slot.kind) {
      case 'key':
      case 'entry':
        // null: the value writes nothing on this target.
        return slot.translate(setting.value) ?? null;
      case 'typed-items': {
        if (
          !Array.isArray(setting.value) ||
          setting.value.some((item) => typeof item !== 'string')
        ) {
          throw new NotExpressibleError(`${setting.id}: expected a list of strings`);
        }
        return sortedEntries((setting.value as string[]).map(slot.item));
      }
    }
  }

  observe(config: JsonObject, settingId: string): JsonValue | undefined {
    const slot = this.requireSlot(settingId);
    switch (slot.kind) {
      case 'key':
        return getPath(config, slot.path);
      case 'typed-items':
        return sortedEntries(
          listAt(config, slot.listPath).filter((item) => isTyped(item, slot.type)),
        );
      case 'entry': {
        const entry = listAt(config, slot.listPath).find((item) => isEntry(item, slot.key));
        return isObject(entry) ? entry.value : undefined;
      }
    }
  }

  render(
    fragments: ReadonlyMap<string, JsonValue>,
    current: JsonObject,
    previouslyManaged: readonly string[],
  ): JsonObject {
    const next = structuredClone(current) as JsonObject;
    for (const id of new Set([...previouslyManaged, ...fragments.keys()])) {
      const slot = this.slotOf(id);
      if (slot) clearSlot(next, slot);
    }
    // Settings sharing one key write in id order; a value that writes nothing (null) is skipped,
    // and antivirus.passiveMode, which overrides the enforcement level, writes last.
    const order = [...fragments.keys()].sort(
      (a, b) => Number(a === PASSIVE_MODE) - Number(b === PASSIVE_MODE),
    );
    for (const id of order) {
      const fragment = fragments.get(id) as JsonValue;
      if (fragment !== null) fillSlot(next, this.requireSlot(id), fragment);
    }
    return next;
  }

  /** Passive mode, when on, holds the key real-time protection would set (the enforcement level). */
  overridden(fragments: ReadonlyMap<string, JsonValue>): ReadonlyMap<string, string> {
    const overridden = new Map<string, string>();
    const passive = this.slotOf(PASSIVE_MODE);
    if (passive?.kind !== 'key' || (fragments.get(PASSIVE_MODE) ?? null) === null)
      return overridden;
    for (const id of fragments.keys()) {
      const slot = this.slotOf(id);
      if (
        id !== PASSIVE_MODE &&
        slot?.kind === 'key' &&
        slot.path.join('.') === passive.path.join('.')
      )
        overridden.set(
          id,
          `${PASSIVE_MODE} is on: Defender runs in passive mode, which takes the place of ${slot.path.join('.')}`,
        );
    }
    return overridden;
  }

  private requireSlot(settingId: string): Slot {
    const slot = this.slotOf(settingId);
    if (!slot) throw new NotExpressibleError(`${settingId} has no native mapping on this target`);
    return slot;
  }
}

function clearSlot(config: JsonObject, slot: Slot): void {
  switch (slot.kind) {
    case 'key':
      deletePath(config, slot.path);
      return;
    case 'typed-items':
      setList(
        config,
        slot.listPath,
        listAt(config, slot.listPath).filter((item) => !isTyped(item, slot.type)),
      );
      return;
    case 'entry':
      setList(
        config,
        slot.listPath,
        listAt(config, slot.listPath).filter((item) => !isEntry(item, slot.key)),
      );
      return;
  }
}

function fillSlot(config: JsonObject, slot: Slot, fragment: JsonValue): void {
  switch (slot.kind) {
    case 'key':
      setPath(config, slot.path, fragment);
      return;
    case 'typed-items':
      setList(
        config,
        slot.listPath,
        [...listAt(config, slot.listPath), ...(fragment as JsonValue[])],
        true,
      );
      return;
    case 'entry':
      setList(
        config,
        slot.listPath,
        [...listAt(config, slot.listPath), { key: slot.key, value: fragment }],
        true,
      );
      return;
  }
}

const PASSIVE_MODE = 'antivirus.passiveMode';

function isTyped(item: JsonValue, type: string): boolean {
  return isObject(item) && item.$type === type;
}

function isEntry(item: JsonValue, key: string): boolean {
  return isObject(item) && item.key === key;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sortedEntries(entries: readonly JsonValue[]): JsonValue[] {
  return [...entries].sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
}

export function getPath(config: JsonObject, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = config;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setPath(config: JsonObject, path: readonly string[], value: JsonValue): void {
  let node = config;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (!isObject(child)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

/** Deletes a key and the objects it leaves empty. */
function deletePath(config: JsonObject, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete config[head];
    return;
  }
  const child = config[head];
  if (!isObject(child)) return;
  deletePath(child, rest);
  if (Object.keys(child).length === 0) delete config[head];
}

function listAt(config: JsonObject, path: readonly string[]): JsonValue[] {
  const list = getPath(config, path);
  return Array.isArray(list) ? [...list] : [];
}

function setList(
  config: JsonObject,
  path: readonly string[],
  list: JsonValue[],
  keepEmpty = false,
): void {
  if (list.length === 0 && !keepEmpty) deletePath(config, path);
  else setPath(config, path, list);
}
