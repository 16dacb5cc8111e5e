/**
 * An index over an ordered list of rules that offers a device only the rules that can match it.
 *
 * Most dynamic-group rules are conjunctions of cheap lookups:
 * `(device.deviceOSType -eq "Linux") and (device.displayName -startsWith "ams-")`,
 * `(device.managementType -eq "MicrosoftSense") and (device.displayName -contains "-web-")`,
 * `device.installedSoftware -any _ -startsWith "nginx"`. Each such necessary condition is one of
 * the rule's *guards*. The index files the guards' keys under the value they read and, for one
 * device, looks up each such value once (and tests each distinct contained text once, however many
 * rules share it), so a device is offered the rules whose guards it all passes plus every rule
 * without a guard, instead of every rule.
 *
 * A guard may let through a rule that does not match (it is then evaluated), never drop one that
 * does: it reads values as the compiled rule does (`textOf`, `itemsOf`) and lower-cases them with
 * `toLowerCase`, as the rule's constants are, so that the compiled `-eq`, `-in`, `-startsWith` and
 * `-contains` on strings are exactly "the lower-cased text equals, starts with, includes the
 * lower-cased constant" (see text-compare.ts). Where that cannot be assured, there is no guard.
 */
import { assertNever } from '../model.js';
import type { ComparisonNode, RuleAst } from './ast.js';
import { itemsOf, ruleReferences, textOf } from './compile.js';
import type { RuleProperties } from './properties.js';
import { lowerCased } from './text-compare.js';

/**
 * A necessary condition of a rule: the lower-cased text of `property` (`value`), or of one of its
 * items (`item`, from `-any`), equals one of `keys` (`equals`), starts with one (`prefix`) or
 * includes one (`contains`).
 */
export interface RuleGuard {
  readonly property: string;
  readonly scope: 'value' | 'item';
  readonly kind: 'equals' | 'prefix' | 'contains';
  /** Lower-cased with `toLowerCase`, distinct, sorted; never empty; no empty prefix or contained. */
  readonly keys: readonly string[];
}

/**
 * The guards of a rule, all of which hold when it matches: every guard among the conjuncts of its
 * top-level `and`s, each once, in the order they are written; empty when it has none. An `or` of
 * two sides that both have a guard on the same property, scope and kind has one guard with both
 * sides' keys. A rule that reads memberOf has no guard: memberships are decided while the device
 * is evaluated.
 *
 * Under `-any`, the guards on `_` may each hold on a different item: together they are still
 * necessary, not sufficient.
 *
 * @example
 * const parsed = parseRule('(device.deviceOSType -eq "Linux") and (device.displayName -contains "web")');
 * if (parsed.ok) ruleGuard(parsed.ast);
 * // [{ property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux'] },
 * //  { property: 'displayName', scope: 'value', kind: 'contains', keys: ['web'] }]
 */
export function ruleGuard(ast: RuleAst): readonly RuleGuard[] {
  if (ruleReferences(ast).properties.includes('memberOf')) return [];
  return distinct(guardsOf(ast, null));
}

/** `collection`: the property whose items `_` stands for (inside -any), or null at the top. */
function guardsOf(node: RuleAst, collection: string | null): readonly RuleGuard[] {
  switch (node.kind) {
    case 'and':
      return [...guardsOf(node.left, collection), ...guardsOf(node.right, collection)];
    case 'or':
      return unions(guardsOf(node.left, collection), guardsOf(node.right, collection));
    case 'not':
      return [];
    case 'collection':
      // -all holds on an empty collection; nested quantifiers do not exist.
      if (node.quantifier !== 'any' || collection !== null) return [];
      return guardsOf(node.condition, node.property);
    case 'comparison':
      return comparisonGuards(node, collection);
    default:
      return assertNever(node, 'rule node');
  }
}

/** At the top a comparison reads a property; under -any, `_` (an item of `collection`). */
function comparisonGuards(node: ComparisonNode, collection: string | null): readonly RuleGuard[] {
  const { subject } = node;
  let found: RuleGuard | null = null;
  if (collection === null && subject.kind === 'property') {
    found = comparisonGuard(node, subject.name, 'value');
  } else if (collection !== null && subject.kind === 'element') {
    found = comparisonGuard(node, collection, 'item');
  }
  return found === null ? [] : [found];
}

/**
 * `-eq "x"`, `-in ["a", "b"]`, `-startsWith "p"` and `-contains "c"` on strings; nothing else is a
 * lookup. An `-in` list with a number is no guard: the compiled rule also matches text that reads
 * as that number. An empty prefix or contained text is none either (it holds on any text).
 */
function comparisonGuard(
  node: ComparisonNode,
  property: string,
  scope: RuleGuard['scope'],
): RuleGuard | null {
  const { operator, value } = node;
  if (operator === 'eq' && value.kind === 'string') {
    return guard(property, scope, 'equals', [lower(value.value)]);
  }
  if (operator === 'startsWith' && value.kind === 'string' && value.value !== '') {
    return guard(property, scope, 'prefix', [lower(value.value)]);
  }
  if (operator === 'contains' && value.kind === 'string' && value.value !== '') {
    return guard(property, scope, 'contains', [lower(value.value)]);
  }
  if (operator === 'in' && value.kind === 'array') {
    const keys: string[] = [];
    for (const item of value.items) {
      if (item.kind !== 'string') return null;
      keys.push(lower(item.value));
    }
    return keys.length === 0 ? null : guard(property, scope, 'equals', keys);
  }
  return null;
}

/** A rule's constant lower-cased as compile.ts lower-cases it. */
function lower(constant: string): string {
  return constant.toLowerCase();
}

function guard(
  property: string,
  scope: RuleGuard['scope'],
  kind: RuleGuard['kind'],
  keys: readonly string[],
): RuleGuard {
  return { property, scope, kind, keys: [...new Set(keys)].sort() };
}

/** The guards in their order, each once. */
function distinct(guards: readonly RuleGuard[]): readonly RuleGuard[] {
  const kept: RuleGuard[] = [];
  for (const each of guards) {
    if (!kept.some((other) => sameLookup(other, each) && sameKeys(other.keys, each.keys))) {
      kept.push(each);
    }
  }
  return kept;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

/**
 * One side of an `or` holds: for each way of reading (property, scope, kind) that has a guard on
 * both sides, one guard with the keys of both. Each side contributes its guard with the fewest
 * keys there, so a chain of `or`s keeps at most one guard per way of reading (no blow-up).
 */
function unions(left: readonly RuleGuard[], right: readonly RuleGuard[]): readonly RuleGuard[] {
  const joined: RuleGuard[] = [];
  for (const one of left) {
    if (joined.some((done) => sameLookup(done, one))) continue;
    const mine = fewestKeys(left.filter((other) => sameLookup(other, one)));
    const theirs = fewestKeys(right.filter((other) => sameLookup(other, one)));
    if (mine === null || theirs === null) continue;
    joined.push(guard(one.property, one.scope, one.kind, [...mine.keys, ...theirs.keys]));
  }
  return joined;
}

function sameLookup(a: RuleGuard, b: RuleGuard): boolean {
  return a.property === b.property && a.scope === b.scope && a.kind === b.kind;
}

/** The first of the guards with the fewest keys, or null when there are none. */
function fewestKeys(guards: readonly RuleGuard[]): RuleGuard | null {
  let fewest: RuleGuard | null = null;
  for (const each of guards) {
    if (fewest === null || each.keys.length < fewest.keys.length) fewest = each;
  }
  return fewest;
}

/**
 * The lookups of one value: a property, or the items of a collection property. Every key of the
 * index (a text under a kind, on a source) has a number; a device *hits* the keys its texts
 * satisfy.
 */
interface GuardSource {
  readonly property: string;
  readonly scope: RuleGuard['scope'];
  /** Key numbers by equality key. */
  readonly equals: ReadonlyMap<string, number>;
  readonly prefixes: PrefixTable;
  /** The distinct contained texts, and (same position) their key numbers. */
  readonly contained: readonly string[];
  readonly containedKeys: Int32Array;
}

interface SourceBuilder {
  readonly property: string;
  readonly scope: RuleGuard['scope'];
  /** Key numbers by kind and text. */
  readonly byKind: Record<RuleGuard['kind'], Map<string, number>>;
}

/**
 * Candidate rules per device: built once from the rules in their evaluation order (an AST, or null
 * for a rule without one), then asked once per device. A rule is offered when the device passes
 * all its guards; rules without a guard are always offered.
 *
 * Each guarded rule is filed under the keys of one guard, its *anchor*: the guard whose keys the
 * fewest guards of the index share (a key many rules share, such as deviceOSType "Linux", is one
 * many devices have). Only when a device hits an anchor are the rule's other guards checked, so
 * a device costs about the rules it is offered, not every rule that shares one of its values.
 *
 * @example
 * const index = new RuleIndex([linuxRuleAst, windowsRuleAst, null]);
 * index.candidates({ deviceOSType: 'Linux' }); // [0, 2]
 */
export class RuleIndex {
  /** The number of rules indexed. */
  readonly size: number;
  private readonly sources: readonly GuardSource[];
  private readonly tally: GuardTally;

  constructor(rules: readonly (RuleAst | null)[]) {
    this.size = rules.length;
    const builders = new Map<string, SourceBuilder>();
    /** Per key number: how many guards have that key. */
    const shared: number[] = [];
    const keysOf = ({ property, scope, kind, keys }: RuleGuard): number[] => {
      const byText = sourceBuilder(builders, property, scope).byKind[kind];
      return keys.map((text) => {
        let key = byText.get(text);
        if (key === undefined) {
          key = shared.push(0) - 1;
          byText.set(text, key);
        }
        shared[key] = (shared[key] ?? 0) + 1;
        return key;
      });
    };
    const guardKeys = rules.map((ast) => (ast === null ? [] : ruleGuard(ast).map(keysOf)));
    this.tally = new GuardTally(
      shared.length,
      guardKeys.map((keys) => anchorFirst(keys, shared)),
    );
    this.sources = [...builders.values()].map(({ property, scope, byKind }) => ({
      property,
      scope,
      equals: byKind.equals,
      prefixes: new PrefixTable(byKind.prefix),
      contained: [...byKind.contains.keys()],
      containedKeys: Int32Array.from(byKind.contains.values()),
    }));
  }

  /** The indices of the rules that can match a device with these properties, ascending. */
  candidates(properties: RuleProperties): number[] {
    const tally = this.tally;
    tally.startDevice();
    for (const source of this.sources) {
      const value = properties[source.property];
      if (source.scope === 'value') {
        hitKeys(source, textOf(value), tally);
        continue;
      }
      const items = itemsOf(value);
      for (let i = 0; i < items.length; i++) hitKeys(source, textOf(items[i] ?? null), tally);
    }
    tally.checkAnchored();
    return markedIndices(tally.marks);
  }
}

function sourceBuilder(
  builders: Map<string, SourceBuilder>,
  property: string,
  scope: RuleGuard['scope'],
): SourceBuilder {
  const key = `${scope}:${property}`;
  let builder = builders.get(key);
  if (builder === undefined) {
    builder = {
      property,
      scope,
      byKind: { equals: new Map(), prefix: new Map(), contains: new Map() },
    };
    builders.set(key, builder);
  }
  return builder;
}

/** A rule's guards (each as its key numbers) with its anchor first: the least shared keys. */
function anchorFirst(
  guards: readonly (readonly number[])[],
  shared: readonly number[],
): readonly (readonly number[])[] {
  if (guards.length < 2) return guards;
  const sharing = guards.map((keys) => keys.reduce((sum, key) => sum + (shared[key] ?? 0), 0));
  const anchor = sharing.indexOf(Math.min(...sharing));
  return [...guards.slice(anchor, anchor + 1), ...guards.filter((_keys, i) => i !== anchor)];
}

function hitKeys(source: GuardSource, text: string | null, tally: GuardTally): void {
  if (text === null) return;
  const lower = lowerCased(text);
  const equal = source.equals.get(lower);
  if (equal !== undefined) tally.hit(equal);
  source.prefixes.hitMatches(lower, tally);
  const contained = source.contained;
  for (let i = 0; i < contained.length; i++) {
    if (lower.includes(contained[i] ?? '')) tally.hit(source.containedKeys[i] ?? 0);
  }
}

/**
 * One device's keys and candidates, without allocating. A hit key stamps itself with the device's
 * generation and collects the rules anchored there; once every value is read, a collected rule is
 * marked a candidate when each of its other guards has a key stamped. Stamps tell what belongs to
 * this device, so nothing is cleared between devices. Arrays are flat: `xStarts[i]` to
 * `xStarts[i + 1]` is the range of i's entries in `x`.
 */
class GuardTally {
  /** Bitmap of this device's candidates. */
  readonly marks: Uint32Array;
  /** Bitmap of the rules without a guard. */
  private readonly always: Uint32Array;
  /** Per key, the rules anchored there. */
  private readonly anchoredStarts: Int32Array;
  private readonly anchored: Int32Array;
  /** Per rule, its other guards; per guard, its keys. */
  private readonly checkStarts: Int32Array;
  private readonly keyStarts: Int32Array;
  private readonly keys: Int32Array;
  private readonly keyStamps: Uint32Array;
  private readonly ruleStamps: Uint32Array;
  /** The rules whose anchor this device hit (the first `collectedCount`). */
  private readonly collected: Int32Array;
  private collectedCount = 0;
  private generation = 0;

  /** `guards`: per rule, its guards as key numbers, the anchor first. */
  constructor(keyCount: number, guards: readonly (readonly (readonly number[])[])[]) {
    const words = Math.ceil(guards.length / 32);
    this.marks = new Uint32Array(words);
    this.always = new Uint32Array(words);
    const anchoredAt: number[][] = Array.from({ length: keyCount }, () => []);
    const others: (readonly number[])[] = [];
    const checkStarts = [0];
    guards.forEach(([anchor, ...rest], rule) => {
      if (anchor === undefined) mark(this.always, rule);
      for (const key of anchor ?? []) anchoredAt[key]?.push(rule);
      others.push(...rest);
      checkStarts.push(others.length);
    });
    [this.anchoredStarts, this.anchored] = endToEnd(anchoredAt);
    this.checkStarts = Int32Array.from(checkStarts);
    [this.keyStarts, this.keys] = endToEnd(others);
    this.keyStamps = new Uint32Array(keyCount);
    this.ruleStamps = new Uint32Array(guards.length);
    this.collected = new Int32Array(guards.length);
  }

  startDevice(): void {
    this.marks.set(this.always);
    this.collectedCount = 0;
    if (this.generation === 0xffffffff) {
      this.keyStamps.fill(0);
      this.ruleStamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  hit(key: number): void {
    const generation = this.generation;
    // Another item or text hit it already: its rules are collected.
    if (this.keyStamps[key] === generation) return;
    this.keyStamps[key] = generation;
    const end = this.anchoredStarts[key + 1] ?? 0;
    for (let i = this.anchoredStarts[key] ?? 0; i < end; i++) {
      const rule = this.anchored[i] ?? 0;
      if (this.ruleStamps[rule] === generation) continue;
      this.ruleStamps[rule] = generation;
      this.collected[this.collectedCount++] = rule;
    }
  }

  /** Marks the collected rules whose other guards all have a key hit. */
  checkAnchored(): void {
    for (let i = 0; i < this.collectedCount; i++) {
      const rule = this.collected[i] ?? 0;
      if (this.passesOthers(rule)) mark(this.marks, rule);
    }
  }

  private passesOthers(rule: number): boolean {
    const end = this.checkStarts[rule + 1] ?? 0;
    for (let guard = this.checkStarts[rule] ?? 0; guard < end; guard++) {
      if (!this.hitAny(guard)) return false;
    }
    return true;
  }

  private hitAny(guard: number): boolean {
    const end = this.keyStarts[guard + 1] ?? 0;
    for (let i = this.keyStarts[guard] ?? 0; i < end; i++) {
      if (this.keyStamps[this.keys[i] ?? 0] === this.generation) return true;
    }
    return false;
  }
}

/** Lists laid end to end: the start of each (and the end of the last), and the entries. */
function endToEnd(lists: readonly (readonly number[])[]): [Int32Array, Int32Array] {
  const starts = new Int32Array(lists.length + 1);
  lists.forEach((list, index) => {
    starts[index + 1] = (starts[index] ?? 0) + list.length;
  });
  return [starts, Int32Array.from(lists.flat())];
}

/**
 * Prefixes sorted, each with the nearest other prefix it starts with (its parent). Every prefix of
 * a text sorts at or before the last prefix ≤ the text and is a prefix of it, so one binary search
 * and a walk up that prefix's parents find them all, however many prefixes there are.
 */
class PrefixTable {
  private readonly prefixes: readonly string[];
  private readonly keys: Int32Array;
  private readonly parents: Int32Array;

  /** `byPrefix`: key numbers by prefix. */
  constructor(byPrefix: ReadonlyMap<string, number>) {
    this.prefixes = [...byPrefix.keys()].sort();
    this.keys = Int32Array.from(this.prefixes, (prefix) => byPrefix.get(prefix) ?? 0);
    this.parents = new Int32Array(this.prefixes.length);
    this.prefixes.forEach((prefix, index) => {
      this.parents[index] = this.longestPrefixOf(prefix, index - 1);
    });
  }

  /** Hits the key of every prefix `text` starts with. */
  hitMatches(text: string, tally: GuardTally): void {
    if (this.prefixes.length === 0) return;
    let index = this.longestPrefixOf(text, this.lastAtOrBefore(text));
    while (index >= 0) {
      tally.hit(this.keys[index] ?? 0);
      index = this.parents[index] ?? -1;
    }
  }

  /** The longest prefix of `text` among `prefixes[0..from]` (from: the last one ≤ text), or -1. */
  private longestPrefixOf(text: string, from: number): number {
    let index = from;
    while (index >= 0 && !text.startsWith(this.prefixes[index] ?? '')) {
      index = this.parents[index] ?? -1;
    }
    return index;
  }

  /** The index of the last prefix ≤ text (UTF-16 order, as startsWith compares), or -1. */
  private lastAtOrBefore(text: string): number {
    let low = 0;
    let high = this.prefixes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.prefixes[middle] ?? '') <= text) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}

function mark(marks: Uint32Array, index: number): void {
  marks[index >>> 5] = (marks[index >>> 5] ?? 0) | (1 << (index & 31));
}

function markedIndices(marks: Uint32Array): number[] {
  let count = 0;
  for (let word = 0; word < marks.length; word++) count += bitCount(marks[word] ?? 0);
  const indices = new Array<number>(count);
  let next = 0;
  for (let word = 0; word < marks.length; word++) {
    let bits = marks[word] ?? 0;
    while (bits !== 0) {
      const lowest = bits & -bits;
      indices[next++] = word * 32 + 31 - Math.clz32(lowest);
      bits ^= lowest;
    }
  }
  return indices;
}

function bitCount(bits: number): number {
  let n = bits - ((bits >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
